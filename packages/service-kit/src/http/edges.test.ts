// The HTTP edges of the chassis over a real socket (inject() skips Node's parser and timers): what the
// framework answers on its own, slow clients, an error that would dwarf its request, text and ids that
// must not be silently changed, and whose X-Forwarded-For is believed.
import { connect } from 'node:net';
import { FreeText, IdParams, Label } from '@shiftstack/contract';
import { Type } from 'typebox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config';
import { createMetrics } from '../metrics';
import { silentLogger } from '../testing';
import { MAX_ARRAY_ITEMS } from './input';
import { Readiness } from './readiness';
import { createServer, MAX_LISTED_ERRORS, type ServiceInstance } from './server';

async function startApp(env: NodeJS.ProcessEnv = {}) {
  const { base: config } = loadConfig('edges', {
    AUTH_ISSUER: 'https://issuer.test',
    AUTH_AUDIENCE: 'urn:shiftstack:api',
    REQUEST_TIMEOUT_MS: '1500',
    HEADERS_TIMEOUT_MS: '1000',
    RATE_LIMIT_PER_MINUTE: '0',
    ...env,
  });
  const readiness = new Readiness();
  readiness.migrated = true;
  const app: ServiceInstance = await createServer({
    config,
    metrics: createMetrics('edges', { defaultMetrics: false }),
    readiness,
    openapi: { title: 'edges', version: '1', description: 'test' },
    logger: silentLogger,
  });
  app.get('/api/v1/things/:id', { schema: { params: IdParams } }, async (request) => ({
    id: request.params.id,
    ip: request.ip,
  }));
  app.post(
    '/api/v1/things',
    {
      schema: {
        body: Type.Object(
          {
            name: Label(80),
            notes: Type.Optional(FreeText(1000)),
            ids: Type.Optional(Type.Array(Type.Integer({ minimum: 1 }), { maxItems: 50 })),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request) => request.body,
  );
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as { port: number };
  return { app, port, url: `http://127.0.0.1:${port}` };
}

interface RawAnswer {
  status: number;
  headers: string;
  body: Record<string, unknown> | undefined;
  ms: number;
}

/** Writes `chunks` to a raw socket (waiting `gapMs` between them) and reads until the server closes. */
function raw(port: number, chunks: Array<string | Buffer>, gapMs = 0): Promise<RawAnswer> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let text = '';
    let timer: NodeJS.Timeout | undefined;
    socket.on('data', (d) => (text += d.toString('latin1')));
    socket.on('error', () => {}); // a reset after the answer is fine: the answer is what we check
    socket.on('close', () => {
      clearTimeout(timer);
      const [head = '', ...rest] = text.split('\r\n\r\n');
      const bodyText = rest.join('\r\n\r\n');
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0);
      let body: Record<string, unknown> | undefined;
      try {
        body = bodyText ? (JSON.parse(bodyText) as Record<string, unknown>) : undefined;
      } catch {
        body = { unparsed: bodyText };
      }
      resolve({ status, headers: head.toLowerCase(), body, ms: Date.now() - started });
    });
    socket.once('connect', () => {
      let i = 0;
      const next = () => {
        if (socket.destroyed) return;
        if (i >= chunks.length) return;
        socket.write(chunks[i++]!);
        timer = setTimeout(next, gapMs);
      };
      next();
    });
    setTimeout(() => reject(new Error('no answer within 20 s')), 20_000).unref();
  });
}

function expectProblem(answer: RawAnswer, status: number, code: string) {
  expect({ status: answer.status, code: answer.body?.code }, JSON.stringify(answer.body)).toEqual({
    status,
    code,
  });
  expect(answer.headers).toContain('content-type: application/problem+json');
}

