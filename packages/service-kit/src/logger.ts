// pino logger options: JSON lines in production (with request and trace ids), readable on a terminal.
import { trace } from '@opentelemetry/api';
import { pino, stdTimeFunctions, type Logger, type LoggerOptions } from 'pino';
import type { BaseConfig } from './config';

export function loggerOptions(
  config: Pick<BaseConfig, 'serviceName' | 'logLevel' | 'logFormat'>,
): LoggerOptions {
  return {
    level: config.logLevel,
    base: { service: config.serviceName },
    timestamp: stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    // Correlate log lines with traces when tracing is on (no-op otherwise).
    mixin() {
      const span = trace.getActiveSpan();
      if (!span) return {};
      const { traceId, spanId } = span.spanContext();
      return { trace_id: traceId, span_id: spanId };
    },
    redact: {
      paths: ['req.headers.authorization', 'req.headers.cookie', '*.password', '*.PGPASSWORD'],
      censor: '***',
    },
    ...(config.logFormat === 'pretty'
      ? {
          transport: {
            target: 'pino-pretty',
            options: { translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' },
          },
        }
      : {}),
  };
}

/**
 * Lines are written asynchronously: a synchronous write to a pipe the container runtime has not drained
 * yet spins until it can (a third of a service's CPU under load at info, in the benchmark). What is still
 * buffered is written out synchronously when the process exits, fatal errors included.
 */
export function createLogger(config: Pick<BaseConfig, 'serviceName' | 'logLevel' | 'logFormat'>): Logger {
  const options = loggerOptions(config);
  if (options.transport) return pino(options);
  return pino(options, pino.destination({ dest: 1, sync: false }));
}
