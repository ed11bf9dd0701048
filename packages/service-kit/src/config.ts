// Configuration from the environment, validated at boot against a TypeBox schema. Every missing or
// malformed variable is reported at once, so an operator fixes a deployment in one pass.
import { Type, type Static, type TObject, type TProperties, type TSchema } from 'typebox';
import { Value } from 'typebox/value';

const LogLevel = Type.Union(
  ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'].map((l) => Type.Literal(l)),
);
const Port = Type.Integer({ minimum: 0, maximum: 65535 });
const Bool = Type.Boolean();

/** Variables every service reads (see docs/runtime-contract.md). */
export const BaseConfigSchema = Type.Object({
  PORT: Type.Optional(Port),
  ADMIN_PORT: Type.Optional(Port),
  HOST: Type.Optional(Type.String({ minLength: 1 })),
  LOG_LEVEL: Type.Optional(LogLevel),
  LOG_FORMAT: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('pretty')])),
  DATABASE_URL: Type.Optional(
    Type.String({ pattern: '^postgres(ql)?://', description: 'postgres://user:pass@host/db' }),
  ),
  PGHOST: Type.Optional(Type.String({ minLength: 1 })),
  PGLITE_DATA_DIR: Type.Optional(Type.String({ minLength: 1 })),
  DB_POOL_MAX: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
  DB_STATEMENT_TIMEOUT_MS: Type.Optional(Type.Integer({ minimum: 100, maximum: 600_000 })),
  MIGRATE_ON_START: Type.Optional(Bool),
  SHUTDOWN_DRAIN_SECONDS: Type.Optional(Type.Number({ minimum: 0, maximum: 300 })),
  SHUTDOWN_TIMEOUT_SECONDS: Type.Optional(Type.Number({ minimum: 0, maximum: 600 })),
  RATE_LIMIT_PER_MINUTE: Type.Optional(Type.Integer({ minimum: 0 })),
  TRUST_PROXY_HOPS: Type.Optional(Type.Integer({ minimum: 0, maximum: 10 })),
  BODY_LIMIT_BYTES: Type.Optional(Type.Integer({ minimum: 1024, maximum: 10 * 1024 * 1024 })),
  OTEL_EXPORTER_OTLP_ENDPOINT: Type.Optional(Type.String({ pattern: '^https?://' })),
  OTEL_SERVICE_NAME: Type.Optional(Type.String({ minLength: 1 })),
});

export interface BaseConfig {
  serviceName: string;
  port: number;
  adminPort: number;
  host: string;
  logLevel: string;
  logFormat: 'json' | 'pretty';
  database:
    | { kind: 'postgres'; url?: string; poolMax: number; statementTimeoutMs: number }
    | { kind: 'pglite'; dataDir: string; statementTimeoutMs: number };
  migrateOnStart: boolean;
  drainSeconds: number;
  shutdownTimeoutSeconds: number;
  rateLimitPerMinute: number;
  bodyLimitBytes: number;
  /** Proxies in front of us whose X-Forwarded-For we believe (the Gateway: 1). 0 = use the socket address. */
  trustProxyHops: number;
  otlpEndpoint?: string;
}

export class ConfigError extends Error {
  constructor(
    readonly serviceName: string,
    readonly problems: string[],
  ) {
    super(`${serviceName}: invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Validates `env` against the base schema plus the service's own variables. Returns the typed raw values
 * and the base config; throws ConfigError listing every problem.
 */
export function loadConfig<P extends TProperties>(
  serviceName: string,
  env: NodeJS.ProcessEnv,
  extra: TObject<P> = Type.Object({}) as unknown as TObject<P>,
): { base: BaseConfig; env: Static<TObject<P>> & Static<typeof BaseConfigSchema> } {
  const schema = Type.Object({ ...BaseConfigSchema.properties, ...extra.properties });
  // Only our own variables are converted and checked; the rest of the environment is ignored.
  const raw: Record<string, unknown> = {};
  for (const key of Object.keys(schema.properties)) {
    const value = env[key];
    if (value !== undefined && value !== '') raw[key] = value;
  }
  const converted = Value.Convert(schema, raw) as Record<string, unknown>;
  // One variable at a time: validating the whole object stops at TypeBox's error budget (8 by default),
  // and one bad LOG_LEVEL (a union of 7 literals) alone spends it, hiding every later problem.
  const required = new Set<string>((schema.required as string[] | undefined) ?? []);
  const problems: string[] = [];
  for (const [key, property] of Object.entries<TSchema>(schema.properties)) {
    if (!(key in converted)) {
      if (required.has(key)) problems.push(`${key}: is required (not set)`);
      continue;
    }
    const errors = [...Value.Errors(property, converted[key])];
    if (errors.length === 0) continue;
    const choices =
      'anyOf' in property && Array.isArray(property.anyOf)
        ? (property.anyOf as Array<{ const?: unknown }>).map((s) => s.const)
        : [];
    const message =
      choices.length > 0 && choices.every((c) => typeof c === 'string')
        ? `must be one of ${choices.join(', ')}`
        : (errors[0]?.message ?? 'is invalid');
    problems.push(`${key}: ${message} (got ${JSON.stringify(redact(key, raw[key]))})`);
  }
  if (problems.length > 0) throw new ConfigError(serviceName, problems);
  const v = converted as Static<typeof BaseConfigSchema> & Static<TObject<P>>;
  const statementTimeoutMs = v.DB_STATEMENT_TIMEOUT_MS ?? 5000;
  const database: BaseConfig['database'] =
    v.DATABASE_URL || v.PGHOST
      ? { kind: 'postgres', url: v.DATABASE_URL, poolMax: v.DB_POOL_MAX ?? 10, statementTimeoutMs }
      : { kind: 'pglite', dataDir: v.PGLITE_DATA_DIR ?? `./data/${serviceName}`, statementTimeoutMs };
  return {
    env: v,
    base: {
      serviceName: v.OTEL_SERVICE_NAME ?? serviceName,
      port: v.PORT ?? 8080,
      adminPort: v.ADMIN_PORT ?? 9090,
      host: v.HOST ?? '0.0.0.0',
      logLevel: v.LOG_LEVEL ?? 'info',
      logFormat: v.LOG_FORMAT ?? (process.stdout.isTTY ? 'pretty' : 'json'),
      database,
      migrateOnStart: v.MIGRATE_ON_START ?? true,
      drainSeconds: v.SHUTDOWN_DRAIN_SECONDS ?? 5,
      shutdownTimeoutSeconds: v.SHUTDOWN_TIMEOUT_SECONDS ?? 15,
      rateLimitPerMinute: v.RATE_LIMIT_PER_MINUTE ?? 600,
      bodyLimitBytes: v.BODY_LIMIT_BYTES ?? 65536,
      trustProxyHops: v.TRUST_PROXY_HOPS ?? 0,
      otlpEndpoint: v.OTEL_EXPORTER_OTLP_ENDPOINT,
    },
  };
}

function redact(key: string, value: unknown): unknown {
  if (typeof value !== 'string') return value;
  if (/PASSWORD|SECRET|TOKEN/.test(key)) return '***';
  return value.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
}
