// Graceful shutdown of a REAL users process (node + tsx, as `npm start` runs it) with real signals:
// a request in flight at SIGTERM completes and is stored; readiness flips at once while the API keeps
// serving for SHUTDOWN_DRAIN_SECONDS; the process then exits 0; a second SIGTERM exits at once, non-zero.
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { openPGlite } from '@shiftstack/service-kit';
import { asTestAdmin, fetchAs, TEST_ADMIN, tokenFor } from '../support/auth';
import { exitWithin, killLeftovers, slowPost, start, until } from './support/shutdown';

// Every API call here is the test admin's, with a token from the test issuer.
fetchAs(asTestAdmin);
killLeftovers();

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
    // 20 signed-in clients (a token is checked before any body is read), each sending a POST body one byte
    // every 500 ms (it would take a minute to finish).
    const token = await tokenFor(TEST_ADMIN);
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
            'POST /api/v1/locations HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n' +
              `Authorization: Bearer ${token}\r\nContent-Length: 120\r\n\r\n{`,
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
