// Builds the Fastify instance every service runs in: request ids, problem+json errors, route-template
// metrics, rate limiting, OpenAPI + docs, /healthz and /readyz. The service registers its routes into it.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Problem, TextRules } from '@shiftstack/contract';
import Fastify, {
  LogController,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import type { Logger } from 'pino';
import { Type } from 'typebox';
import type { BaseConfig } from '../config';
import { ProblemError, problemBody, toProblem } from '../errors';
import { loggerOptions } from '../logger';
import type { Metrics } from '../metrics';
import { clientErrorHandler, frameworkProblem } from './framework-errors';
import { compileValidator, strictJsonBodies } from './input';
import { keepRequestTimeoutWhileClosing } from './request-timeout';
import { serializerCompiler } from './serialization';
import type { Readiness } from './readiness';
import type {} from '../auth/callers';

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

/** Validation errors listed in one problem; the rest are counted in `errors_not_listed`. */
export const MAX_LISTED_ERRORS = 20;

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
/** Probes are not traffic: keep them out of the latency histogram that autoscaling and alerts read. */
const UNMEASURED = new Set(['/healthz', '/readyz']);

export async function createServer(opts: ServerOptions): Promise<ServiceInstance> {
  const { config, metrics, readiness } = opts;
  const app = Fastify({
    ...(opts.logger ? { loggerInstance: opts.logger } : { logger: loggerOptions(config) }),
    // Take the caller's X-Request-Id when it is sane, so one id follows a request across services.
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    // One line per request, written when it is answered (below), instead of Fastify's two.
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
    // Node answers a missing Host with a bare 400 of its own; the hook below answers it as a problem.
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
  }).withTypeProvider<TypeBoxTypeProvider>() as unknown as ServiceInstance;

  // The API speaks JSON only. Fastify also parses text/plain by default, which turned a text body into a
  // confusing 400 "body must be object" instead of 415 unsupported-media-type.
  app.removeContentTypeParser('text/plain');

  strictJsonBodies(app);
  const requestTimeout = keepRequestTimeoutWhileClosing(app.server, config.timeouts.requestMs);
  app.addHook('preClose', async () => requestTimeout.start());
  app.addHook('onClose', async () => requestTimeout.stop());

  app.setValidatorCompiler(compileValidator);
  app.setSerializerCompiler(serializerCompiler);
  if (opts.authenticate) requirePermissions(app);

  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
    if (!request.headers.host && request.raw.httpVersion === '1.1')
      throw new ProblemError({
        status: 400,
        code: 'malformed-request',
        detail: 'HTTP/1.1 requests must carry a Host header.',
      });
    const route = request.routeOptions.url;
    if (route && UNMEASURED.has(route)) return;
    metrics.inFlight.inc();
    reply.raw.once('close', () => metrics.inFlight.dec());
  });
  // While draining, every answer closes its connection, so keep-alive clients (kube-proxy passes their
  // connections straight to this pod) open a new one, which reaches a pod that is staying. Otherwise they
  // would reuse a pooled connection just as close() shuts it, and that request would fail.
  app.addHook('onSend', async (_request, reply) => {
    if (readiness.draining) reply.header('connection', 'close');
  });
  // Measured and logged once answered. Probes every few seconds would drown both.
  app.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    if (!UNMEASURED.has(route)) {
      const status = reply.statusCode;
      metrics.httpDuration.observe(
        { method: request.method, route, status_code: String(status) },
        reply.elapsedTime / 1000,
      );
      if ((request.log as Logger).isLevelEnabled('info'))
        request.log.info(
          {
            req: { method: request.method, url: request.url, remoteAddress: request.ip },
            res: { statusCode: status },
            responseTime: reply.elapsedTime,
          },
          'request completed',
        );
    }
    done();
  });

  app.setErrorHandler(async (error, request, reply) => {
    const problem = validationProblem(error) ?? toProblem(error);
    if (problem.status >= 500) request.log.error({ err: error }, 'request failed');
    else request.log.info({ code: problem.code, status: problem.status }, 'request refused');
    return sendProblem(reply, request, problem);
  });
  app.setNotFoundHandler(async (request, reply) =>
    sendProblem(
      reply,
      request,
      new ProblemError({
        status: 404,
        code: 'route-not-found',
        detail: `No route for ${request.method} ${request.url.split('?')[0]}.`,
      }),
    ),
  );

  const limited = (max: number, per: string) => (_req: FastifyRequest, ctx: { max: number; ttl: number }) => {
    metrics.rateLimited.inc();
    return new ProblemError({
      status: 429,
      code: 'rate-limited',
      detail: `Too many requests: at most ${max} a minute ${per}. Try again in ${Math.ceil(ctx.ttl / 1000)} s.`,
      retryAfter: Math.ceil(ctx.ttl / 1000),
    });
  };
  // The per-address limit is the backstop for everyone, signed in or not; the per-principal one (after
  // authentication, below) stops one person or script from starving the others behind a shared address.
  await app.register(rateLimit, {
    global: config.rateLimitPerMinute > 0,
    max: config.rateLimitPerMinute,
    timeWindow: 60_000,
    allowList: (req) => UNMEASURED.has(req.routeOptions.url ?? ''),
    errorResponseBuilder: limited(config.rateLimitPerMinute, 'from one address'),
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: opts.openapi.title,
        version: opts.openapi.version,
        description: opts.openapi.description,
      },
      components: {
        schemas: { Problem } as never,
        securitySchemes: {
          bearer: {
            type: 'http',
            scheme: 'bearer',
            bearerFormat: 'JWT',
            description:
              'An access token from the OpenID Connect issuer (locally: `npm run token -- --as <email>`). What each operation needs is under its Permission.',
          },
        },
      },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  app.get(
    '/healthz',
    { schema: { hide: true, response: { 200: Type.Object({ status: Type.Literal('ok') }) } } },
    async () => ({ status: 'ok' as const }),
  );
  app.get('/readyz', { schema: { hide: true } }, async (request, reply) => {
    const { ready, checks } = await readiness.evaluate();
    if (ready) return reply.send({ status: 'ready', checks });
    return sendProblem(
      reply,
      request,
      new ProblemError({
        status: 503,
        code: 'not-ready',
        detail: 'Not ready to serve traffic.',
        retryAfter: 1,
        extra: { checks },
      }),
    );
  });

  const authenticate = opts.authenticate;
  if (authenticate) {
    app.addHook('preHandler', async (request) => {
      if (request.url.startsWith('/api/')) await authenticate(request);
    });
    const perPrincipal = config.auth.rateLimitPerPrincipalPerMinute;
    if (perPrincipal > 0) {
      app.addHook(
        'preHandler',
        app.rateLimit({
          max: perPrincipal,
          timeWindow: 60_000,
          keyGenerator: (req) => principalKey(req) ?? `address:${req.ip}`,
          // Services call on behalf of many people at once; the address backstop still bounds them.
          allowList: (req) => req.caller === undefined || req.caller.kind === 'service',
          errorResponseBuilder: limited(perPrincipal, 'for one signed-in person'),
        }),
      );
    }
  }
  return app;
}

