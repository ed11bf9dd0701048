// Rate limits, answered as 429 problems and counted: per address for everyone, and per signed-in person
// or client once authenticated, so one caller cannot starve the others behind a shared address.
import rateLimit from '@fastify/rate-limit';
import type { FastifyRequest } from 'fastify';
import type { BaseConfig } from '../config';
import { ProblemError } from '../errors';
import type { Metrics } from '../metrics';
import { UNMEASURED } from './observe';
import type { ServiceInstance } from './server';
import type {} from '../auth/callers';
import { callerKey } from '../auth/caller-key';

const refusal =
  (metrics: Metrics, max: number, per: string) =>
  (_req: FastifyRequest, ctx: { max: number; ttl: number }) => {
    metrics.rateLimited.inc();
    return new ProblemError({
      status: 429,
      code: 'rate-limited',
      detail: `Too many requests: at most ${max} a minute ${per}. Try again in ${Math.ceil(ctx.ttl / 1000)} s.`,
      retryAfter: Math.ceil(ctx.ttl / 1000),
    });
  };

/** The backstop for everyone, signed in or not (probes excepted). */
export async function addressRateLimit(app: ServiceInstance, config: BaseConfig, metrics: Metrics) {
  await app.register(rateLimit, {
    global: config.rateLimitPerMinute > 0,
    max: config.rateLimitPerMinute,
    timeWindow: 60_000,
    allowList: (req) => UNMEASURED.has(req.routeOptions.url ?? ''),
    errorResponseBuilder: refusal(metrics, config.rateLimitPerMinute, 'from one address'),
  });
}

/** After authentication: per person or client. Services call on behalf of many people and are exempt. */
export function principalRateLimit(app: ServiceInstance, perPrincipal: number, metrics: Metrics): void {
  if (perPrincipal <= 0) return;
  app.addHook(
    'preHandler',
    app.rateLimit({
      max: perPrincipal,
      timeWindow: 60_000,
      keyGenerator: (req) => principalKey(req) ?? `address:${req.ip}`,
      // The address backstop still bounds services.
      allowList: (req) => req.caller === undefined || req.caller.kind === 'service',
      errorResponseBuilder: refusal(metrics, perPrincipal, 'for one signed-in person'),
    }),
  );
}

function principalKey(request: FastifyRequest): string | undefined {
  return request.caller && callerKey(request.caller);
}
