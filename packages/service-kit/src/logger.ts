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

export function createLogger(config: Pick<BaseConfig, 'serviceName' | 'logLevel' | 'logFormat'>): Logger {
  return pino(loggerOptions(config));
}