describe('the HTTP edges, over a real socket', () => {
  let t: Awaited<ReturnType<typeof startApp>>;
  beforeAll(async () => {
    t = await startApp();
  });
  afterAll(() => t.app.close());

  const get = (path: string) => raw(t.port, [`GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`]);

  describe('answers Fastify and Node give on their own are problem+json with a stable code', () => {
    it('a malformed request line: 400 malformed-request', async () => {
      expectProblem(await raw(t.port, ['GARBAGE\r\n\r\n']), 400, 'malformed-request');
    });
    it('no Host header: 400 malformed-request', async () => {
      expectProblem(
        await raw(t.port, ['GET /api/v1/things/1 HTTP/1.1\r\nConnection: close\r\n\r\n']),
        400,
        'malformed-request',
      );
    });
    it('headers over the limit: 431 headers-too-large', async () => {
      const big = `X-Big: ${'a'.repeat(20_000)}\r\n`;
      expectProblem(
        await raw(t.port, [`GET /healthz HTTP/1.1\r\nHost: x\r\n${big}\r\n`]),
        431,
        'headers-too-large',
      );
    });
    it('a broken percent-encoding in the path: 400 malformed-request', async () => {
      expectProblem(await get('/api/v1/things/%'), 400, 'malformed-request');
    });
    it('a path parameter over the router limit: 414 uri-too-long', async () => {
      expectProblem(await get(`/api/v1/things/${'9'.repeat(300)}`), 414, 'uri-too-long');
    });
    it('a path that climbs out of the docs folder: 404 route-not-found, not 403', async () => {
      for (const path of ['/docs/static/%2e%2e/%2e%2e/package.json', '/docs/static/../../package.json'])
        expectProblem(await get(path), 404, 'route-not-found');
    });
  });

  describe('slow clients are cut off by the time limits', () => {
    it('headers sent a byte at a time: 408 request-timeout after HEADERS_TIMEOUT_MS', async () => {
      const chunks = [...'GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: aaaaaaaaaaaaaaaaaaaa'];
      const answer = await raw(t.port, chunks, 300);
      expectProblem(answer, 408, 'request-timeout');
      expect(answer.ms).toBeLessThan(1000 + 1500);
    });
    it('a body sent a byte at a time: 408 request-timeout after REQUEST_TIMEOUT_MS', async () => {
      const head =
        'POST /api/v1/things HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n';
      const answer = await raw(t.port, [head, ...'{"name":"aaaaaaaaaaaaaaaaaaaaaaaa'], 300);
      expect(answer.status).toBe(408);
      expect(answer.ms).toBeLessThan(1500 + 1500);
    });
  });

  const postThings = async (body: string) => {
    const res = await fetch(`${t.url}/api/v1/things`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    const text = await res.text();
    return { status: res.status, text, problem: JSON.parse(text) as Record<string, unknown> };
  };

  it('lists at most MAX_LISTED_ERRORS problems and counts the rest', async () => {
    const items = MAX_ARRAY_ITEMS;
    const { status, text, problem } = await postThings(
      JSON.stringify({ name: 'x', ids: Array.from({ length: items }, () => 0) }),
    );
    expect(status).toBe(400);
    expect(problem.code).toBe('validation-failed');
    expect(problem.errors).toHaveLength(MAX_LISTED_ERRORS);
    // Each item's error, plus the array's own maxItems error.
    expect(problem.errors_not_listed).toBe(items + 1 - MAX_LISTED_ERRORS);
    expect(text.length).toBeLessThan(4096);
  });

  it('refuses an array of tens of thousands of items before validating each one (a 42 KB body)', async () => {
    const body = JSON.stringify({ name: 'x', ids: Array.from({ length: 21_000 }, () => 0) });
    const { status, text, problem } = await postThings(body);
    expect(status).toBe(400);
    expect(problem).toMatchObject({ code: 'validation-failed' });
    expect(String(problem.detail)).toContain('21000 items');
    expect(text.length).toBeLessThan(1024);
  });

  describe('text arrives unchanged or is refused', () => {
    const post = (body: string | Blob) =>
      fetch(`${t.url}/api/v1/things`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      }).then(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, unknown> }));

    it('refuses a body that is not valid UTF-8 instead of storing U+FFFD', async () => {
      const res = await post(new Blob([Buffer.from('{"name":"Jos'), Buffer.from([0xc3]), Buffer.from('"}')]));
      expect(res).toMatchObject({ status: 400, body: { code: 'malformed-body' } });
    });
    it('refuses a lone surrogate escape', async () => {
      expect(await post('{"name":"a\\ud800b"}')).toMatchObject({
        status: 400,
        body: { code: 'malformed-body' },
      });
    });
    it('keeps a surrogate pair (an emoji), and normalises to NFC', async () => {
      expect(await post('{"name":"Jose\\u0301 \\ud83d\\udc4d"}')).toMatchObject({
        status: 200,
        body: { name: 'José 👍' },
      });
    });
    it.each([
      ['only a zero-width space', '\u200b'],
      ['only spaces', '   '],
      ['a right-to-left override', 'Ada\u202Eevil'],
      ['a line break', 'Ada\nLovelace'],
      ['a tab', 'Ada\tLovelace'],
      ['a carriage return', 'Ada\r'],
      ['a NUL', 'Ada\u0000'],
    ])('refuses a name with %s, in plain words', async (_, name) => {
      const res = await post(JSON.stringify({ name }));
      expect(res).toMatchObject({ status: 400, body: { code: 'validation-failed', param: 'name' } });
      expect(String(res.body.detail)).toContain('name must be visible text on one line');
    });
    it('accepts line breaks and tabs in notes, but not other controls', async () => {
      expect((await post(JSON.stringify({ name: 'Ada', notes: 'line one\nline\ttwo' }))).status).toBe(200);
      expect((await post(JSON.stringify({ name: 'Ada', notes: 'bell\u0007' }))).status).toBe(400);
    });
  });

  describe('ids are canonical decimal', () => {
    it.each(['0x10', '1e3', '1.0', '010', '+1', ' 1'])('refuses %j', async (id) => {
      const res = await fetch(`${t.url}/api/v1/things/${encodeURIComponent(id)}`);
      expect(res.status).toBe(400);
      expect(((await res.json()) as { code: string }).code).toBe('validation-failed');
    });
    it('accepts a plain id', async () => {
      const res = await fetch(`${t.url}/api/v1/things/16`);
      expect(await res.json()).toMatchObject({ id: 16 });
    });
  });
});

