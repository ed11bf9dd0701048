// Renders overlays with the real `kubectl kustomize` and gives the tests typed-enough access to the result.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { kubectlPath } from '../../../../scripts/tools/kubectl.js';
import { commandMissing, needs } from '../../../../test/support/system-deps.js';

// Rendered manifests are untyped YAML read field by field; a full type per kind would be noise here.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Obj = Record<string, any>;

export const k8sDir = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const environments = ['dev', 'staging', 'production'] as const;
export type Environment = (typeof environments)[number];
export const namespaceOf = (env: Environment) => `shiftstack-${env}`;
/** The three workloads every environment runs, by the names the release script relies on. */
export const workloadNames = ['users', 'shifts', 'web'] as const;
export const serviceNames = ['users', 'shifts'] as const;

export const kubectlAvailable = needs('kubectl', commandMissing(kubectlPath(), ['version', '--client']));

/** `kubectl kustomize DIR`, parsed. Throws with kustomize's own message when the build fails. */
export function kustomize(dir: string): Obj[] {
  const out = execFileSync(kubectlPath(), ['kustomize', dir], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return parseAllDocuments(out)
    .map((doc) => doc.toJS() as Obj | null)
    .filter((o): o is Obj => o !== null);
}

export const renderOverlay = (env: Environment) => kustomize(join(k8sDir, 'overlays', env));

/**
 * Renders a throwaway overlay made of `base` plus the given components (paths under deploy/k8s), for
 * components no shipped overlay uses. Kustomize only accepts relative paths, hence the relative().
 */
export function renderWithComponents(namespace: string, components: string[]): Obj[] {
  const dir = mkdtempSync(join(tmpdir(), 'shiftstack-overlay-'));
  try {
    const rel = (p: string) => relative(dir, join(k8sDir, p));
    writeFileSync(
      join(dir, 'kustomization.yaml'),
      [
        'apiVersion: kustomize.config.k8s.io/v1beta1',
        'kind: Kustomization',
        `namespace: ${namespace}`,
        `resources: [${rel('base')}]`,
        `components: [${components.map(rel).join(', ')}]`,
      ].join('\n'),
    );
    return kustomize(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export const find = (objs: Obj[], kind: string, name: string): Obj | undefined =>
  objs.find((o) => o.kind === kind && o.metadata?.name === name);

export function get(objs: Obj[], kind: string, name: string): Obj {
  const o = find(objs, kind, name);
  if (!o) throw new Error(`no ${kind}/${name} in the rendered manifests`);
  return o;
}

export const ofKind = (objs: Obj[], kind: string) => objs.filter((o) => o.kind === kind);

const podOwningKinds = new Set(['Deployment', 'StatefulSet', 'Rollout']);

/** Objects that carry a pod template (Deployment, StatefulSet, Rollout). */
export const podWorkloads = (objs: Obj[]) => objs.filter((o) => podOwningKinds.has(o.kind as string));

/** The workload named `name`, whatever its kind in this environment (Deployment or Rollout). */
export function workload(objs: Obj[], name: string): Obj {
  const w = podWorkloads(objs).find((o) => o.metadata.name === name);
  if (!w) throw new Error(`no workload ${name}`);
  return w;
}

/** Labels of the pods each workload (and each CloudNativePG cluster) creates. */
export function podLabelSets(objs: Obj[]): { owner: string; labels: Record<string, string> }[] {
  const fromTemplates = podWorkloads(objs).map((w) => ({
    owner: `${w.kind}/${w.metadata.name}`,
    labels: (w.spec.template.metadata?.labels ?? {}) as Record<string, string>,
  }));
  // The operator labels every pod with cnpg.io/cluster and copies inheritedMetadata.labels onto it.
  const fromClusters = ofKind(objs, 'Cluster').map((c) => ({
    owner: `Cluster/${c.metadata.name}`,
    labels: { ...(c.spec.inheritedMetadata?.labels ?? {}), 'cnpg.io/cluster': c.metadata.name } as Record<
      string,
      string
    >,
  }));
  return [...fromTemplates, ...fromClusters];
}

/** The ConfigMap a container takes its env from (the hash-suffixed name kustomize generated). */
export function envOf(objs: Obj[], container: Obj): Record<string, string> {
  const env: Record<string, string> = {};
  for (const from of (container.envFrom ?? []) as Obj[]) {
    const cm = from.configMapRef ? find(objs, 'ConfigMap', from.configMapRef.name as string) : undefined;
    Object.assign(env, cm?.data ?? {});
  }
  for (const e of (container.env ?? []) as Obj[])
    if (typeof e.value === 'string') env[e.name as string] = e.value;
  return env;
}

/** The autoscalers (HPA or KEDA ScaledObject) whose target is this workload. */
export function autoscalersOf(objs: Obj[], w: Obj): Obj[] {
  const targets = (o: Obj) => o.spec.scaleTargetRef?.name === w.metadata.name;
  return [
    ...ofKind(objs, 'HorizontalPodAutoscaler').filter(targets),
    ...ofKind(objs, 'ScaledObject').filter(targets),
  ];
}

/** An autoscaler's floor (the API's default when unset: 0 for KEDA, 1 for an HPA) and ceiling. */
export const minReplicasOf = (a: Obj) =>
  Number(a.kind === 'ScaledObject' ? (a.spec.minReplicaCount ?? 0) : (a.spec.minReplicas ?? 1));
export const maxReplicasOf = (a: Obj) =>
  Number(a.kind === 'ScaledObject' ? a.spec.maxReplicaCount : a.spec.maxReplicas);
