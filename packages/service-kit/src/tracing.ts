// OpenTelemetry tracing, on when OTEL_EXPORTER_OTLP_ENDPOINT is set. Import and start this before the
// app (main.ts imports the app dynamically after it), so http, undici (fetch) and pg get instrumented.
// Trace context propagates to the users service through fetch's traceparent header.
//
// Spans leave in batches (the SDK's batch processor). Unless OTEL_TRACES_SAMPLER says otherwise, one trace
// in ten is recorded (DEFAULT_SAMPLE_RATIO, or OTEL_TRACES_SAMPLER_ARG), and a request that arrives inside
// a sampled trace is always recorded, so a trace is never cut in half between services. Recording every
// request cost a fifth of the throughput of a week of shifts.
export const DEFAULT_SAMPLE_RATIO = 0.1;

export async function startTracing(serviceName: string, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  if (!env.OTEL_EXPORTER_OTLP_ENDPOINT) return;
  const [
    { NodeSDK, tracing },
    { OTLPTraceExporter },
    { HttpInstrumentation },
    { UndiciInstrumentation },
    { PgInstrumentation },
  ] = await Promise.all([
    import('@opentelemetry/sdk-node'),
    import('@opentelemetry/exporter-trace-otlp-http'),
    import('@opentelemetry/instrumentation-http'),
    import('@opentelemetry/instrumentation-undici'),
    import('@opentelemetry/instrumentation-pg'),
  ]);
  // Traces only: metrics are Prometheus' (metrics.ts), logs go to stdout. Left to their defaults, the SDK
  // would also record OpenTelemetry metrics for every request and try to export them and the logs.
  process.env.OTEL_METRICS_EXPORTER ??= 'none';
  process.env.OTEL_LOGS_EXPORTER ??= 'none';
  const sdk = new NodeSDK({
    serviceName: env.OTEL_SERVICE_NAME ?? serviceName,
    traceExporter: new OTLPTraceExporter(), // reads OTEL_EXPORTER_OTLP_ENDPOINT
    ...(env.OTEL_TRACES_SAMPLER
      ? {} // the SDK reads OTEL_TRACES_SAMPLER and OTEL_TRACES_SAMPLER_ARG itself
      : {
          sampler: new tracing.ParentBasedSampler({
            root: new tracing.TraceIdRatioBasedSampler(
              Number(env.OTEL_TRACES_SAMPLER_ARG ?? DEFAULT_SAMPLE_RATIO),
            ),
          }),
        }),
    instrumentations: [
      // Probes and scrapes are noise in traces.
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (req) => /^\/(healthz|readyz|metrics)/.test(req.url ?? ''),
      }),
      new UndiciInstrumentation(),
      new PgInstrumentation(),
    ],
  });
  sdk.start();
  process.once('beforeExit', () => void sdk.shutdown());
}
