// The "shiftstack overview" Grafana dashboard, as code: one helper per panel kind keeps every panel on
// the same datasource variable and layout rules. `npx tsx deploy/observability/generate.ts` writes it
// to dashboards/shiftstack-overview.json (and the copy the Kubernetes component ships); a test fails
// when the JSON is out of date. Most panels read the recording rules of ../prometheus/rules.yaml, so
// the dashboard and the alerts agree on what "error ratio" or "p99" means.

/** Panels query whichever Prometheus the viewer picks: uids differ between compose and clusters. */
const datasource = { type: 'prometheus', uid: '${datasource}' } as const;

/** Every service-metric selector: our scrape job, the chosen namespace and services. */
const scope = 'job="shiftstack", namespace="$namespace", service=~"$service"';
/** Recorded series carry no job label (aggregated away). */
const recordedScope = 'namespace="$namespace", service=~"$service"';
/** Maps kube-state-metrics pod series to the chosen services (see namespace_pod:shiftstack_pod_service:info). */
const podsOfService = `on (namespace, pod) group_left (service) namespace_pod:shiftstack_pod_service:info{${recordedScope}}`;

const SLO_ERROR_BUDGET = 0.001; // 99.9% availability, as in rules.yaml
const P99_BOUND_SECONDS = 0.5; // ShiftstackHighLatencyP99

interface Query {
  expr: string;
  legend: string;
}

interface PanelOptions {
  title: string;
  description: string;
  unit: string;
  queries: Query[];
  width?: number;
  /** Draw a red line at this value (an SLO or alert bound). */
  bound?: number;
}

type Panel = Record<string, unknown>;

function targets(queries: Query[]) {
  return queries.map((query, index) => ({
    datasource,
    refId: String.fromCharCode(65 + index),
    expr: query.expr,
    legendFormat: query.legend,
    range: true,
  }));
}

function thresholds(bound: number | undefined) {
  const steps: { color: string; value: number | null }[] = [{ color: 'green', value: null }];
  if (bound !== undefined) steps.push({ color: 'red', value: bound });
  return { mode: 'absolute', steps };
}

function timeseries(options: PanelOptions): Panel {
  return {
    type: 'timeseries',
    title: options.title,
    description: options.description,
    datasource,
    targets: targets(options.queries),
    fieldConfig: {
      defaults: {
        unit: options.unit,
        min: 0,
        thresholds: thresholds(options.bound),
        custom: { thresholdsStyle: { mode: options.bound === undefined ? 'off' : 'line' }, fillOpacity: 10 },
      },
      overrides: [],
    },
    options: {
      legend: { displayMode: 'list', placement: 'bottom' },
      tooltip: { mode: 'multi', sort: 'desc' },
    },
    gridPos: { w: options.width ?? 8, h: 8, x: 0, y: 0 },
  };
}

function stat(options: PanelOptions & { steps: { color: string; value: number | null }[] }): Panel {
  return {
    type: 'stat',
    title: options.title,
    description: options.description,
    datasource,
    targets: targets(options.queries),
    fieldConfig: {
      defaults: { unit: options.unit, decimals: 1, thresholds: { mode: 'absolute', steps: options.steps } },
      overrides: [],
    },
    options: { reduceOptions: { calcs: ['lastNotNull'] }, colorMode: 'background', graphMode: 'area' },
    gridPos: { w: options.width ?? 8, h: 8, x: 0, y: 0 },
  };
}

/** 0 closed, 1 open, 2 half-open, as upstream_circuit_state reports it. */
function circuitTimeline(options: PanelOptions): Panel {
  const state = (text: string, color: string) => ({ text, color });
  return {
    type: 'state-timeline',
    title: options.title,
    description: options.description,
    datasource,
    targets: targets(options.queries),
    fieldConfig: {
      defaults: {
        mappings: [
          {
            type: 'value',
            options: {
              '0': state('closed', 'green'),
              '1': state('open', 'red'),
              '2': state('half-open', 'orange'),
            },
          },
        ],
        thresholds: thresholds(undefined),
      },
      overrides: [],
    },
    options: { showValue: 'auto', legend: { displayMode: 'list', placement: 'bottom' } },
    gridPos: { w: options.width ?? 8, h: 8, x: 0, y: 0 },
  };
}

function row(title: string): Panel {
  return { type: 'row', title, collapsed: false, panels: [], gridPos: { w: 24, h: 1, x: 0, y: 0 } };
}

/** Flows panels left to right, 24 columns wide, and numbers them. */
function layout(panels: Panel[]): Panel[] {
  let x = 0;
  let y = 0;
  let rowHeight = 0;
  return panels.map((panel, index) => {
    const grid = panel.gridPos as { w: number; h: number };
    if (panel.type === 'row' || x + grid.w > 24) {
      y += rowHeight;
      x = 0;
      rowHeight = 0;
    }
    const placed = { ...panel, id: index + 1, gridPos: { ...grid, x, y } };
    x += grid.w;
    rowHeight = Math.max(rowHeight, grid.h);
    if (panel.type === 'row') x = 24; // a row header takes the whole line
    return placed;
  });
}