function principalKey(request: FastifyRequest): string | undefined {
  const caller = request.caller;
  if (!caller) return undefined;
  return caller.kind === 'person' ? `person:${caller.id}` : `client:${caller.client_id}`;
}

/**
 * Every /api route says who may call it (`x-permission`, shown in the docs under "Permission") and is
 * documented as needing a bearer token: a route cannot be added without deciding its permission.
 */
function requirePermissions(app: ServiceInstance) {
  app.addHook('onRoute', (route) => {
    if (!route.url.startsWith('/api/')) return;
    const schema = (route.schema ?? {}) as Record<string, unknown>;
    const permission = schema['x-permission'];
    if (typeof permission !== 'string')
      throw new Error(`${String(route.method)} ${route.url} declares no x-permission`);
    if (schema.security) return; // HEAD routes share the GET route's schema object
    route.schema = {
      ...schema,
      security: [{ bearer: [] }],
      description: [schema.description, `**Permission:** ${permission}`].filter(Boolean).join('\n\n'),
    };
  });
}

function sendProblem(reply: FastifyReply, request: FastifyRequest, problem: ProblemError) {
  if (problem.retryAfter !== undefined) reply.header('retry-after', String(problem.retryAfter));
  for (const [k, v] of Object.entries(problem.headers ?? {})) reply.header(k, v);
  return reply
    .code(problem.status)
    .type('application/problem+json')
    .send(problemBody(problem, request.url.split('?')[0] ?? request.url, request.id));
}

interface AjvError {
  instancePath: string;
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
}

/** Turns Fastify's schema-validation error into one problem listing every field at fault. */
function validationProblem(error: unknown): ProblemError | undefined {
  const e = error as { validation?: AjvError[]; validationContext?: string };
  if (!Array.isArray(e.validation)) return undefined;
  const where = e.validationContext ?? 'body';
  const errors = e.validation.map((v) => {
    const path = v.instancePath.replace(/^\//, '').replace(/\//g, '.');
    const missing = v.params.missingProperty ?? v.params.additionalProperty;
    const param = [path, typeof missing === 'string' ? missing : ''].filter(Boolean).join('.') || where;
    const rule = v.keyword === 'pattern' ? TextRules[String(v.params.pattern)] : undefined;
    const message =
      v.keyword === 'additionalProperties'
        ? 'is not a known field'
        : v.keyword === 'required'
          ? 'is required'
          : rule
            ? `must be ${rule}`
            : (v.message ?? 'is invalid');
    return { param, message };
  });
  const unique = [...new Map(errors.map((x) => [`${x.param}:${x.message}`, x])).values()];
  // A body of thousands of bad array items must not answer with megabytes: list the first few and count
  // the rest, so an error is never much larger than the request that caused it.
  const listed = unique.slice(0, MAX_LISTED_ERRORS);
  const more = unique.length - listed.length;
  const first = listed[0];
  return new ProblemError({
    status: 400,
    code: 'validation-failed',
    ...(first ? { param: first.param } : {}),
    detail: listed.map((x) => `${x.param} ${x.message}`).join('; ') + (more > 0 ? `; and ${more} more` : ''),
    extra: { errors: listed, ...(more > 0 ? { errors_not_listed: more } : {}) },
  });
}
