// `npm run cluster -- up --with-controllers` (issue 15): the controllers production's promises rest on, built
// from their pinned Go modules (scripts/cluster/build.ts, CONTROLLER_PARTS) and run on the cluster as their
// projects run them, every namespace at Pod Security "restricted":
// - prometheus-operator, and the Prometheus it runs, selecting every PodMonitor and PrometheusRule in the
//   cluster, in namespace `monitoring` (the one base/network/monitoring.yaml admits); the RBAC is upstream's
//   own files from the pinned module;
// - Argo Rollouts' controller in `argo-rollouts`, and KEDA's operator and metrics API server in `keda`, each
//   from upstream's own kustomization in the pinned module (cluster-install, minimal: no webhooks), with
//   only the images swapped for the ones built here. Their CRDs are installed by `up` itself (node.ts).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';
import {
  ARGO_ROLLOUTS_IMAGE,
  CONFIG_RELOADER_IMAGE,
  KEDA_IMAGE,
  KEDA_METRICS_IMAGE,
  PROMETHEUS_IMAGE,
  PROMETHEUS_OPERATOR_IMAGE,
} from './build';
import { importImage, kubectl, kubectlApply, kubectlQuiet, pinnedModuleDir, waitFor } from './node';

export const MONITORING_NAMESPACE = 'monitoring';
export const ARGO_ROLLOUTS_NAMESPACE = 'argo-rollouts';
export const KEDA_NAMESPACE = 'keda';
/** Scrape and rule evaluation every 5 s (production's Prometheus keeps its own): tests wait less. */
const INTERVAL = '5s';

type Log = (line: string) => void;
type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Upstream's example RBAC for one component, from the pinned prometheus-operator module, in our namespace. */
function upstreamRbac(component: 'prometheus-operator' | 'prometheus'): Obj[] {
  const dir = join(
    pinnedModuleDir('github.com/prometheus-operator/prometheus-operator'),
    'example/rbac',
    component,
  );
  const files = ['service-account', 'cluster-role', 'cluster-role-binding'].map((f) =>
    join(dir, `${component}-${f}.yaml`),
  );
  return files.flatMap((file) =>
    parseAllDocuments(readFileSync(file, 'utf8')).map((doc) => {
      const o = doc.toJS() as Obj;
      if (o.kind === 'ServiceAccount') o.metadata.namespace = MONITORING_NAMESPACE;
      for (const subject of (o.subjects ?? []) as Obj[]) subject.namespace = MONITORING_NAMESPACE;
      return o;
    }),
  );
}

const restricted = {
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  capabilities: { drop: ['ALL'] },
};

const restrictedNamespace = (name: string): Obj => ({
  apiVersion: 'v1',
  kind: 'Namespace',
  metadata: { name, labels: { 'pod-security.kubernetes.io/enforce': 'restricted' } },
});

const CLUSTER_SCOPED = new Set(['Namespace', 'ClusterRole', 'ClusterRoleBinding', 'APIService']);

/**
 * An upstream kustomization from a pinned module, rendered by the cluster's kubectl, in `namespace`,
 * without its CRDs (node.ts installs those, for every controller, whether it runs or not).
 */
function upstreamKustomization(bin: string, module: string, dir: string, namespace: string): Obj[] {
  const rendered = kubectl(bin, ['kustomize', join(pinnedModuleDir(module), dir)]);
  return parseAllDocuments(rendered)
    .map((doc) => doc.toJS() as Obj)
    .filter((o) => o && o.kind !== 'CustomResourceDefinition' && o.kind !== 'Namespace')
    .map((o) => {
      if (!CLUSTER_SCOPED.has(o.kind)) o.metadata.namespace = namespace;
      return o;
    });
}

/** The one container of an upstream Deployment, to point at the image built here. */
function containerOf(objects: Obj[], deployment: string): Obj {
  const found = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === deployment);
  if (!found) throw new Error(`upstream's manifests have no Deployment ${deployment}`);
  return found.spec.template.spec.containers[0] as Obj;
}

function useImage(container: Obj, image: string): void {
  container.image = image;
  container.imagePullPolicy = 'Never';
}

function argoRolloutsObjects(bin: string): Obj[] {
  const objects = upstreamKustomization(
    bin,
    'github.com/argoproj/argo-rollouts',
    'manifests/cluster-install',
    ARGO_ROLLOUTS_NAMESPACE,
  );
  useImage(containerOf(objects, 'argo-rollouts'), ARGO_ROLLOUTS_IMAGE);
  return [restrictedNamespace(ARGO_ROLLOUTS_NAMESPACE), ...objects];
}

function kedaObjects(bin: string): Obj[] {
  const objects = upstreamKustomization(bin, 'github.com/kedacore/keda/v2', 'config/minimal', KEDA_NAMESPACE);
  const operator = containerOf(objects, 'keda-operator');
  useImage(operator, KEDA_IMAGE);
  // minimal has no admission webhooks: nothing for the certificate rotation to patch.
  operator.args = [...(operator.args as string[]), '--enable-webhook-patching=false'];
  const adapter = containerOf(objects, 'keda-metrics-apiserver');
  useImage(adapter, KEDA_METRICS_IMAGE);
  // Upstream's manifest passes the program's path as its first argument; the image runs it as its command.
  adapter.command = ['/keda-adapter'];
  adapter.args = (adapter.args as string[]).filter((arg) => arg.startsWith('--'));
  return [restrictedNamespace(KEDA_NAMESPACE), ...objects];
}

