import { Type } from 'typebox';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config';

/** Who issues tokens: required of every service; given here so each test is about its own variables. */
const AUTH = { AUTH_ISSUER: 'https://issuer.test', AUTH_AUDIENCE: 'urn:shiftstack:api' };

function problemsOf(env: NodeJS.ProcessEnv, extra = Type.Object({})): string[] {
  try {
    loadConfig('svc', { ...AUTH, ...AUTH, ...env }, extra);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('refuses to start without knowing who issues tokens', () => {
    expect(problemsOf({ ...AUTH, AUTH_ISSUER: undefined, AUTH_AUDIENCE: undefined })).toEqual([
      'AUTH_ISSUER: is required (not set)',
      'AUTH_AUDIENCE: is required (not set)',
    ]);
    expect(problemsOf({ AUTH_ISSUER: 'issuer.test', AUTH_AUDIENCE: 'x' })[0]).toMatch(/^AUTH_ISSUER: /);
  });

  it('applies the documented defaults', () => {
    const { base } = loadConfig('svc', { ...AUTH });
    expect(base).toMatchObject({
      serviceName: 'svc',
      port: 8080,
      adminPort: 9090,
      host: '0.0.0.0',
      logLevel: 'info',
      migrateOnStart: true,
      drainSeconds: 5,
      shutdownTimeoutSeconds: 15,
      rateLimitPerMinute: 600,
      bodyLimitBytes: 65536,
      database: { kind: 'pglite', dataDir: './data/svc', statementTimeoutMs: 5000 },
      timeouts: { requestMs: 10_000, headersMs: 5000, keepAliveMs: 72_000 },
      trustedProxies: [],
    });
  });

  it('on PostgreSQL, times out a query on the client 1 s after the server would have', () => {
    const { base } = loadConfig('svc', {
      ...AUTH,
      DATABASE_URL: 'postgres://h/d',
      DB_STATEMENT_TIMEOUT_MS: '2000',
    });
    expect(base.database).toMatchObject({
      statementTimeoutMs: 2000,
      queryTimeoutMs: 3000,
      connectTimeoutMs: 3000,
    });
  });

  it('keeps the request timeout inside the shutdown deadline by default, and refuses limits in the wrong order', () => {
    expect(loadConfig('svc', { ...AUTH, SHUTDOWN_TIMEOUT_SECONDS: '5' }).base.timeouts).toMatchObject({
      requestMs: 4000,
      headersMs: 4000,
    });
    expect(
      problemsOf({
        DATABASE_URL: 'postgres://h/d',
        DB_STATEMENT_TIMEOUT_MS: '5000',
        DB_QUERY_TIMEOUT_MS: '4000',
        REQUEST_TIMEOUT_MS: '20000',
        HEADERS_TIMEOUT_MS: '30000',
      }),
    ).toEqual([
      'DB_QUERY_TIMEOUT_MS (4000) must be greater than DB_STATEMENT_TIMEOUT_MS (5000)',
      'HEADERS_TIMEOUT_MS (30000) must not exceed REQUEST_TIMEOUT_MS (20000)',
      'REQUEST_TIMEOUT_MS (20000) must not exceed SHUTDOWN_TIMEOUT_SECONDS (15 s)',
    ]);
  });

  it('reads TRUSTED_PROXIES as a list of addresses and CIDRs, and refuses anything else', () => {
    expect(
      loadConfig('svc', { ...AUTH, TRUSTED_PROXIES: '10.0.0.0/8, 127.0.0.1' }).base.trustedProxies,
    ).toEqual(['10.0.0.0/8', '127.0.0.1']);
    expect(problemsOf({ TRUSTED_PROXIES: 'gateway.example' })[0]).toMatch(/^TRUSTED_PROXIES:/);
  });

  it('converts strings to the declared types', () => {
    const { base } = loadConfig('svc', {
      ...AUTH,
      PORT: '81',
      MIGRATE_ON_START: 'false',
      SHUTDOWN_DRAIN_SECONDS: '0.5',
      LOG_LEVEL: 'warn',
    });
    expect(base).toMatchObject({ port: 81, migrateOnStart: false, drainSeconds: 0.5, logLevel: 'warn' });
  });

  it('lists ALL problems at once, whatever their number and order', () => {
    const problems = problemsOf(
      {
        LOG_LEVEL: 'loud',
        PORT: 'abc',
        ADMIN_PORT: '70000',
        LOG_FORMAT: 'xml',
        DATABASE_URL: 'mysql://u:p@h/d',
        DB_POOL_MAX: '0',
        DB_STATEMENT_TIMEOUT_MS: '1',
        MIGRATE_ON_START: 'perhaps',
        SHUTDOWN_DRAIN_SECONDS: '-1',
        SHUTDOWN_TIMEOUT_SECONDS: 'x',
        RATE_LIMIT_PER_MINUTE: '-5',
        BODY_LIMIT_BYTES: '1',
        OTEL_EXPORTER_OTLP_ENDPOINT: 'ftp://x',
      },
      Type.Object({
        USERS_URL: Type.String({ pattern: '^https?://' }),
        OTHER: Type.Optional(Type.Integer()),
      }),
    );
    const keys = problems.map((p) => p.split(':')[0]);
    expect(keys.sort()).toEqual(
      [
        'LOG_LEVEL',
        'PORT',
        'ADMIN_PORT',
        'LOG_FORMAT',
        'DATABASE_URL',
        'DB_POOL_MAX',
        'DB_STATEMENT_TIMEOUT_MS',
        'MIGRATE_ON_START',
        'SHUTDOWN_DRAIN_SECONDS',
        'SHUTDOWN_TIMEOUT_SECONDS',
        'RATE_LIMIT_PER_MINUTE',
        'BODY_LIMIT_BYTES',
        'OTEL_EXPORTER_OTLP_ENDPOINT',
        'USERS_URL',
      ].sort(),
    );
    expect(problems.find((p) => p.startsWith('USERS_URL'))).toContain('not set');
    expect(problems.find((p) => p.startsWith('PORT'))).toContain('(got "abc")');
  });

  it('the error message holds every problem, one per line', () => {
    try {
      loadConfig('svc', { ...AUTH, PORT: 'x', LOG_LEVEL: 'y' });
      expect.unreachable();
    } catch (err) {
      expect((err as Error).message).toMatch(
        /^svc: invalid configuration:\n {2}- PORT: .*\n {2}- LOG_LEVEL: /,
      );
    }
  });

  it('never echoes a password from DATABASE_URL or a *PASSWORD/SECRET/TOKEN variable', () => {
    const problems = problemsOf(
      { DATABASE_URL: 'mysql://admin:s3cr3t-pw@db:5432/x', PGHOST: '' },
      Type.Object({
        API_TOKEN: Type.Optional(Type.String({ minLength: 40 })),
        DB_PASSWORD: Type.Optional(Type.String({ minLength: 40 })),
      }),
    );
    expect(problemsOf({ DATABASE_URL: 'mysql://admin:s3cr3t-pw@db:5432/x' }).join('\n')).not.toContain(
      's3cr3t',
    );
    expect(problems.join('\n')).toContain('admin:***@db');
    const secrets = problemsOf(
      { API_TOKEN: 'tok-abc', DB_PASSWORD: 'pw-xyz' },
      Type.Object({
        API_TOKEN: Type.Optional(Type.String({ minLength: 40 })),
        DB_PASSWORD: Type.Optional(Type.String({ minLength: 40 })),
      }),
    ).join('\n');
    expect(secrets).not.toContain('tok-abc');
    expect(secrets).not.toContain('pw-xyz');
    expect(secrets).toContain('***');
  });

  it('selects PostgreSQL when DATABASE_URL or PGHOST is set, PGlite otherwise', () => {
    expect(loadConfig('svc', { ...AUTH, DATABASE_URL: 'postgres://u:p@h/d' }).base.database).toMatchObject({
      kind: 'postgres',
      url: 'postgres://u:p@h/d',
      poolMax: 10,
    });
    expect(
      loadConfig('svc', { ...AUTH, PGHOST: 'db.internal', DB_POOL_MAX: '3' }).base.database,
    ).toMatchObject({
      kind: 'postgres',
      url: undefined,
      poolMax: 3,
    });
    expect(loadConfig('svc', { ...AUTH, PGLITE_DATA_DIR: 'memory://' }).base.database).toMatchObject({
      kind: 'pglite',
      dataDir: 'memory://',
    });
    // Empty values count as unset.
    expect(loadConfig('svc', { ...AUTH, PGHOST: '', DATABASE_URL: '' }).base.database.kind).toBe('pglite');
  });

  it('ignores variables that are not its own', () => {
    expect(() => loadConfig('svc', { ...AUTH, SOMETHING_ELSE: 'whatever', PATH: '/bin' })).not.toThrow();
  });
});
