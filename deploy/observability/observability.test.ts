// The observability deliverables checked with the real tools: promtool checks and unit-tests the rules
// (and proves those tests catch a broken rule), validates the compose Prometheus config and parses
// every dashboard query; every metric and label used must exist in docs/runtime-contract.md.
import { execFile, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { commandMissing, needs } from '../../test/support/system-deps';
import { dashboardsDir, repoRoot, rulesFile, staleFiles } from './generate';
import {
  dashboardExpressions,
  loadDashboards,
  loadRules,
  ruleExpressions,
  type Dashboard,
} from './support/expressions';
import { loadCatalog, parseContractMetrics, selectorProblems } from './support/metric-catalog';
import { selectorsIn } from './support/promql';

const here = join(repoRoot, 'deploy/observability');
const promtoolTestsDir = join(here, 'prometheus/tests');
const promtoolTests = readdirSync(promtoolTestsDir).filter((f) => f.endsWith('.yaml'));
const rules = loadRules(rulesFile);
const alerts = rules.filter((r) => r.alert);
const dashboards = loadDashboards(dashboardsDir);
const allExpressions = [
  ...ruleExpressions(rules),
  ...dashboards.flatMap(({ file, dashboard }) => dashboardExpressions(file, dashboard)),
];

const workDir = mkdtempSync(join(tmpdir(), 'shiftstack-observability-'));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

const promtoolAvailable = needs('promtool', commandMissing('promtool', ['--version']));

function promtool(args: string[]): { ok: boolean; output: string } {
  const result = spawnSync('promtool', args, { encoding: 'utf8', timeout: 60_000 });
  return { ok: result.status === 0, output: `${result.stdout}${result.stderr}` };
}

// promtool runs take a few seconds each on a busy two-core machine.
describe.skipIf(!promtoolAvailable)('Prometheus rules, with the real promtool', { timeout: 60_000 }, () => {
  it('rules.yaml passes promtool check rules', () => {
    const { ok, output } = promtool(['check', 'rules', rulesFile]);
    expect(output).toContain(`SUCCESS: ${rules.length} rules found`);
    expect(ok).toBe(true);
  });

  it('every promtool unit test passes', () => {
    const { ok, output } = promtool([
      'test',
      'rules',
      ...promtoolTests.map((f) => join(promtoolTestsDir, f)),
    ]);
    expect(output, output).not.toContain('FAILED');
    expect(output.match(/SUCCESS/g)).toHaveLength(promtoolTests.length);
    expect(ok, output).toBe(true);
  });

  // The unit tests are worth something only if a wrong rule makes them fail: break the rules in ways
  // that matter and run the tests that should notice against the broken copy.
  const mutations = [
    {
      change: 'pages only at 10x the 1h fast-burn threshold',
      from: /\(14\.4 \* 0\.001\)/g,
      to: '(144 * 0.001)',
      test: 'slo-long-windows.test.yaml',
    },
    {
      change: 'pages only at 10x the 6h fast-burn threshold',
      from: /\(6 \* 0\.001\)/g,
      to: '(60 * 0.001)',
      test: 'slo-long-windows.test.yaml',
    },
    {
      change: 'counts the probe routes',
      from: /route!~"\/healthz\|\/readyz"/g,
      to: 'route!~"/none"',
      test: 'http.test.yaml',
    },
    {
      change: 'drops the zero-traffic denominator guard',
      from: /\]\)\) > 0\)/g,
      to: '])))',
      test: 'slo-long-windows.test.yaml',
    },
    {
      change: 'matches any pod name for kube-state-metrics',
      from: /\[bcdfghjklmnpqrstvwxz2456789\]\{6,10\}/g,
      to: '.+',
      test: 'kubernetes.test.yaml',
    },
  ];
  it.each(mutations)('the unit tests catch a rule that $change', async ({ from, to, test }) => {
    const dir = mkdtempSync(join(workDir, 'mutant-'));
    const source = readFileSync(rulesFile, 'utf8');
    const mutant = source.replace(from, to);
    expect(mutant, 'the mutation must change the rules').not.toBe(source);
    writeFileSync(join(dir, 'rules.yaml'), mutant);
    cpSync(promtoolTestsDir, join(dir, 'tests'), { recursive: true });
    const failure = await promisify(execFile)('promtool', ['test', 'rules', join(dir, 'tests', test)]).then(
      () => null,
      (err: { stdout: string; stderr: string }) => `${err.stdout}${err.stderr}`,
    );
    expect(failure, 'promtool passed against the broken rules').toContain('FAILED');
  });

  it('the compose prometheus.yml passes promtool check config, with the rules where compose mounts them', () => {
    const config = parse(readFileSync(join(here, 'prometheus/prometheus.yml'), 'utf8')) as {
      rule_files: string[];
      scrape_configs: { job_name: string; static_configs: { targets: string[] }[] }[];
    };
    expect(config.rule_files).toEqual(['/etc/prometheus/rules.yaml']);
    const job = config.scrape_configs.find((c) => c.job_name === 'shiftstack');
    expect(job?.static_configs.flatMap((s) => s.targets).sort()).toEqual(['shifts:9090', 'users:9090']);
    // promtool resolves rule_files, which only exist at that path inside the container.
    const copy = join(workDir, 'prometheus.yml');
    writeFileSync(copy, stringify({ ...config, rule_files: [rulesFile] }));
    const { ok, output } = promtool(['check', 'config', copy]);
    expect(output).toContain(`SUCCESS: ${rules.length} rules found`);
    expect(ok, output).toBe(true);
  });

  it('every dashboard query is valid PromQL (parsed by promtool)', () => {
    const asRules = (exprs: string[]) => ({
      groups: [
        {
          name: 'dashboard-queries',
          rules: exprs.map((expr, i) => ({ record: `dashboard_query_${i}`, expr })),
        },
      ],
    });
    const dashboardQueries = allExpressions.filter((e) => !e.where.startsWith('rules.yaml'));
    expect(dashboardQueries.length).toBeGreaterThan(20);
    const file = join(workDir, 'dashboard-queries.yaml');
    writeFileSync(file, stringify(asRules(dashboardQueries.map((q) => q.expr))));
    const { ok, output } = promtool(['check', 'rules', file]);
    expect(
      ok,
      `${output}\n${dashboardQueries.map((q, i) => `dashboard_query_${i}: ${q.where}`).join('\n')}`,
    ).toBe(true);
    // and the same check rejects a broken query, so a pass means something
    writeFileSync(file, stringify(asRules(['sum by (service (up)'])));
    expect(promtool(['check', 'rules', file]).ok).toBe(false);
  });
});