function monitoringObjects(): Obj[] {
  const operatorLabels = { 'app.kubernetes.io/name': 'prometheus-operator' };
  return [
    restrictedNamespace(MONITORING_NAMESPACE),
    ...upstreamRbac('prometheus-operator'),
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'prometheus-operator', namespace: MONITORING_NAMESPACE, labels: operatorLabels },
      spec: {
        replicas: 1,
        selector: { matchLabels: operatorLabels },
        template: {
          metadata: { labels: operatorLabels },
          spec: {
            serviceAccountName: 'prometheus-operator',
            // Upstream's ServiceAccount leaves the token off; the operator's pod takes it, as upstream's does.
            automountServiceAccountToken: true,
            securityContext: {
              runAsNonRoot: true,
              runAsUser: 65532,
              seccompProfile: { type: 'RuntimeDefault' },
            },
            containers: [
              {
                name: 'prometheus-operator',
                image: PROMETHEUS_OPERATOR_IMAGE,
                imagePullPolicy: 'Never',
                args: [`--prometheus-config-reloader=${CONFIG_RELOADER_IMAGE}`, '--log-level=info'],
                ports: [{ name: 'http', containerPort: 8080 }],
                resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '256Mi' } },
                securityContext: restricted,
              },
            ],
          },
        },
      },
    },
    ...upstreamRbac('prometheus'),
    {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'Prometheus',
      metadata: { name: 'shiftstack', namespace: MONITORING_NAMESPACE },
      spec: {
        image: PROMETHEUS_IMAGE,
        version: 'v3.5.0',
        imagePullPolicy: 'Never',
        replicas: 1,
        serviceAccountName: 'prometheus',
        scrapeInterval: INTERVAL,
        evaluationInterval: INTERVAL,
        // Every PodMonitor and PrometheusRule, in every namespace, as a platform's Prometheus would; each
        // namespace's rules see only its own series (environments sharing a cluster apply the same
        // PrometheusRule, whose aggregations would otherwise overlap).
        enforcedNamespaceLabel: 'namespace',
        podMonitorSelector: {},
        podMonitorNamespaceSelector: {},
        ruleSelector: {},
        ruleNamespaceSelector: {},
        serviceMonitorSelector: {},
        serviceMonitorNamespaceSelector: {},
        securityContext: {
          runAsNonRoot: true,
          runAsUser: 65532,
          fsGroup: 65532,
          seccompProfile: { type: 'RuntimeDefault' },
        },
        resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { memory: '1Gi' } },
      },
    },
  ];
}

const applyObjects = (bin: string, objects: Obj[]) =>
  kubectlApply(bin, objects.map((o) => stringify(o)).join('---\n'), ['--server-side']);

const rolledOut = (bin: string, namespace: string, deployment: string) =>
  kubectl(bin, ['-n', namespace, 'rollout', 'status', `deployment/${deployment}`, '--timeout=180s']);

/** Imports the controllers' images, applies them, and waits until each is ready and Prometheus answers. */
export async function startControllers(bin: string, controllers: string, log: Log): Promise<void> {
  // Every image CONTROLLER_PARTS packed (build.ts names them): nothing to keep in step here.
  for (const archive of readdirSync(controllers).filter((f) => f.endsWith('.oci.tar')))
    importImage(bin, join(controllers, archive));
  log('starting prometheus-operator and Prometheus (namespace monitoring)');
  applyObjects(bin, monitoringObjects());
  log('starting Argo Rollouts (namespace argo-rollouts) and KEDA (namespace keda)');
  applyObjects(bin, argoRolloutsObjects(bin));
  applyObjects(bin, kedaObjects(bin));
  rolledOut(bin, MONITORING_NAMESPACE, 'prometheus-operator');
  rolledOut(bin, ARGO_ROLLOUTS_NAMESPACE, 'argo-rollouts');
  rolledOut(bin, KEDA_NAMESPACE, 'keda-operator');
  // Its serving certificate is a Secret the operator writes: it starts once the operator has.
  rolledOut(bin, KEDA_NAMESPACE, 'keda-metrics-apiserver');
  const statefulSet = 'statefulset/prometheus-shiftstack';
  await waitFor(
    `prometheus-operator's ${statefulSet}`,
    `kubectl -n ${MONITORING_NAMESPACE} logs deployment/prometheus-operator`,
    () => !!kubectlQuiet(bin, ['-n', MONITORING_NAMESPACE, 'get', statefulSet, '-o', 'name']),
    120_000,
  );
  kubectl(bin, ['-n', MONITORING_NAMESPACE, 'rollout', 'status', statefulSet, '--timeout=180s']);
}
