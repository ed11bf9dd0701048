// `npm run cluster -- up --with-controllers` (issue 15): the controllers production's promises rest on, built
// from their pinned Go modules (scripts/cluster/build.ts, CONTROLLER_PARTS) and run on the cluster as their
// projects run them. So far: prometheus-operator, and the Prometheus it runs, selecting every PodMonitor and
// PrometheusRule in the cluster, in namespace `monitoring` (the one base/network/monitoring.yaml admits).
// The operator's and Prometheus' RBAC are upstream's own files from the pinned module.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';
import { CONFIG_RELOADER_IMAGE, PROMETHEUS_IMAGE, PROMETHEUS_OPERATOR_IMAGE } from './build';
import { importImage, kubectl, kubectlApply, kubectlQuiet, pinnedModuleDir, waitFor } from './node';

export const MONITORING_NAMESPACE = 'monitoring';
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

function monitoringObjects(): Obj[] {
  const operatorLabels = { 'app.kubernetes.io/name': 'prometheus-operator' };
  return [
    {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: {
        name: MONITORING_NAMESPACE,
        labels: { 'pod-security.kubernetes.io/enforce': 'restricted' },
      },
    },
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
        // Every PodMonitor and PrometheusRule, in every namespace, as a platform's Prometheus would.
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

/** Imports the controllers' images, applies them, and waits until Prometheus answers. */
export async function startControllers(bin: string, controllers: string, log: Log): Promise<void> {
  for (const image of ['prometheus', 'prometheus-operator', 'prometheus-config-reloader'])
    importImage(bin, join(controllers, `${image}.oci.tar`));
  log('starting prometheus-operator and Prometheus (namespace monitoring)');
  kubectlApply(
    bin,
    monitoringObjects()
      .map((o) => stringify(o))
      .join('---\n'),
    ['--server-side'],
  );
  kubectl(bin, [
    '-n',
    MONITORING_NAMESPACE,
    'rollout',
    'status',
    'deployment/prometheus-operator',
    '--timeout=180s',
  ]);
  const statefulSet = 'statefulset/prometheus-shiftstack';
  await waitFor(
    `prometheus-operator's ${statefulSet}`,
    `kubectl -n ${MONITORING_NAMESPACE} logs deployment/prometheus-operator`,
    () => !!kubectlQuiet(bin, ['-n', MONITORING_NAMESPACE, 'get', statefulSet, '-o', 'name']),
    120_000,
  );
  kubectl(bin, ['-n', MONITORING_NAMESPACE, 'rollout', 'status', statefulSet, '--timeout=180s']);
}
