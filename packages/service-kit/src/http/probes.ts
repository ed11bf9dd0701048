// The probes (docs/runtime-contract.md): /healthz answers while the process can answer at all; /readyz
// says whether this pod should get traffic now (its checks, and false once draining).
import { Type } from 'typebox';
import { ProblemError } from '../errors';
import { sendProblem } from './problems';
import type { Readiness } from './readiness';
import type { ServiceInstance } from './server';

export function probes(app: ServiceInstance, readiness: Readiness): void {
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
}