describe('X-Forwarded-For is believed only from TRUSTED_PROXIES', () => {
  const ipSeen = async (env: NodeJS.ProcessEnv) => {
    const t = await startApp(env);
    try {
      const res = await fetch(`${t.url}/api/v1/things/1`, { headers: { 'x-forwarded-for': '203.0.113.9' } });
      return ((await res.json()) as { ip: string }).ip;
    } finally {
      await t.app.close();
    }
  };
  it('by default the socket address is the client, whatever the header says', async () => {
    expect(await ipSeen({})).toBe('127.0.0.1');
  });
  it('from a proxy outside the list, the header is ignored', async () => {
    expect(await ipSeen({ TRUSTED_PROXIES: '10.0.0.0/8' })).toBe('127.0.0.1');
  });
  it('from a listed proxy, the client is the address it forwarded', async () => {
    expect(await ipSeen({ TRUSTED_PROXIES: '127.0.0.1/32' })).toBe('203.0.113.9');
  });
  it('a caller rotating X-Forwarded-For straight at the pod still hits one rate-limit bucket', async () => {
    const t = await startApp({ TRUSTED_PROXIES: '10.0.0.0/8', RATE_LIMIT_PER_MINUTE: '5' });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 8; i++) {
        const res = await fetch(`${t.url}/api/v1/things/1`, {
          headers: { 'x-forwarded-for': `198.51.100.${i}` },
        });
        statuses.push(res.status);
      }
      expect(statuses.filter((s) => s === 429)).toHaveLength(3);
    } finally {
      await t.app.close();
    }
  });
});
