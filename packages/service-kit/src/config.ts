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
/** Ten minutes: an index build on a large table, not a request. */
export const DEFAULT_MIGRATION_TIMEOUT_MS = 600_000;

export const BaseConfigSchema = Type.Object({
  PORT: Type.Optional(Port),
  ADMIN_PORT: Type.Optional(Port),
  HOST: Type.Optional(Type.String({ minLength: 1 })),
  ADMIN_HOST: Type.Optional(Type.String({ minLength: 1 })),
  LOG_LEVEL: Type.Optional(LogLevel),
  LOG_FORMAT: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('pretty')])),
  DATABASE_URL: Type.Optional(
    Type.String({ pattern: '^postgres(ql)?://', description: 'postgres://user:pass@host/db' }),
  ),
  PGHOST: Type.Optional(Type.String({ minLength: 1 })),
  PGLITE_DATA_DIR: Type.Optional(Type.String({ minLength: 1 })),
  DB_POOL_MAX: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
  DB_STATEMENT_TIMEOUT_MS: Type.Optional(Type.Integer({ minimum: 100, maximum: 600_000 })),
  DB_QUERY_TIMEOUT_MS: Type.Optional(Type.Integer({ minimum: 100, maximum: 600_000 })),
  DB_MIGRATION_TIMEOUT_MS: Type.Optional(Type.Integer({ minimum: 1000, maximum: 3_600_000 })),
  DB_CONNECT_TIMEOUT_MS: Type.Optional(Type.Integer({ minimum: 100, maximum: 60_000 })),
  REQUEST_TIMEOUT_MS: Type.Optional(Type.Integer({ minimum: 1000, maximum: 600_000 })),
  HEADERS_TIMEOUT_MS: Type.Optional(Type.Integer({ minimum: 500, maximum: 600_000 })),
  KEEP_ALIVE_TIMEOUT_MS: Type.Optional(Type.Integer({ minimum: 1000, maximum: 600_000 })),
  MIGRATE_ON_START: Type.Optional(Bool),
  SHUTDOWN_DRAIN_SECONDS: Type.Optional(Type.Number({ minimum: 0, maximum: 300 })),
  SHUTDOWN_TIMEOUT_SECONDS: Type.Optional(Type.Number({ minimum: 0, maximum: 600 })),
  RATE_LIMIT_PER_MINUTE: Type.Optional(Type.Integer({ minimum: 0 })),
  TRUSTED_PROXIES: Type.Optional(
    Type.String({
      pattern: '^[0-9A-Fa-f.:/]+(,\\s*[0-9A-Fa-f.:/]+)*$',
      description: 'comma-separated addresses or CIDRs, e.g. 10.0.0.0/8',
    }),
  ),
  BODY_LIMIT_BYTES: Type.Optional(Type.Integer({ minimum: 1024, maximum: 10 * 1024 * 1024 })),
  OTEL_EXPORTER_OTLP_ENDPOINT: Type.Optional(Type.String({ pattern: '^https?://' })),
  OTEL_SERVICE_NAME: Type.Optional(Type.String({ minLength: 1 })),
  AUTH_ISSUER: Type.String({
    pattern: '^https?://',
    description: "the OpenID Connect issuer's URL, exactly as its tokens carry it in iss",
  }),
  AUTH_AUDIENCE: Type.String({ minLength: 1, description: "people's access tokens must name it in aud" }),
  AUTH_JWKS_URI: Type.Optional(Type.String({ pattern: '^https?://' })),
  AUTH_TOKEN_ENDPOINT: Type.Optional(Type.String({ pattern: '^https?://' })),
  AUTH_SERVICE_AUDIENCE: Type.Optional(
    Type.String({ minLength: 1, description: "other services' client-credentials tokens name it in aud" }),
  ),
  AUTH_TRUSTED_CLIENTS: Type.Optional(
    Type.String({
      pattern: '^[A-Za-z0-9._:-]+(,[A-Za-z0-9._:-]+)*$',
      description: 'comma-separated client ids',
    }),
  ),
  AUTH_CLIENT_ID: Type.Optional(Type.String({ minLength: 1 })),
  AUTH_CLIENT_SECRET: Type.Optional(Type.String({ minLength: 16 })),
  RATE_LIMIT_PER_PRINCIPAL_PER_MINUTE: Type.Optional(Type.Integer({ minimum: 0 })),
});

/** A service that calls another does so as its own client at the issuer: both variables are required. */
export const ServiceClientEnv = {
  AUTH_CLIENT_ID: Type.String({ minLength: 1, description: "this service's own client id at the issuer" }),
  AUTH_CLIENT_SECRET: Type.String({ minLength: 16, description: "this service's own client secret" }),
};

