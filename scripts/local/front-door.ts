// The local front door: routes by prefix exactly as the Gateway does in the cluster (no path rewriting),
// serves the built web app with an SPA fallback and the cluster nginx's security headers, and passes
// /auth to the development issuer, so that the board signs in on its own origin.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import proxy from '@fastify/http-proxy';
import fastifyStatic from '@fastify/static';
import { ProblemError, problemBody, type ProblemInit } from '@shiftstack/service-kit';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';

export const ROUTES = {
  users: ['/api/v1/users', '/api/v1/locations', '/api/v1/roles', '/api/v1/time-off'],
  shifts: ['/api/v1/shifts'],
} as const;

/**
 * The security headers the cluster's nginx adds to the web app, read from its own config (one home), with
 * its default connect-src (the issuer here is this origin's /auth).
 */
export function webSecurityHeaders(): Record<string, string> {
  const read = (file: string) => readFileSync(new URL(`../../web/nginx/${file}`, import.meta.url), 'utf8');
  const connectSrc = /^set \$board_connect_src "([^"]*)";/m.exec(read('board/connect-src.conf'))![1]!;
  return Object.fromEntries(
    [...read('security-headers.conf').matchAll(/^add_header\s+(\S+)\s+"([^"]*)"\s+always;/gm)].map((m) => [
      m[1]!.toLowerCase(),
      m[2]!.replaceAll('$board_connect_src', connectSrc),
    ]),
  );
}

export interface FrontDoorOptions {
  usersUrl: string;
  shiftsUrl: string;
  /** The development issuer, served under /auth. */
  issuerUrl?: string;
  webDist: string;
  logger?: boolean;
}

/** The services' own problem+json body (one home: service-kit's errors), for what the front door answers itself. */
const problem = (request: Pick<FastifyRequest, 'url' | 'id'>, init: ProblemInit) =>
  problemBody(new ProblemError(init), request.url.split('?')[0], request.id);

export async function buildFrontDoor(opts: FrontDoorOptions): Promise<FastifyInstance> {
  const app = Fastify({ logger: opts.logger ?? false, return503OnClosing: false });
  const upstreams = { users: opts.usersUrl, shifts: opts.shiftsUrl };
  for (const [service, prefixes] of Object.entries(ROUTES) as Array<
    [keyof typeof ROUTES, readonly string[]]
  >) {
    for (const prefix of prefixes) {
      await app.register(proxy, {
        upstream: upstreams[service],
        prefix,
        rewritePrefix: prefix, // keep the path as is: each service serves its own /api/v1/... paths
        replyOptions: {
          // Tell the service who the client is, as a real proxy would.
          rewriteRequestHeaders: (req, headers) => ({
            ...headers,
            'x-forwarded-for': req.ip,
            'x-forwarded-proto': 'http',
          }),
          // Pass a 503 (with its Retry-After) straight to the client, as the Gateway does: reply-from would
          // otherwise resend a GET up to 10 more times, hammering a service that just said it is unavailable.
          retryDelay: () => null,
          // The service is not there at all (stopped, crashed): answer like the services do, in problem+json.
          onError: (reply) => {
            void reply
              .code(503)
              .header('retry-after', '5')
              .type('application/problem+json')
              .send(
                problem(reply.request, {
                  status: 503,
                  code: 'upstream-unavailable',
                  detail: `The ${service} service is not reachable. Try again shortly.`,
                }),
              );
          },
        },
      });
    }
  }
  if (opts.issuerUrl) {
    await app.register(proxy, {
      upstream: opts.issuerUrl,
      prefix: '/auth',
      rewritePrefix: '/auth',
      replyOptions: {
        // The issuer builds its URLs from the address the browser used.
        rewriteRequestHeaders: (req, headers) => ({
          ...headers,
          'x-forwarded-host': req.headers.host ?? '',
          'x-forwarded-proto': 'http',
        }),
      },
    });
  }
  app.get('/healthz', async () => ({ status: 'ok' }));

  const security = webSecurityHeaders();

  const index = join(opts.webDist, 'index.html');
  if (existsSync(index)) {
    await app.register(fastifyStatic, {
      root: opts.webDist,
      wildcard: false,
      // Hashed assets never change; index.html must always be revalidated to pick up new builds.
      setHeaders: (reply, path) => {
        for (const [name, value] of Object.entries(security)) reply.header(name, value);
        reply.header(
          'cache-control',
          path.includes('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
        );
      },
    });
  }
  app.setNotFoundHandler(async (request, reply) => {
    if (request.method === 'GET' && !request.url.startsWith('/api/') && existsSync(index)) {
      return reply.headers(security).header('cache-control', 'no-cache').sendFile('index.html');
    }
    return reply
      .code(404)
      .type('application/problem+json')
      .send(
        problem(request, {
          status: 404,
          code: 'route-not-found',
          detail: `No route for ${request.method} ${request.url.split('?')[0]}.`,
        }),
      );
  });
  return app;
}
