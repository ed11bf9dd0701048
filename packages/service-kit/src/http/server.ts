// Builds the Fastify instance every service runs in, from the chassis' small parts: strict JSON input,
// request ids and route-template metrics (observe.ts), problem+json errors (problems.ts), rate limits
// (rate-limits.ts), OpenAPI + docs (docs.ts), /healthz and /readyz (probes.ts), and authentication, each
// tested alone beside it. The service registers its routes into it.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Problem } from '@shiftstack/contract';
import Fastify, {
  LogController,
  type FastifyInstance,
  type FastifyRequest,
  type FastifyHttpOptions,
} from 'fastify';
import type { Logger } from 'pino';
import type { BaseConfig } from '../config';
import { ProblemError } from '../errors';
import { loggerOptions } from '../logger';
import type { Metrics } from '../metrics';
import { openApiDocs, requirePermissions } from './docs';
import { clientErrorHandler, frameworkProblem } from './framework-errors';
import { compileValidator, strictJsonBodies } from './input';
import { observeRequests } from './observe';
import { probes } from './probes';
import { problemAnswers, sendProblem } from './problems';
import { addressRateLimit, principalRateLimit } from './rate-limits';
import { keepRequestTimeoutWhileClosing } from './request-timeout';
import { serializerCompiler } from './serialization';
import type { Readiness } from './readiness';

export { MAX_LISTED_ERRORS } from './problems';

export type ServiceInstance = FastifyInstance<
  Server,
  IncomingMessage,
  ServerResponse,
  Logger,
  TypeBoxTypeProvider
>;

export interface ServerOptions {
  config: BaseConfig;
  metrics: Metrics;
  readiness: Readiness;
  openapi: { title: string; version: string; description: string };
  /** Pass a logger (e.g. a silent one in tests); default builds one from config. */
  logger?: Logger;
  /**
   * Who is calling: runs before every /api handler (the services pass their bearer authentication). Throw
   * a ProblemError (401/403) to refuse. Without it (the chassis' own tests) every request goes through.
   */
  authenticate?: (request: FastifyRequest) => Promise<void>;
}

/** Documents the error responses of a route in OpenAPI (and serialises them). */
export const problemResponses = {
  '4xx': { ...Problem, description: 'The request was refused (RFC 9457 problem details)' },
  '5xx': { ...Problem, description: 'The service could not complete the request (RFC 9457 problem details)' },
};

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export async function createServer(opts: ServerOptions): Promise<ServiceInstance> {
  const { config, metrics, readiness } = opts;
  const app = Fastify(
    fastifyOptions(opts),
  ).withTypeProvider<TypeBoxTypeProvider>() as unknown as ServiceInstance;
  strictInput(app, config);
  if (opts.authenticate) requirePermissions(app);
  observeRequests(app, metrics, readiness);
  problemAnswers(app);
  await addressRateLimit(app, config, metrics);
  await openApiDocs(app, opts.openapi);
  probes(app, readiness);
  if (opts.authenticate) authentication(app, opts.authenticate, opts);
  return app;
}

/** Whether the route that matched says who may call it (every /api route does, or it is not registered). */
export function needsCaller(request: FastifyRequest): boolean {
  const schema = request.routeOptions.schema as Record<string, unknown> | undefined;
  return typeof schema?.['x-permission'] === 'string';
}

function fastifyOptions(opts: ServerOptions) {
  const { config } = opts;
  return {
    ...(opts.logger ? { loggerInstance: opts.logger } : { logger: loggerOptions(config) }),
    // Take the caller's X-Request-Id when it is sane, so one id follows a request across services.
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    // One line per request, written when it is answered (observeRequests), instead of Fastify's two.
    logController: new LogController({ requestIdLogLabel: 'request_id', disableRequestLogging: true }),
    bodyLimit: config.bodyLimitBytes,
    // Behind the Gateway, request.ip (and so the per-client rate limit) must be the client, not the proxy;
    // X-Forwarded-For is believed only from the Gateway's own addresses, never from anyone who sends it.
    trustProxy: config.trustedProxies.length > 0 ? config.trustedProxies : false,
    // Bounds on what a slow or stalled client can hold (docs/runtime-contract.md, "Time limits"): the
    // whole request must arrive within requestTimeout, which is inside the shutdown deadline, so one
    // trickling upload cannot stall a rolling update. Node checks these every connectionsCheckingInterval
    // (30 s by default, which let slow headers live for 60 + 30 s).
    requestTimeout: config.timeouts.requestMs,
    keepAliveTimeout: config.timeouts.keepAliveMs,
    // Node answers a missing Host with a bare 400 of its own; observeRequests answers it as a problem.
    http: {
      headersTimeout: config.timeouts.headersMs,
      connectionsCheckingInterval: 500,
      requireHostHeader: false,
    },
    clientErrorHandler,
    frameworkErrors: (error, request, reply) => {
      void sendProblem(reply, request, frameworkProblem(error, request));
    },
    // While closing, keep serving requests on open connections (with Connection: close) rather than
    // answering 503: the drain phase already took this pod out of rotation.
    return503OnClosing: false,
  } satisfies FastifyHttpOptions<Server, Logger>;
}

/** JSON in, validated and serialised by the routes' schemas; a request may take requestMs even while closing. */
function strictInput(app: ServiceInstance, config: BaseConfig): void {
  // The API speaks JSON only. Fastify also parses text/plain by default, which turned a text body into a
  // confusing 400 "body must be object" instead of 415 unsupported-media-type.
  app.removeContentTypeParser('text/plain');
  strictJsonBodies(app);
  const requestTimeout = keepRequestTimeoutWhileClosing(app.server, config.timeouts.requestMs);
  app.addHook('preClose', async () => requestTimeout.start());
  app.addHook('onClose', async () => requestTimeout.stop());
  app.setValidatorCompiler(compileValidator);
  app.setSerializerCompiler(serializerCompiler);
}

/**
 * Who is calling, first: before the body is read or validated, for every route that declares who may call
 * it (`x-permission`, required of every /api route by requirePermissions). The route that matched decides,
 * not the URL's text, so `/%61pi/...` or `//api/...` reaches a handler only as the route it matched, with
 * that route's authentication. Then the per-person rate limit, which needs to know who it is.
 */
function authentication(
  app: ServiceInstance,
  authenticate: NonNullable<ServerOptions['authenticate']>,
  { config, metrics, readiness }: ServerOptions,
): void {
  app.addHook('onRequest', async (request) => {
    if (!needsCaller(request)) return;
    // Until migrations are done the schema may not exist (not even the callers' table): refuse cleanly.
    if (readiness.migrating)
      throw new ProblemError({
        status: 503,
        code: 'not-ready',
        detail: 'Starting up; try again shortly.',
        retryAfter: 2,
      });
    await authenticate(request);
  });
  principalRateLimit(app, config.auth.rateLimitPerPrincipalPerMinute, metrics);
}
