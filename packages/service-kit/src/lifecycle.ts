// Runs a service: validated config, database (retried until reachable), migrations under an advisory
// lock, the API port, the admin (metrics) port, and graceful shutdown:
//   SIGTERM -> /readyz answers 503 at once -> keep serving for SHUTDOWN_DRAIN_SECONDS (endpoints propagate)
//   -> stop accepting, finish in-flight requests (at most SHUTDOWN_TIMEOUT_SECONDS) -> close pool -> exit 0.
// A second signal exits at once.
import { createServer as createHttpServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { Type, type Static, type TObject } from 'typebox';
import { ConfigError, loadConfig, type BaseConfig, type BaseConfigSchema } from './config';
import {
  MigrationTimeoutError,
  openDatabase,
  type Database,
  type Extension,
  type ServiceMigration,
} from './db/database';
import { isDatabaseUnavailable } from './errors';
import { Readiness } from './http/readiness';
import type { ServiceInstance } from './http/server';
import { createLogger } from './logger';
import { createMetrics, type Metrics } from './metrics';

export interface ServiceContext<Env, DB> {
  config: BaseConfig;
  env: Env;
  database: Database<DB>;
  metrics: Metrics;
  readiness: Readiness;
  logger: Logger;
}

export interface ServiceSpec<E extends TObject, DB> {
  name: string;
  version: string;
  /** The service's own environment variables, validated with the base ones. */
  env?: E;
  migrations: Record<string, ServiceMigration>;
  extensions?: Extension[];
  /** Runs once migrations are applied, before the service reports ready (e.g. the first admin). */
  afterMigrations?(ctx: ServiceContext<Static<E> & Static<typeof BaseConfigSchema>, DB>): Promise<void>;
  /** Builds the app (createServer + the service's routes). */
  build(ctx: ServiceContext<Static<E> & Static<typeof BaseConfigSchema>, DB>): Promise<ServiceInstance>;
}

export interface RunningService {
  app: ServiceInstance;
  /** Where the API and admin ports really listen (useful with port 0). */
  url: string;
  adminUrl: string;
  readiness: Readiness;
  /** Resolves once migrations are applied and the service is ready. */
  ready: Promise<void>;
  /** Drain and stop; resolves with the exit code the process should use. */
  stop(reason?: string): Promise<number>;
}

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  /** Install SIGTERM/SIGINT handlers that stop and exit the process (main.ts does; tests don't). */
  handleSignals?: boolean;
  logger?: Logger;
}

type Context<E extends TObject, DB> = ServiceContext<Static<E> & Static<typeof BaseConfigSchema>, DB>;

export async function runService<E extends TObject, DB>(
  spec: ServiceSpec<E, DB>,
  opts: RunOptions = {},
): Promise<RunningService> {
  const context = await openContext(spec, opts);
  const { config, logger, readiness, database, metrics } = context;
  const app = await spec.build(context);
  readiness.migrating = true;
  await app.listen({ port: config.port, host: config.host });
  const admin = await startAdminServer(config, metrics, database);
  const url = `http://${hostFor(config.host)}:${(app.server.address() as AddressInfo).port}`;
  const adminUrl = `http://${hostFor(config.adminHost)}:${(admin.address() as AddressInfo).port}`;
  logger.info({ url, adminUrl, database: database.kind }, `${spec.name} listening`);

  const stop = stopper(context, app, admin);
  const migrating = (
    config.migrateOnStart ? migrateWithRetry(database, spec.migrations, logger) : Promise.resolve()
  ).then(() => spec.afterMigrations?.(context));
  const migrated = migrating.then(
    () => {
      readiness.migrated = true;
      readiness.migrating = false;
      logger.info('ready');
    },
    async (err: unknown) => {
      logger.fatal({ err }, 'migrations failed; exiting');
      await stop('migration failure', { drain: false }); // never served: nothing to drain
      if (opts.handleSignals) process.exit(1);
      throw err;
    },
  );
  if (opts.handleSignals) exitOnSignals(stop, logger);
  // In-process callers (tests) may want to wait for readiness; surface failures there.
  else migrated.catch(() => {});
  return { app, url, adminUrl, readiness, stop, ready: migrated };
}

