// Graceful shutdown of a REAL users process (node + tsx, as `npm start` runs it) with real signals:
// a request in flight at SIGTERM completes and is stored; readiness flips at once while the API keeps
// serving for SHUTDOWN_DRAIN_SECONDS; the process then exits 0; a second SIGTERM exits at once, non-zero.
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { openPGlite } from '@shiftstack/service-kit';
import { createPostgresDatabase } from '@shiftstack/service-kit/testing';
import { inject } from 'vitest';
import { startServiceProcess, type ServiceProcess } from '../support/service-process';
import { needs } from '../support/system-deps';
import { asTestAdmin, fetchAs } from '../support/auth';

// Every API call here is the test admin's, with a token from the test issuer.
fetchAs(asTestAdmin);

const started: ServiceProcess[] = [];
afterAll(async () => {
  for (const p of started) if (p.child.exitCode === null) p.child.kill('SIGKILL');
});

async function start(env: Record<string, string>) {
  const p = await startServiceProcess('users', env);
  started.push(p);
  return p;
}

async function exitWithin(p: ServiceProcess, ms: number): Promise<number | null | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), ms);
  });
  const result = await Promise.race([p.exited, timedOut]);
  clearTimeout(timer);
  return result;
}

/** Polls until `check` is true, at most `ms`. */
async function until(check: () => Promise<boolean>, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return true;
    await sleep(50);
  }
  return false;
}

/**
 * POSTs a location with the body sent in two halves: the first now, the rest after `betweenMs`, with
 * `midway` (e.g. sending SIGTERM) run between. Resolves with the status and parsed body.
 */
async function slowPost(url: string, body: unknown, midway: () => void, betweenMs: number) {
  const authorization = `Bearer ${await asTestAdmin()}`;
  const payload = Buffer.from(JSON.stringify(body));
  const half = Math.floor(payload.length / 2);
  return new Promise<{ status: number; body: Record<string, unknown>; connection?: string }>(
    (resolve, reject) => {
      const req = request(
        `${url}/api/v1/locations`,
        {
          method: 'POST',
          agent: false,
          headers: {
            'content-type': 'application/json',
            'content-length': String(payload.length),
            authorization,
          },
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (d: string) => (text += d));
          res.on('end', () => {
            try {
              resolve({
                status: res.statusCode ?? 0,
                body: JSON.parse(text) as Record<string, unknown>,
                connection: res.headers.connection,
              });
            } catch (err) {
              reject(err instanceof Error ? err : new Error(String(err)));
            }
          });
        },
      );
      req.on('error', reject);
      req.flushHeaders();
      req.write(payload.subarray(0, half));
      // Let the server receive the headers and half the body before the signal.
      setTimeout(() => {
        midway();
        setTimeout(() => req.end(payload.subarray(half)), betweenMs);
      }, 250);
    },
  );
}