const rate = (selector: string) => `rate(${selector}[$__rate_interval])`;
const quantileBy = (q: number, by: string, bucketSelector: string) =>
  `histogram_quantile(${q}, sum by (${by}, le) (${rate(bucketSelector)}))`;

const panels: Panel[] = [
  row('Requests, errors, latency'),
  timeseries({
    title: 'Requests per second',
    description: 'All API requests except the /healthz and /readyz probes (5-minute rate).',
    unit: 'reqps',
    queries: [
      {
        expr: `sum by (service) (namespace_service:http_requests:rate5m{${recordedScope}})`,
        legend: '{{service}}',
      },
    ],
  }),
  timeseries({
    title: 'Error ratio (5xx) vs the 99.9% SLO',
    description:
      'Share of requests answered with a 5xx. The red line is the error budget (0.1%): staying above it burns the budget faster than it accrues.',
    unit: 'percentunit',
    bound: SLO_ERROR_BUDGET,
    queries: [
      {
        expr: `namespace_service:http_request_error_ratio:rate5m{${recordedScope}}`,
        legend: '{{service}} 5m',
      },
      {
        expr: `namespace_service:http_request_error_ratio:rate1h{${recordedScope}}`,
        legend: '{{service}} 1h',
      },
    ],
  }),
  stat({
    title: 'Error-budget burn rate (1h)',
    description:
      'How many times faster than sustainable the budget is spent over the last hour: 1 spends it exactly in 30 days; 14.4 pages (with the 5m window).',
    unit: 'none',
    queries: [
      {
        expr: `namespace_service:http_request_error_ratio:rate1h{${recordedScope}} / ${SLO_ERROR_BUDGET}`,
        legend: '{{service}}',
      },
    ],
    steps: [
      { color: 'green', value: null },
      { color: 'yellow', value: 1 },
      { color: 'orange', value: 6 },
      { color: 'red', value: 14.4 },
    ],
  }),
  timeseries({
    title: 'Latency p50 / p95 / p99',
    description:
      'Request duration percentiles over 5 minutes, probes excluded. The red line is the p99 alert bound.',
    unit: 's',
    width: 12,
    bound: P99_BOUND_SECONDS,
    queries: (['p50', 'p95', 'p99'] as const).map((p) => ({
      expr: `namespace_service:http_request_duration_seconds:${p}_5m{${recordedScope}}`,
      legend: `{{service}} ${p}`,
    })),
  }),
  timeseries({
    title: 'Requests in flight',
    description:
      'Requests being served right now, per pod. A climb without more traffic means requests are stuck (database, users service).',
    unit: 'short',
    width: 12,
    queries: [{ expr: `sum by (pod) (http_requests_in_flight{${scope}})`, legend: '{{pod}}' }],
  }),
  timeseries({
    title: 'Requests by route and status',
    description: 'Per route template and status code, probes included.',
    unit: 'reqps',
    width: 12,
    queries: [
      {
        expr: `sum by (service, route, status_code) (${rate(`http_request_duration_seconds_count{${scope}}`)})`,
        legend: '{{service}} {{route}} {{status_code}}',
      },
    ],
  }),
  timeseries({
    title: 'p99 latency by route',
    description: 'Which route is slow.',
    unit: 's',
    width: 12,
    queries: [
      {
        expr: quantileBy(
          0.99,
          'service, route',
          `http_request_duration_seconds_bucket{${scope}, route!~"/healthz|/readyz"}`,
        ),
        legend: '{{service}} {{route}}',
      },
    ],
  }),

  row('Database'),
  timeseries({
    title: 'Pool connections',
    description:
      'Open (total), idle and waiting clients per service. Waiting above zero for minutes: ShiftstackDBPoolExhausted.',
    unit: 'short',
    width: 6,
    queries: [
      { expr: `sum by (service, state) (db_pool_connections{${scope}})`, legend: '{{service}} {{state}}' },
    ],
  }),
  timeseries({
    title: 'Pool utilisation',
    description: 'Share of open connections in use.',
    unit: 'percentunit',
    width: 6,
    queries: [
      { expr: `namespace_service:db_pool_utilisation:ratio{${recordedScope}}`, legend: '{{service}}' },
    ],
  }),
  timeseries({
    title: 'Query p99 duration',
    description: 'Database statement duration (DB_STATEMENT_TIMEOUT_MS caps it).',
    unit: 's',
    width: 6,
    queries: [
      {
        expr: quantileBy(0.99, 'service', `db_query_duration_seconds_bucket{${scope}}`),
        legend: '{{service}}',
      },
    ],
  }),
  timeseries({
    title: 'Query errors per second',
    description: 'Failed statements: timeouts, constraint violations, lost connections.',
    unit: 'short',
    width: 6,
    queries: [
      {
        expr: `sum by (service) (${rate(`db_query_duration_seconds_count{${scope}, outcome="error"}`)})`,
        legend: '{{service}}',
      },
    ],
  }),

  row('Calls from shifts to users'),
  timeseries({
    title: 'Upstream calls by outcome',
    description:
      'Calls shifts makes to users. client_error (4xx, e.g. unknown user) is a correct answer; the rest are failures.',
    unit: 'reqps',
    width: 6,
    queries: [
      {
        expr: `sum by (service, upstream, outcome) (${rate(`upstream_request_duration_seconds_count{${scope}}`)})`,
        legend: '{{service}}→{{upstream}} {{outcome}}',
      },
    ],
  }),
  timeseries({
    title: 'Upstream error ratio',
    description:
      'Share of calls that failed because of the upstream (server_error, timeout, network_error, circuit_open).',
    unit: 'percentunit',
    width: 6,
    queries: [
      {
        expr: `namespace_service_upstream:upstream_request_error_ratio:rate5m{${recordedScope}}`,
        legend: '{{service}}→{{upstream}}',
      },
    ],
  }),
  timeseries({
    title: 'Upstream p95 latency',
    description: 'Per attempt; USERS_TIMEOUT_MS caps it.',
    unit: 's',
    width: 6,
    queries: [
      {
        expr: quantileBy(0.95, 'service, upstream', `upstream_request_duration_seconds_bucket{${scope}}`),
        legend: '{{service}}→{{upstream}}',
      },
    ],
  }),
  circuitTimeline({
    title: 'Circuit breaker state',
    description:
      'Per pod. Open: calls to users fail fast without being tried. Not closed for 5 minutes: ShiftstackUpstreamCircuitOpen.',
    unit: 'none',
    width: 6,
    queries: [
      { expr: `max by (pod, upstream) (upstream_circuit_state{${scope}})`, legend: '{{pod}}→{{upstream}}' },
    ],
  }),

  row('Pods'),
  timeseries({
    title: 'Ready pods',
    description: 'From kube-state-metrics (no data in the compose stack).',
    unit: 'short',
    width: 6,
    queries: [
      {
        expr: `sum by (service) (kube_pod_status_ready{namespace="$namespace", condition="true"} * ${podsOfService})`,
        legend: '{{service}}',
      },
    ],
  }),
  timeseries({
    title: 'Container restarts (last hour)',
    description: 'From kube-state-metrics. Restarts are liveness failures, crashes or OOM kills.',
    unit: 'short',
    width: 6,
    queries: [
      {
        expr: `sum by (pod) (increase(kube_pod_container_status_restarts_total{namespace="$namespace"}[1h]) * ${podsOfService})`,
        legend: '{{pod}}',
      },
    ],
  }),
  timeseries({
    title: 'Resident memory',
    description: 'Per pod; compare with the container memory limit.',
    unit: 'bytes',
    width: 6,
    queries: [{ expr: `sum by (pod) (process_resident_memory_bytes{${scope}})`, legend: '{{pod}}' }],
  }),
  timeseries({
    title: 'Event-loop lag p99',
    description:
      'Node.js event-loop delay per pod: high means CPU-bound or blocked work, and every request waits.',
    unit: 's',
    width: 6,
    queries: [{ expr: `max by (pod) (nodejs_eventloop_lag_p99_seconds{${scope}})`, legend: '{{pod}}' }],
  }),
];

