// What the rules and dashboards may query: the metrics table of docs/runtime-contract.md (parsed from
// the doc, so a rename there fails the tests until the rules follow), Prometheus' own `up` and
// `ALERTS`, the kube-state-metrics and database exporter series the alerts use, and the recording rules
// themselves.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Selector } from './promql';

export interface MetricSpec {
  /** Label names the series may carry (besides the target labels). */
  labels: Set<string>;
  /** For labels with a fixed set of values, those values. */
  values: Map<string, Set<string>>;
}

export interface Catalog {
  /** Series names the services export, with their labels. */
  contract: Map<string, MetricSpec>;
  /** Families listed as `process_*`: any name with the prefix. */
  contractPrefixes: string[];
  /** Other allowed names (up, ALERTS, kube-state-metrics, recording rules): labels not checked. */
  others: Set<string>;
}

/** Labels every scraped shiftstack series gets from the PodMonitor / compose relabelling. */
export const targetLabels = new Set(['job', 'namespace', 'pod', 'service', 'instance']);

/** kube-state-metrics v2 series the alerts and dashboards join on (stable names since v2.0). */
export const kubeStateMetrics = [
  'kube_pod_info',
  'kube_pod_status_ready',
  'kube_pod_container_status_waiting_reason',
  'kube_pod_container_status_restarts_total',
];

/** What the databases' exporter adds (CloudNativePG's Barman Cloud plugin, documented in its observability page). */
export const databaseMetrics = [
  'barman_cloud_cloudnative_pg_io_last_available_backup_timestamp',
  'barman_cloud_cloudnative_pg_io_last_failed_backup_timestamp',
];

const backticked = (text: string) => [...text.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);

/** The rows of the table under `## Metrics` in the runtime contract. */
export function parseContractMetrics(markdown: string): Pick<Catalog, 'contract' | 'contractPrefixes'> {
  const section = markdown.split(/^## /m).find((s) => s.startsWith('Metrics'));
  if (!section) throw new Error('runtime contract has no "## Metrics" section');
  const contract = new Map<string, MetricSpec>();
  const contractPrefixes: string[] = [];
  for (const line of section.split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    if (cells.length < 5 || !cells[1]!.startsWith('`')) continue; // header, separator, prose
    const [, nameCell, typeCell, labelCell] = cells as [string, string, string, string];
    const spec = parseLabels(labelCell);
    for (const name of backticked(nameCell)) {
      if (name.endsWith('*')) {
        contractPrefixes.push(name.slice(0, -1));
      } else if (typeCell.startsWith('histogram')) {
        contract.set(`${name}_bucket`, { labels: new Set([...spec.labels, 'le']), values: spec.values });
        contract.set(`${name}_sum`, spec);
        contract.set(`${name}_count`, spec);
      } else {
        contract.set(name, spec);
      }
    }
  }
  if (contract.size === 0) throw new Error('no metrics parsed from the runtime contract table');
  return { contract, contractPrefixes };
}

/** "`upstream` (e.g. `users`), `outcome` = `ok`, `timeout`" -> labels upstream, outcome; outcome's values. */
function parseLabels(cell: string): MetricSpec {
  const withoutExamples = cell.replace(/\([^)]*\)/g, '');
  const values = new Map<string, Set<string>>();
  const enumerated = /`(\w+)`\s*=\s*((?:`[^`]+`\s*,?\s*)+)/g;
  for (const m of withoutExamples.matchAll(enumerated)) values.set(m[1]!, new Set(backticked(m[2]!)));
  const rest = withoutExamples.replace(enumerated, (_all, label: string) => `\`${label}\``);
  return { labels: new Set(backticked(rest)), values };
}

export function loadCatalog(repoRoot: string, recordingRules: string[]): Catalog {
  const markdown = readFileSync(join(repoRoot, 'docs/runtime-contract.md'), 'utf8');
  return {
    ...parseContractMetrics(markdown),
    others: new Set(['up', 'ALERTS', ...kubeStateMetrics, ...databaseMetrics, ...recordingRules]),
  };
}

const selectsOurJob = (selector: Selector) =>
  selector.matchers.some((m) => m.label === 'job' && m.op === '=' && m.value === 'shiftstack');

/** Why a selector does not fit the catalog; empty when it does. */
export function selectorProblems(selector: Selector, catalog: Catalog): string[] {
  const { metric, matchers } = selector;
  const spec = catalog.contract.get(metric);
  const scraped =
    spec !== undefined || metric === 'up' || catalog.contractPrefixes.some((p) => metric.startsWith(p));
  if (!scraped) {
    return catalog.others.has(metric)
      ? []
      : [`${metric}: not a metric the services export (docs/runtime-contract.md)`];
  }
  const problems: string[] = [];
  // Names like http_request_duration_seconds are common: without the job matcher, other apps' series mix in.
  if (!selectsOurJob(selector)) problems.push(`${metric}: selector lacks job="shiftstack"`);
  if (!spec) return problems; // up and the process_/nodejs_ families: label sets not in the contract
  for (const { label, op, value } of matchers) {
    if (!spec.labels.has(label) && !targetLabels.has(label)) {
      problems.push(`${metric}: no label "${label}" in the runtime contract`);
      continue;
    }
    const allowed = spec.values.get(label);
    // Only plain values and alternations (a|b) are comparable; other regexes are left alone.
    if (allowed && (op === '=' || op === '=~') && /^[\w|]+$/.test(value)) {
      for (const v of value.split('|')) {
        if (!allowed.has(v))
          problems.push(`${metric}: ${label}="${v}" is not one of ${[...allowed].join(', ')}`);
      }
    }
  }
  return problems;
}