describe('graceful shutdown of a real users process', () => {
  it('a request in flight at SIGTERM completes, is stored (PGlite on disk), and the process exits 0', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shiftstack-shutdown-'));
    try {
      const dataDir = join(dir, 'users');
      const p = await start({ PGLITE_DATA_DIR: dataDir, SHUTDOWN_DRAIN_SECONDS: '0' });
      const res = await slowPost(
        p.url,
        { name: 'In Flight', timezone: 'UTC' },
        () => p.child.kill('SIGTERM'),
        300,
      );
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      expect(res.body).toMatchObject({ name: 'In Flight', timezone: 'UTC' });
      const code = await exitWithin(p, 30_000);
      expect(code, p.output()).toBe(0);
      // After exit, the row is on disk.
      const pglite = await openPGlite(dataDir, ['pg_trgm']);
      try {
        const rows = await pglite.query<{ id: number; name: string }>('select id, name from locations');
        expect(rows.rows).toEqual([{ id: res.body.id, name: 'In Flight' }]);
      } finally {
        await pglite.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the same on PostgreSQL: the in-flight write is committed before exit', async () => {
    if (!needs('PostgreSQL', inject('postgresUrl') ? null : inject('postgresMissing'))) return;
    const url = await createPostgresDatabase('shutdown');
    const p = await start({ DATABASE_URL: url, SHUTDOWN_DRAIN_SECONDS: '0' });
    const res = await slowPost(
      p.url,
      { name: 'In Flight PG', timezone: 'Europe/Paris' },
      () => p.child.kill('SIGTERM'),
      300,
    );
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(await exitWithin(p, 30_000), p.output()).toBe(0);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const rows = await client.query<{ name: string }>('select name from locations');
      expect(rows.rows).toEqual([{ name: 'In Flight PG' }]);
      // The service closed its pool: none of its connections is left.
      const left = await client.query<{ n: number }>(
        "select count(*)::int as n from pg_stat_activity where application_name = 'users'",
      );
      expect(left.rows[0]!.n).toBe(0);
    } finally {
      await client.end();
    }
  });

  it('readiness fails at once on SIGTERM while /healthz and the API keep answering through the drain, then exit 0', async () => {
    const p = await start({ SHUTDOWN_DRAIN_SECONDS: '3' });
    expect((await fetch(`${p.url}/readyz`)).status).toBe(200);
    p.child.kill('SIGTERM');
    // Flips as soon as the signal is handled (bounded wait, well inside the drain).
    const flipped = await until(async () => (await fetch(`${p.url}/readyz`)).status === 503, 1500);
    expect(flipped, p.output()).toBe(true);
    const ready = await fetch(`${p.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(ready.headers.get('content-type')).toContain('application/problem+json');
    expect(await ready.json()).toMatchObject({
      code: 'not-ready',
      checks: { draining: expect.stringMatching(/^fail/) as unknown },
    });

    const health = await fetch(`${p.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    const during = await fetch(`${p.url}/api/v1/users`);
    expect(during.status).toBe(200);
    // Each answer during the drain closes its connection, so keep-alive clients move to a pod that stays.
    expect(during.headers.get('connection')).toBe('close');
    const created = await fetch(`${p.url}/api/v1/locations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'During Drain', timezone: 'UTC' }),
    });
    expect(created.status).toBe(201);
    // Still serving well into the drain.
    await sleep(1500);
    expect(p.child.exitCode).toBeNull();
    expect((await fetch(`${p.url}/api/v1/locations`)).status).toBe(200);
    expect((await fetch(`${p.url}/readyz`)).status).toBe(503);

    expect(await exitWithin(p, 30_000), p.output()).toBe(0);
    // And then it no longer accepts connections.
    await expect(fetch(`${p.url}/healthz`)).rejects.toThrow();
  });

  it('a second SIGTERM during the drain exits at once with a non-zero code', async () => {
    const p = await start({ SHUTDOWN_DRAIN_SECONDS: '60' });
    p.child.kill('SIGTERM');
    expect(await until(async () => (await fetch(`${p.url}/readyz`)).status === 503, 5000), p.output()).toBe(
      true,
    );
    p.child.kill('SIGTERM');
    // Far before the 60 s drain would end.
    const code = await exitWithin(p, 10_000);
    expect(code, p.output()).not.toBe('timeout');
    expect(code).not.toBe(0);
    expect(code).not.toBeNull();
    expect(p.output()).toMatch(/second signal/);
  });

  it('clients trickling their bodies cannot hold the shutdown: each gets 408, and the process exits 0 in its budget', async () => {
    // Drain 1 s, then at most 5 s for in-flight requests; REQUEST_TIMEOUT_MS defaults to 4 s inside that.
    const p = await start({ SHUTDOWN_DRAIN_SECONDS: '1', SHUTDOWN_TIMEOUT_SECONDS: '5' });
    const { port } = new URL(p.url);
    // 20 clients, each sending a POST body one byte every 500 ms (it would take a minute to finish).
    const clients = Array.from(
      { length: 20 },
      () =>
        new Promise<string>((resolve) => {
          const socket = connect(Number(port), '127.0.0.1');
          let answer = '';
          let timer: NodeJS.Timeout | undefined;
          socket.on('data', (d) => (answer += d.toString()));
          socket.on('error', () => {});
          socket.on('close', () => {
            clearTimeout(timer);
            resolve(answer.split('\r\n')[0] ?? '');
          });
          socket.write(
            'POST /api/v1/locations HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 120\r\n\r\n{',
          );
          const drip = () => {
            if (socket.destroyed) return;
            socket.write('"');
            timer = setTimeout(drip, 500);
          };
          drip();
        }),
    );
    await sleep(500);
    const signalledAt = Date.now();
    p.child.kill('SIGTERM');
    const code = await exitWithin(p, 15_000);
    const tookMs = Date.now() - signalledAt;
    const answers = await Promise.all(clients);
    expect(code, p.output()).toBe(0);
    expect(tookMs).toBeLessThan(1000 + 5000);
    expect(
      answers.every((line) => line.startsWith('HTTP/1.1 408')),
      answers.join(' | '),
    ).toBe(true);
  });
});
