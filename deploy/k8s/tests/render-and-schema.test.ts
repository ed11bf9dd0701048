// Every overlay renders with the real kustomize, and every object in it is valid against its schema
// with unknown fields rejected.
import { describe, expect, it } from 'vitest';
import {
  environments,
  kubectlAvailable,
  renderOverlay,
  renderWithComponents,
  type Obj,
} from './support/manifests.js';
import { kindsWithoutSchema, strictErrors } from './support/strict-schema.js';

const schemaErrors = (objs: Obj[]) =>
  objs.filter((o) => !kindsWithoutSchema.has(`${o.apiVersion}/${o.kind}`)).flatMap(strictErrors);

describe.skipIf(!kubectlAvailable)('rendering and schemas', () => {
  // Rendered once while collecting: kustomize takes a second or two per overlay on a busy machine.
  const rendered = new Map(environments.map((env) => [env, renderOverlay(env)]));

  describe.each(environments)('overlays/%s', (env) => {
    const objs = rendered.get(env)!;

    it('renders a whole environment', () => {
      const kinds = new Set(objs.map((o) => o.kind));
      for (const kind of [
        'Namespace',
        'ResourceQuota',
        'LimitRange',
        'Service',
        'NetworkPolicy',
        'Role',
        'RoleBinding',
        'HTTPRoute',
      ])
        expect(kinds, kind).toContain(kind);
      expect(objs.length).toBeGreaterThan(30);
    });

    it('holds only objects valid against their schema, with no unknown field', () => {
      expect(schemaErrors(objs)).toEqual([]);
    });

    it('has no two objects of the same kind and name', () => {
      const ids = objs.map((o) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`);
      expect(ids.length).toBe(new Set(ids).size);
    });
  });

  it('renders the ingress component (not used by a shipped overlay) into valid objects', () => {
    const objs = renderWithComponents('shiftstack-dev', [
      'components/in-cluster-postgres',
      'components/ingress',
    ]);
    expect(schemaErrors(objs)).toEqual([]);
  }, 30_000);

  it('leaves only CloudNativePG objects unvalidated, for want of a published schema', () => {
    const unvalidated = [...rendered.values()]
      .flat()
      .filter((o) => kindsWithoutSchema.has(`${o.apiVersion}/${o.kind}`))
      .map((o) => `${o.kind}/${o.metadata.name}`);
    expect([...new Set(unvalidated)].sort()).toEqual([
      'Cluster/shifts-db',
      'Cluster/users-db',
      'ObjectStore/shifts-db-backups',
      'ObjectStore/users-db-backups',
      'ScheduledBackup/shifts-db-nightly',
      'ScheduledBackup/users-db-nightly',
    ]);
  });
});