export interface BaseConfig {
  serviceName: string;
  port: number;
  adminPort: number;
  host: string;
  /** Where the metrics port binds; defaults to HOST. */
  adminHost: string;
  logLevel: string;
  logFormat: 'json' | 'pretty';
  database:
    | {
        kind: 'postgres';
        url?: string;
        poolMax: number;
        statementTimeoutMs: number;
        /** Client side: a query with no answer at all (a frozen server) fails after this. */
        queryTimeoutMs: number;
        connectTimeoutMs: number;
        /** Each migration statement's own limit: far above a request's. */
        migrationTimeoutMs: number;
      }
    | { kind: 'pglite'; dataDir: string; statementTimeoutMs: number };
  /** The socket-level bounds every connection lives within (docs/runtime-contract.md, "Time limits"). */
  timeouts: { requestMs: number; headersMs: number; keepAliveMs: number };
  migrateOnStart: boolean;
  drainSeconds: number;
  shutdownTimeoutSeconds: number;
  rateLimitPerMinute: number;
  bodyLimitBytes: number;
  /**
   * Addresses or CIDRs of the proxies whose X-Forwarded-For we believe (the Gateway's). Empty: the socket
   * address is the client. A request from any other address is taken at its socket address, whatever
   * X-Forwarded-For it sends, so a caller that reaches the pod directly cannot pose as someone else.
   */
  trustedProxies: string[];
  auth: AuthConfig;
}

/** How callers prove who they are (docs/security.md). */
export interface AuthConfig {
  issuer: string;
  /** The audience of people's access tokens. */
  audience: string;
  jwksUri?: string;
  /** Where this service asks for its own tokens, when not at the issuer's public address. */
  tokenEndpoint?: string;
  /** The audience of other services' client-credentials tokens; unset: no service may call this one. */
  serviceAudience?: string;
  /** The client ids whose service tokens are accepted. */
  trustedClients: string[];
  /** This service's own client, for calling another service. */
  client?: { id: string; secret: string };
  /** Requests a minute per signed-in person or service (0: no limit). */
  rateLimitPerPrincipalPerMinute: number;
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
  const { converted, problems } = validated(
    env,
    Type.Object({ ...BaseConfigSchema.properties, ...extra.properties }),
  );
  if (problems.length > 0) throw new ConfigError(serviceName, problems);
  const v = converted as Static<typeof BaseConfigSchema> & Static<TObject<P>>;
  const { database, timeouts, shutdownTimeoutSeconds, conflicts } = limitsOf(v, serviceName);
  if (conflicts.length > 0) throw new ConfigError(serviceName, conflicts);
  const host = v.HOST ?? '0.0.0.0';
  return {
    env: v,
    base: {
      serviceName: v.OTEL_SERVICE_NAME ?? serviceName,
      port: v.PORT ?? 8080,
      adminPort: v.ADMIN_PORT ?? 9090,
      host,
      adminHost: v.ADMIN_HOST ?? host,
      logLevel: v.LOG_LEVEL ?? 'info',
      logFormat: v.LOG_FORMAT ?? (process.stdout.isTTY ? 'pretty' : 'json'),
      database,
      migrateOnStart: v.MIGRATE_ON_START ?? true,
      drainSeconds: v.SHUTDOWN_DRAIN_SECONDS ?? 5,
      shutdownTimeoutSeconds,
      timeouts,
      rateLimitPerMinute: v.RATE_LIMIT_PER_MINUTE ?? 600,
      bodyLimitBytes: v.BODY_LIMIT_BYTES ?? 65536,
      trustedProxies: (v.TRUSTED_PROXIES ?? '')
        .split(',')
        .map((a) => a.trim())
        .filter(Boolean),
      auth: authConfig(v),
    },
  };
}

/**
 * Our own variables from `env`, converted to their types and checked one at a time (validating the whole
 * object stops at TypeBox's error budget, 8 by default, and one bad LOG_LEVEL, a union of 7 literals,
 * alone spends it, hiding every later problem). The rest of the environment is ignored.
 */
function validated(env: NodeJS.ProcessEnv, schema: TObject) {
  const raw: Record<string, unknown> = {};
  for (const key of Object.keys(schema.properties)) {
    const value = env[key];
    if (value !== undefined && value !== '') raw[key] = value;
  }
  const converted = Value.Convert(schema, raw) as Record<string, unknown>;
  const required = new Set<string>((schema.required as string[] | undefined) ?? []);
  const problems: string[] = [];
  for (const [key, property] of Object.entries<TSchema>(schema.properties)) {
    if (!(key in converted)) {
      if (required.has(key)) problems.push(`${key}: is required (not set)`);
      continue;
    }
    const errors = [...Value.Errors(property, converted[key])];
    if (errors.length > 0)
      problems.push(
        `${key}: ${problemOf(property, errors[0]?.message)} (got ${JSON.stringify(redact(key, raw[key]))})`,
      );
  }
  return { converted, problems };
}

