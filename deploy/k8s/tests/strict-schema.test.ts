// The strict validator must catch what the API server would: a check that cannot fail is worthless.
import { describe, expect, it } from 'vitest';
import { strictErrors } from './support/strict-schema.js';

const deployment = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'users', labels: { 'app.kubernetes.io/name': 'users' } },
  spec: {
    selector: { matchLabels: { app: 'users' } },
    template: {
      metadata: { labels: { app: 'users' } },
      spec: {
        containers: [
          { name: 'users', image: 'ghcr.io/shiftstack/users:0.1.0', imagePullPolicy: 'IfNotPresent' },
        ],
      },
    },
  },
};

const scaledObject = {
  apiVersion: 'keda.sh/v1alpha1',
  kind: 'ScaledObject',
  metadata: { name: 'users' },
  spec: {
    scaleTargetRef: { name: 'users' },
    triggers: [{ type: 'cpu', metricType: 'Utilization', metadata: { value: '70' } }],
  },
};

const rollout = {
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'Rollout',
  metadata: { name: 'users' },
  spec: {
    selector: { matchLabels: { app: 'users' } },
    strategy: { canary: { steps: [{ setWeight: 10 }, { pause: { duration: '5m' } }] } },
    template: deployment.spec.template,
  },
};

/** A deep copy of `obj` with `value` set at `path` (dot-separated, numeric parts index arrays). */
function withField(obj: object, path: string, value: unknown): object {
  const copy = structuredClone(obj) as Record<string, unknown>;
  const keys = path.split('.');
  let node = copy;
  for (const k of keys.slice(0, -1)) node = node[k] as Record<string, unknown>;
  node[keys.at(-1)!] = value;
  return copy;
}

describe('strict schema validation', () => {
  it('accepts valid objects, maps (labels, trigger metadata) included', () => {
    expect(strictErrors(deployment)).toEqual([]);
    expect(strictErrors(scaledObject)).toEqual([]);
    expect(strictErrors(rollout)).toEqual([]);
  });

  it.each([
    ['a misspelled top-level spec field', deployment, 'spec.replica', 3, 'spec.replica'],
    [
      'a misspelled container field',
      deployment,
      'spec.template.spec.containers.0.imagePullPolcy',
      'Always',
      'imagePullPolcy',
    ],
    [
      'a field at the wrong level',
      deployment,
      'spec.template.spec.readOnlyRootFilesystem',
      true,
      'readOnlyRootFilesystem',
    ],
    ['a misspelled CRD field (KEDA)', scaledObject, 'spec.minReplicas', 2, 'spec.minReplicas'],
    ['a misspelled CRD field (Argo Rollouts)', rollout, 'spec.strategy.canary.setps', [], 'canary.setps'],
    [
      'a misspelled field in a Rollout pod template',
      rollout,
      'spec.template.spec.containers.0.imagePullPolcy',
      'Always',
      'imagePullPolcy',
    ],
  ])('rejects %s', (_what, obj, path, value, reported) => {
    const errors = strictErrors(withField(obj, path, value));
    expect(
      errors.some((e) => e.includes('unknown field') && e.includes(reported)),
      errors.join('\n'),
    ).toBe(true);
  });

  it('still reports ordinary schema errors (wrong type)', () => {
    expect(strictErrors(withField(deployment, 'spec.replicas', 'three')).join()).toMatch(
      /replicas must be integer/,
    );
  });

  it('refuses a kind it has no schema for rather than passing it', () => {
    expect(strictErrors({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'x' } })).toEqual([
      'no schema for example.com/v1/Widget',
    ]);
  });
});
