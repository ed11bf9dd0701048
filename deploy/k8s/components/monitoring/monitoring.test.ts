// Renders the monitoring component on top of the real base with the real `kubectl kustomize` (a
// Component cannot be built alone) and checks what Prometheus and Grafana would receive.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { componentDir, dashboardsDir, rulesFile } from '../../../observability/generate';
import {
  get,
  kubectlAvailable,
  ofKind,
  podLabelSets,
  renderWithComponents,
  workload,
  type Obj,
} from '../../tests/support/manifests';
import { strictErrors } from '../../tests/support/strict-schema';

const namespace = 'shiftstack-staging';

/** Does a label selector (matchLabels + In/NotIn/Exists) select these labels? */
function selects(selector: Obj, labels: Record<string, string>): boolean {
  const byLabels = Object.entries((selector.matchLabels ?? {}) as Record<string, string>).every(
    ([k, v]) => labels[k] === v,
  );
  const byExpressions = ((selector.matchExpressions ?? []) as Obj[]).every(({ key, operator, values }) => {
    const value = labels[key as string];
    if (operator === 'In') return value !== undefined && (values as string[]).includes(value);
    if (operator === 'NotIn') return value === undefined || !(values as string[]).includes(value);
    if (operator === 'Exists') return value !== undefined;
    return value === undefined; // DoesNotExist
  });
  return byLabels && byExpressions;
}

describe.skipIf(!kubectlAvailable)('monitoring component (kubectl kustomize)', () => {
  let objects: Obj[] = [];
  let mine: Obj[] = [];
  // In a hook, not at collection: collection runs even when kubectl is missing and the suite skips.
  beforeAll(() => {
    objects = renderWithComponents(namespace, ['components/monitoring']);
    mine = objects.filter(
      (o) =>
        ['PodMonitor', 'PrometheusRule'].includes(o.kind as string) ||
        o.metadata.name === 'shiftstack-grafana-dashboards',
    );
  });

  it('renders a PodMonitor, a PrometheusRule and the dashboards ConfigMap, valid against their schemas', () => {
    expect(mine.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual([
      'ConfigMap/shiftstack-grafana-dashboards',
      'PodMonitor/shiftstack',
      'PrometheusRule/shiftstack',
    ]);
    expect(mine.flatMap(strictErrors)).toEqual([]);
  });

  it('sets no namespace itself, so the overlay namespace applies', () => {
    for (const file of readdirSync(componentDir).filter(
      (f) => f.endsWith('.yaml') && f !== 'kustomization.yaml',
    )) {
      for (const doc of parseAllDocuments(readFileSync(join(componentDir, file), 'utf8'))) {
        expect((doc.toJS() as Obj).metadata?.namespace, file).toBeUndefined();
      }
    }
    for (const o of mine) expect(o.metadata.namespace).toBe(namespace);
  });

  it('the PodMonitor selects exactly the users and shifts pods, on a port they declare', () => {
    const monitor = get(objects, 'PodMonitor', 'shiftstack');
    expect(monitor.spec.namespaceSelector, 'must watch its own namespace only').toBeUndefined();
    const selected = podLabelSets(objects).filter(({ labels }) =>
      selects(monitor.spec.selector as Obj, labels),
    );
    expect(selected.map((s) => s.owner).sort()).toEqual(['Deployment/shifts', 'Deployment/users']);
    const [endpoint] = monitor.spec.podMetricsEndpoints as Obj[];
    expect(endpoint).toMatchObject({ port: 'metrics', path: '/metrics' });
    for (const name of ['users', 'shifts']) {
      const ports = (workload(objects, name).spec.template.spec.containers as Obj[]).flatMap(
        (c) => (c.ports ?? []) as Obj[],
      );
      expect(ports).toContainEqual(expect.objectContaining({ name: 'metrics', containerPort: 9090 }));
    }
  });

  it('relabels targets to the labels the rules rely on: job, namespace, pod, service', () => {
    const [endpoint] = get(objects, 'PodMonitor', 'shiftstack').spec.podMetricsEndpoints as Obj[];
    const relabel = (target: string) =>
      (endpoint!.relabelings as Obj[]).filter((r) => r.targetLabel === target);
    expect(relabel('job')).toEqual([{ action: 'replace', targetLabel: 'job', replacement: 'shiftstack' }]);
    expect(relabel('service')).toEqual([
      {
        action: 'replace',
        sourceLabels: ['__meta_kubernetes_pod_label_app_kubernetes_io_name'],
        targetLabel: 'service',
      },
    ]);
    expect(relabel('namespace')[0]?.sourceLabels).toEqual(['__meta_kubernetes_namespace']);
    expect(relabel('pod')[0]?.sourceLabels).toEqual(['__meta_kubernetes_pod_name']);
    // and the rules select on that job label
    expect(readFileSync(rulesFile, 'utf8')).toContain('job="shiftstack"');
  });

  it('the PrometheusRule carries exactly the groups of rules.yaml', () => {
    const rule = get(objects, 'PrometheusRule', 'shiftstack');
    expect(rule.spec.groups).toEqual((parse(readFileSync(rulesFile, 'utf8')) as Obj).groups);
  });

  it('ships every dashboard in a stable-named ConfigMap the Grafana sidecar picks up', () => {
    const [configMap, ...others] = ofKind(mine, 'ConfigMap');
    expect(others).toEqual([]);
    expect(configMap!.metadata.labels).toMatchObject({ grafana_dashboard: '1' });
    const shipped = Object.keys(configMap!.data as Obj).sort();
    expect(shipped).toEqual(
      readdirSync(dashboardsDir)
        .filter((f) => f.endsWith('.json'))
        .sort(),
    );
    for (const file of shipped) {
      expect(configMap!.data[file]).toBe(readFileSync(join(dashboardsDir, file), 'utf8'));
    }
  });
});