/** A choice among words says which words; anything else says what TypeBox says. */
function problemOf(property: TSchema, message: string | undefined): string {
  const choices =
    'anyOf' in property && Array.isArray(property.anyOf)
      ? (property.anyOf as Array<{ const?: unknown }>).map((s) => s.const)
      : [];
  return choices.length > 0 && choices.every((c) => typeof c === 'string')
    ? `must be one of ${choices.join(', ')}`
    : (message ?? 'is invalid');
}

/** The database and the time limits, with their defaults, and how the limits conflict (if they do). */
function limitsOf(v: Static<typeof BaseConfigSchema>, serviceName: string) {
  const statementTimeoutMs = v.DB_STATEMENT_TIMEOUT_MS ?? 5000;
  const queryTimeoutMs = v.DB_QUERY_TIMEOUT_MS ?? statementTimeoutMs + 1000;
  const database: BaseConfig['database'] =
    v.DATABASE_URL || v.PGHOST
      ? {
          kind: 'postgres',
          url: v.DATABASE_URL,
          poolMax: v.DB_POOL_MAX ?? 10,
          statementTimeoutMs,
          queryTimeoutMs,
          connectTimeoutMs: v.DB_CONNECT_TIMEOUT_MS ?? 3000,
          migrationTimeoutMs: v.DB_MIGRATION_TIMEOUT_MS ?? DEFAULT_MIGRATION_TIMEOUT_MS,
        }
      : { kind: 'pglite', dataDir: v.PGLITE_DATA_DIR ?? `./data/${serviceName}`, statementTimeoutMs };
  const shutdownTimeoutSeconds = v.SHUTDOWN_TIMEOUT_SECONDS ?? 15;
  // Defaults: 10 s for a whole request, but never past the shutdown deadline (see timeoutConflicts).
  const requestMs =
    v.REQUEST_TIMEOUT_MS ?? Math.min(10_000, Math.max(1000, shutdownTimeoutSeconds * 1000 - 1000));
  const timeouts = {
    requestMs,
    headersMs: v.HEADERS_TIMEOUT_MS ?? Math.min(5000, requestMs),
    keepAliveMs: v.KEEP_ALIVE_TIMEOUT_MS ?? 72_000,
  };
  const conflicts = timeoutConflicts({
    statementTimeoutMs,
    queryTimeoutMs,
    shutdownTimeoutSeconds,
    ...timeouts,
  });
  return { database, timeouts, shutdownTimeoutSeconds, conflicts };
}

function authConfig(v: Static<typeof BaseConfigSchema>): AuthConfig {
  return {
    issuer: v.AUTH_ISSUER,
    audience: v.AUTH_AUDIENCE,
    jwksUri: v.AUTH_JWKS_URI,
    tokenEndpoint: v.AUTH_TOKEN_ENDPOINT,
    serviceAudience: v.AUTH_SERVICE_AUDIENCE,
    trustedClients: (v.AUTH_TRUSTED_CLIENTS ?? '').split(',').filter(Boolean),
    client:
      v.AUTH_CLIENT_ID && v.AUTH_CLIENT_SECRET
        ? { id: v.AUTH_CLIENT_ID, secret: v.AUTH_CLIENT_SECRET }
        : undefined,
    rateLimitPerPrincipalPerMinute: v.RATE_LIMIT_PER_PRINCIPAL_PER_MINUTE ?? 300,
  };
}

/**
 * The time limits only protect anything in the right order: the server gives up on a statement before
 * the client does, and a client that trickles its request is cut off before the shutdown deadline (or one
 * stalled upload would turn every rolling update into a forced exit).
 */
function timeoutConflicts(t: {
  statementTimeoutMs: number;
  queryTimeoutMs: number;
  shutdownTimeoutSeconds: number;
  requestMs: number;
  headersMs: number;
}): string[] {
  const problems: string[] = [];
  if (t.queryTimeoutMs <= t.statementTimeoutMs)
    problems.push(
      `DB_QUERY_TIMEOUT_MS (${t.queryTimeoutMs}) must be greater than DB_STATEMENT_TIMEOUT_MS (${t.statementTimeoutMs})`,
    );
  if (t.headersMs > t.requestMs)
    problems.push(`HEADERS_TIMEOUT_MS (${t.headersMs}) must not exceed REQUEST_TIMEOUT_MS (${t.requestMs})`);
  if (t.shutdownTimeoutSeconds > 0 && t.requestMs > t.shutdownTimeoutSeconds * 1000)
    problems.push(
      `REQUEST_TIMEOUT_MS (${t.requestMs}) must not exceed SHUTDOWN_TIMEOUT_SECONDS (${t.shutdownTimeoutSeconds} s)`,
    );
  return problems;
}

function redact(key: string, value: unknown): unknown {
  if (typeof value !== 'string') return value;
  if (/PASSWORD|SECRET|TOKEN/.test(key)) return '***';
  return value.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
}