/** Config (a bad one exits with its message when run as a process), logger, metrics, readiness, database. */
async function openContext<E extends TObject, DB>(
  spec: ServiceSpec<E, DB>,
  opts: RunOptions,
): Promise<Context<E, DB>> {
  let loaded: ReturnType<typeof specConfig<E, DB>>;
  try {
    loaded = specConfig(spec, opts.env ?? process.env);
  } catch (err) {
    if (err instanceof ConfigError && opts.handleSignals) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  const { config, env } = loaded;
  const logger = opts.logger ?? createLogger(config);
  const metrics = createMetrics(config.serviceName);
  const database = await openDatabase<DB>({
    config: config.database,
    serviceName: config.serviceName,
    logger,
    metrics,
    extensions: spec.extensions,
  });
  return { config, env, database, metrics, readiness: readinessOn(database), logger };
}

/** The base settings and the service's own, validated together (throws ConfigError with every problem). */
export function specConfig<E extends TObject, DB>(spec: ServiceSpec<E, DB>, source: NodeJS.ProcessEnv) {
  const loaded = loadConfig(spec.name, source, (spec.env ?? Type.Object({})) as TObject<E['properties']>);
  return { config: loaded.base, env: loaded.env as Static<E> & Static<typeof BaseConfigSchema> };
}

/** Readiness that fails while the database does not answer. */
export function readinessOn<DB>(database: Database<DB>): Readiness {
  const readiness = new Readiness();
  readiness.add({ name: 'database', check: () => database.ping(1500) });
  return readiness;
}

interface Stop {
  (reason?: string, opts?: { drain?: boolean }): Promise<number>;
  /** Whether a stop has begun (for whatever reason). */
  begun(): boolean;
}

/** The graceful stop (once, whoever asks first): fail readiness, drain, close, within the deadline. */
function stopper<DB>(
  { config, logger, readiness, database }: ServiceContext<unknown, DB>,
  app: ServiceInstance,
  admin: Server,
): Stop {
  let stopping: Promise<number> | undefined;
  const stop = (reason = 'stop', { drain = true } = {}) => {
    stopping ??= (async () => {
      readiness.draining = true;
      logger.info({ reason, drainSeconds: config.drainSeconds }, 'draining: readiness is now failing');
      if (drain) await sleep(config.drainSeconds * 1000);
      let code = 0;
      const forced = setTimeout(() => {
        logger.error(
          { timeoutSeconds: config.shutdownTimeoutSeconds },
          'in-flight requests did not finish in time; closing them',
        );
        app.server.closeAllConnections();
        code = 1;
      }, config.shutdownTimeoutSeconds * 1000);
      try {
        await app.close(); // stops accepting, waits for in-flight requests
        await new Promise<void>((resolve) => admin.close(() => resolve()));
        await database.close();
      } catch (err) {
        logger.error({ err }, 'error while stopping');
        code = 1;
      } finally {
        clearTimeout(forced);
      }
      logger.info({ code }, 'stopped');
      return code;
    })();
    return stopping;
  };
  return Object.assign(stop, { begun: () => stopping !== undefined });
}

/** SIGTERM or SIGINT stops gracefully and exits with its code; a signal once stopping exits at once. */
function exitOnSignals(stop: Stop, logger: Logger): void {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      if (stop.begun()) {
        logger.warn({ signal }, 'second signal: exiting now');
        process.exit(1);
      }
      void stop(signal).then((code) => {
        logger.flush?.();
        process.exit(code);
      });
    });
  }
}

async function migrateWithRetry<DB>(
  database: Database<DB>,
  migrations: Record<string, ServiceMigration>,
  logger: Logger,
) {
  for (let attempt = 1; ; attempt++) {
    try {
      await database.migrate(migrations);
      return;
    } catch (err) {
      const cause = (err as Error).cause ?? err;
      // A cancelled migration would only be cancelled again: fail, so the pod restarts with the reason.
      if (err instanceof MigrationTimeoutError) throw err;
      if (!isDatabaseUnavailable(err) && !isDatabaseUnavailable(cause)) throw err;
      const delay = Math.min(10_000, 250 * 2 ** attempt);
      logger.warn({ err: cause, attempt, retryInMs: delay }, 'database unavailable; will retry migrations');
      await sleep(delay);
    }
  }
}

async function startAdminServer<DB>(
  config: BaseConfig,
  metrics: Metrics,
  database: Database<DB>,
): Promise<Server> {
  const server = createHttpServer((req, res) => {
    if (req.method === 'GET' && req.url?.split('?')[0] === '/metrics') {
      const pool = database.poolStats();
      metrics.dbPool.set({ state: 'total' }, pool.total);
      metrics.dbPool.set({ state: 'idle' }, pool.idle);
      metrics.dbPool.set({ state: 'waiting' }, pool.waiting);
      metrics.dbPool.set({ state: 'max' }, pool.max);
      metrics.registry.metrics().then(
        (body) => res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(body),
        () => res.writeHead(500).end(),
      );
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end('metrics are at /metrics\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.adminPort, config.adminHost, resolve);
  });
  return server;
}

function hostFor(host: string): string {
  return host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
}
