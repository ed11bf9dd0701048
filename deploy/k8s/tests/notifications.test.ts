// components/notifications: the shifts service posts its outbox to a webhook. Staging and production turn it
// on; the URL comes from shifts-config, the signing key from a Secret the secret manager fills, and only the
// shifts pods gain HTTPS egress for it.
import { describe, expect, it } from 'vitest';
import {
  get,
  kubectlAvailable,
  ofKind,
  podLabelSets,
  renderOverlay,
  renderWithComponents,
  type Obj,
} from './support/manifests.js';
import { canConnect, type Endpoint } from './support/network-policy.js';

const internet: Endpoint = { namespace: '' };
const shiftsContainer = (objs: Obj[], kind: string) =>
  (get(objs, kind, 'shifts').spec.template.spec.containers as Obj[]).find((c) => c.name === 'shifts')!;
const configOf = (objs: Obj[]) =>
  ofKind(objs, 'ConfigMap').find((c) => String(c.metadata.name).startsWith('shifts-config'))!.data as Record<
    string,
    string
  >;

describe.skipIf(!kubectlAvailable)('schedule notifications to a webhook', () => {
  it.each(['staging', 'production'] as const)(
    '%s: URL in shifts-config, signing key from a managed Secret',
    (env) => {
      const objs = renderOverlay(env);
      expect(configOf(objs).NOTIFY_WEBHOOK_URL).toMatch(/^https:\/\//);
      const env_ = shiftsContainer(objs, env === 'production' ? 'Rollout' : 'Deployment').env as Obj[];
      expect(env_.find((e) => e.name === 'NOTIFY_WEBHOOK_SECRET')).toEqual({
        name: 'NOTIFY_WEBHOOK_SECRET',
        valueFrom: { secretKeyRef: { name: 'shifts-notify-webhook', key: 'secret' } },
      });
      const external = get(objs, 'ExternalSecret', 'shifts-notify-webhook');
      expect(external.spec.dataFrom[0].extract.key).toBe(`shiftstack-${env}/shifts-notify-webhook`);
      expect(ofKind(objs, 'Secret').map((s) => s.metadata.name)).not.toContain('shifts-notify-webhook');
    },
  );

  it('dev keeps the events without sending them: no URL, no key', () => {
    const objs = renderOverlay('dev');
    expect(configOf(objs).NOTIFY_WEBHOOK_URL).toBeUndefined();
    const env_ = (shiftsContainer(objs, 'Deployment').env as Obj[]).map((e) => e.name);
    expect(env_).not.toContain('NOTIFY_WEBHOOK_SECRET');
  });

  it('opens HTTPS out of the cluster to the shifts pods only', () => {
    const objs = renderWithComponents('shiftstack-dev', [
      'components/in-cluster-postgres',
      'components/notifications',
    ]);
    const policies = ofKind(objs, 'NetworkPolicy');
    const pod = (owner: string): Endpoint => ({
      namespace: 'shiftstack-dev',
      labels: podLabelSets(objs).find((p) => p.owner === owner)!.labels,
    });
    expect(canConnect(policies, pod('Deployment/shifts'), internet, 443)).toBe(true);
    expect(canConnect(policies, pod('Deployment/shifts'), internet, 80)).toBe(false);
    expect(canConnect(policies, pod('Deployment/users'), internet, 443)).toBe(false);
    expect(canConnect(policies, pod('Deployment/web'), internet, 443)).toBe(false);
  });
});