describe('alerts follow the conventions', () => {
  const runbook = readFileSync(join(repoRoot, 'docs/observability.md'), 'utf8');
  const anchors = new Set(
    [...runbook.matchAll(/^#+ (.+)$/gm)].map((m) =>
      m[1]!
        .trim()
        .toLowerCase()
        .replace(/[^\w\- ]/g, '')
        .replace(/ /g, '-'),
    ),
  );

  it.each(alerts.map((a) => [a.alert!, a]))(
    '%s has for, severity, summary, description and a runbook section',
    (name, alert) => {
      expect(alert.for).toMatch(/^\d+[mh]$/);
      expect(['critical', 'warning']).toContain(alert.labels?.severity);
      expect(alert.annotations?.summary).toBeTruthy();
      expect(alert.annotations?.description).toBeTruthy();
      const anchor = name.toLowerCase();
      expect(alert.annotations?.runbook_url).toBe(
        `https://github.com/shiftstack/shiftstack/blob/main/docs/observability.md#${anchor}`,
      );
      expect(anchors, `docs/observability.md needs a "### ${name}" section`).toContain(anchor);
    },
  );

  it('every alert has a promtool test where it fires and one where it does not', () => {
    type AlertTest = { alertname: string; exp_alerts?: unknown[] };
    const cases = promtoolTests.flatMap((f) => {
      const file = parse(readFileSync(join(promtoolTestsDir, f), 'utf8')) as {
        tests: { alert_rule_test?: AlertTest[] }[];
      };
      return file.tests.flatMap((t) => t.alert_rule_test ?? []);
    });
    for (const { alert } of alerts) {
      const mine = cases.filter((c) => c.alertname === alert);
      expect(
        mine.some((c) => (c.exp_alerts ?? []).length > 0),
        `${alert} never fires in a test`,
      ).toBe(true);
      expect(
        mine.some((c) => (c.exp_alerts ?? []).length === 0),
        `${alert} is never tested not to fire`,
      ).toBe(true);
    }
  });
});

describe('every metric and label used exists in the runtime contract', () => {
  const recorded = rules.flatMap((r) => (r.record ? [r.record] : []));
  const catalog = loadCatalog(repoRoot, recorded);

  it('the contract table parses into the metrics and labels the services export', () => {
    expect(catalog.contract.get('http_request_duration_seconds_bucket')?.labels).toEqual(
      new Set(['method', 'route', 'status_code', 'le']),
    );
    expect(catalog.contract.get('db_pool_connections')?.values.get('state')).toEqual(
      new Set(['total', 'idle', 'waiting', 'max']),
    );
    expect(catalog.contract.get('upstream_request_duration_seconds_count')?.labels).toEqual(
      new Set(['upstream', 'outcome']),
    );
    expect(catalog.contract.get('upstream_circuit_state')?.labels).toEqual(new Set(['upstream']));
    expect(catalog.contract.get('http_requests_in_flight')?.labels).toEqual(new Set());
    expect(catalog.contractPrefixes).toEqual(['process_', 'nodejs_']);
  });

  it.each(allExpressions.map((e) => [e.where, e.expr]))('%s', (_where, expr) => {
    const selectors = selectorsIn(expr);
    expect(selectors.length).toBeGreaterThan(0);
    expect(selectors.flatMap((s) => selectorProblems(s, catalog))).toEqual([]);
  });

  it('catches drift: unknown metrics, unknown labels or values, a missing job matcher', () => {
    const problems = (expr: string) => selectorsIn(expr).flatMap((s) => selectorProblems(s, catalog));
    expect(problems('rate(http_requests_total{job="shiftstack"}[5m])')).toHaveLength(1);
    expect(problems('http_request_duration_seconds_count{job="shiftstack", status="500"}')).toHaveLength(1);
    expect(problems('db_pool_connections{job="shiftstack", state=~"idle|busy"}')).toHaveLength(1);
    expect(problems('sum by (service) (upstream_circuit_state)')).toHaveLength(1);
    expect(problems('up == 0')).toHaveLength(1);
    // and a renamed metric in the doc is a missing metric here
    const renamed = parseContractMetrics(
      readFileSync(join(repoRoot, 'docs/runtime-contract.md'), 'utf8').replace(
        '`db_pool_connections`',
        '`db_pool_clients`',
      ),
    );
    expect(renamed.contract.has('db_pool_connections')).toBe(false);
  });
});

describe('Grafana dashboards and provisioning', () => {
  it('the generated dashboard JSON and Kubernetes copies are up to date (npx tsx deploy/observability/generate.ts)', () => {
    expect(staleFiles()).toEqual([]);
  });

  it.each(dashboards.map((d) => [d.file, d.dashboard]))(
    '%s: variables, datasources, targets and layout',
    (_file, dashboard: Dashboard) => {
      expect(dashboard.uid).toMatch(/^[\w-]{1,40}$/);
      const variables = (dashboard.templating.list as Dashboard[]).map((v) => v.name as string);
      expect(variables).toEqual(expect.arrayContaining(['datasource', 'namespace', 'service']));
      const panels = dashboard.panels as Dashboard[];
      expect(new Set(panels.map((p) => p.id)).size).toBe(panels.length);
      for (const panel of panels) {
        expect(panel.gridPos.x + panel.gridPos.w, panel.title).toBeLessThanOrEqual(24);
        if (panel.type === 'row') continue;
        expect(panel.datasource, panel.title).toEqual({ type: 'prometheus', uid: '${datasource}' });
        expect(panel.targets.length, panel.title).toBeGreaterThan(0);
        for (const target of panel.targets as Dashboard[]) {
          expect(target.datasource, panel.title).toEqual(panel.datasource);
          expect(target.expr, panel.title).toMatch(/\S/);
        }
      }
      // panels do not overlap
      const cells = new Set<string>();
      for (const { gridPos: g, title } of panels) {
        for (let x = g.x; x < g.x + g.w; x++) {
          for (let y = g.y; y < g.y + g.h; y++) {
            expect(cells.has(`${x},${y}`), `${title} overlaps another panel`).toBe(false);
            cells.add(`${x},${y}`);
          }
        }
      }
    },
  );

  it('provisioning points Grafana at the compose Prometheus and the mounted dashboards', () => {
    const provisioning = join(here, 'grafana/provisioning');
    const datasources = parse(
      readFileSync(join(provisioning, 'datasources/prometheus.yaml'), 'utf8'),
    ) as Dashboard;
    expect(datasources.datasources).toEqual([
      expect.objectContaining({ type: 'prometheus', url: 'http://prometheus:9090', isDefault: true }),
    ]);
    const providers = parse(
      readFileSync(join(provisioning, 'dashboards/shiftstack.yaml'), 'utf8'),
    ) as Dashboard;
    expect(providers.providers).toEqual([
      expect.objectContaining({
        type: 'file',
        options: expect.objectContaining({ path: '/var/lib/grafana/dashboards' }),
      }),
    ]);
  });
});
