// problemAnswers alone: thrown ProblemErrors, unknown errors, schema failures and unknown routes all leave
// as RFC 9457 problem+json with a stable code, the path (without its query) and the request id.
import { Type } from 'typebox';
import { afterEach, describe, expect, it } from 'vitest';
import { ProblemError } from '../errors';
import { bareApp } from '../testing';
import { MAX_LISTED_ERRORS, problemAnswers } from './problems';

let app: ReturnType<typeof bareApp>;
afterEach(() => app?.close());

function withProblems() {
  app = bareApp();
  problemAnswers(app);
  app.get('/refused', async () => {
    throw new ProblemError({ status: 409, code: 'conflict', detail: 'Taken.', retryAfter: 3 });
  });
  app.get('/broken', async () => {
    throw new Error('secret internals');
  });
  app.post(
    '/things',
    { schema: { body: Type.Object({ name: Type.String(), tags: Type.Array(Type.Integer()) }) } },
    async () => ({}),
  );
}

describe('problemAnswers', () => {
  it('a ProblemError keeps its status, code and Retry-After, with the path and request id', async () => {
    withProblems();
    const res = await app.inject('/refused?x=1');
    expect(res.statusCode).toBe(409);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.headers['retry-after']).toBe('3');
    expect(res.json()).toMatchObject({
      status: 409,
      code: 'conflict',
      detail: 'Taken.',
      instance: '/refused',
    });
    expect(res.json().request_id).toEqual(expect.any(String));
  });

  it('an unexpected error is a 500 that does not show its message', async () => {
    withProblems();
    const res = await app.inject('/broken');
    expect(res.statusCode).toBe(500);
    expect(res.json().code).toBe('internal-error');
    expect(res.body).not.toContain('secret internals');
  });

  it('schema failures: one 400 listing each field, at most MAX_LISTED_ERRORS', async () => {
    withProblems();
    const res = await app.inject({
      method: 'POST',
      url: '/things',
      payload: { extra: 1, tags: Array.from({ length: 50 }, () => 'x') },
    });
    expect(res.statusCode).toBe(400);
    const body = res.json();
    expect(body.code).toBe('validation-failed');
    expect(body.errors).toContainEqual({ param: 'name', message: 'is required' });
    expect(body.errors.length).toBeLessThanOrEqual(MAX_LISTED_ERRORS);
  });

  it('an unknown route: 404 route-not-found', async () => {
    withProblems();
    const res = await app.inject({ method: 'DELETE', url: '/nowhere?q=1' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ code: 'route-not-found', detail: 'No route for DELETE /nowhere.' });
  });
});