function queryVariable(name: string, label: string, query: string, multi: boolean) {
  return {
    name,
    label,
    type: 'query',
    datasource,
    definition: query,
    query: { query, refId: `${name}-variable` },
    refresh: 2, // on time-range change, so new namespaces and services appear
    sort: 1,
    multi,
    includeAll: multi,
  };
}

export const shiftstackOverview = {
  uid: 'shiftstack-overview',
  title: 'shiftstack overview',
  description: 'RED metrics, SLO, database, upstream calls and pods of the users and shifts services.',
  tags: ['shiftstack'],
  editable: true,
  schemaVersion: 39,
  time: { from: 'now-6h', to: 'now' },
  refresh: '30s',
  timezone: 'utc',
  templating: {
    list: [
      { name: 'datasource', label: 'Prometheus', type: 'datasource', query: 'prometheus', refresh: 1 },
      queryVariable('namespace', 'Namespace', 'label_values(up{job="shiftstack"}, namespace)', false),
      queryVariable(
        'service',
        'Service',
        'label_values(up{job="shiftstack", namespace="$namespace"}, service)',
        true,
      ),
    ],
  },
  annotations: {
    list: [
      {
        name: 'Firing alerts',
        datasource,
        enable: true,
        iconColor: 'red',
        expr: 'ALERTS{alertstate="firing", alertname=~"Shiftstack.*", namespace="$namespace"}',
        titleFormat: '{{alertname}}',
        textFormat: '{{service}}',
      },
    ],
  },
  panels: layout(panels),
};
