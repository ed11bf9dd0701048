// The local runner behind `npm start` (scripts/local/system.ts), with real processes and signals: each
// service keeps its embedded database under the data folder, a service dying on its own is reported,
// stop() ends the others with SIGTERM and a clean exit, and a failed start leaves nothing running.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { buildFrontDoor } from '../../scripts/local/front-door';
import { startSystem, type RunningSystem } from '../../scripts/local/system';
import { systemPorts } from '../../scripts/lib/ports';
import { LOCAL_ADMIN } from '../../scripts/local/accounts';
import { fetchAs, tokenFor } from '../support/auth';

vi.setConfig({ testTimeout: 240_000, hookTimeout: 240_000 });

const answers = (url: string) =>
  fetch(url, { signal: AbortSignal.timeout(5_000) }).then(
    (r) => r.status,
    () => 0,
  );

const ports = systemPorts;

describe('the local runner', () => {
  const dirs: string[] = [];
  const dataDir = () => {
    const d = mkdtempSync(join(tmpdir(), 'shiftstack-local-'));
    dirs.push(d);
    return d;
  };
  let system: RunningSystem | undefined;
  afterAll(async () => {
    await system?.stop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('runs each service on its own database under the data folder, reports a service that dies, and stops the rest cleanly', async () => {
    fetchAs(async () => (system ? tokenFor(LOCAL_ADMIN, system.issuerUrl) : undefined));
    const dir = dataDir();
    system = await startSystem({
      ...(await ports()),
      dataDir: dir,
      seed: false,
      buildWeb: false,
      stdio: 'ignore',
    });
    expect(existsSync(join(dir, 'users'))).toBe(true);
    expect(existsSync(join(dir, 'shifts'))).toBe(true);
    expect(await answers(`${system.url}/healthz`)).toBe(200);
    expect(await answers(`${system.url}/api/v1/locations`)).toBe(200);
    expect(
      await answers(
        `${system.url}/api/v1/shifts?start[gte]=2030-01-01T00:00:00Z&start[lt]=2030-01-02T00:00:00Z`,
      ),
    ).toBe(200);

    const { shifts, users } = system.processes;
    shifts.kill('SIGKILL');
    const exited = await Promise.race([
      system.exited,
      new Promise((r) => setTimeout(() => r('timeout'), 30_000)),
    ]);
    expect(exited).toEqual({ service: 'shifts', code: null });
    expect(users.exitCode).toBeNull(); // the runner decides what to do; the other service is untouched

    const url = system.url;
    await system.stop();
    system = undefined;
    expect(users.exitCode).toBe(0); // SIGTERM: drained and closed its database, exit 0
    expect(await answers(`${url}/healthz`)).toBe(0); // the front door is closed too
  });

  it('fails to start when a service cannot listen, and leaves no service running', async () => {
    const p = await ports();
    // something else holds the users port (and answers 503 to the readiness poll)
    const squatter: Server = createServer((_req, res) => res.writeHead(503).end());
    await new Promise<void>((r) => squatter.listen(p.usersPort, '127.0.0.1', r));
    try {
      await expect(
        startSystem({ ...p, dataDir: dataDir(), seed: false, buildWeb: false, stdio: 'ignore' }),
      ).rejects.toThrow(/users exited/);
      expect(await answers(`http://127.0.0.1:${p.shiftsPort}/healthz`)).toBe(0);
    } finally {
      await new Promise((r) => squatter.close(r));
    }
  });

  it('front door: passes a 503 with its Retry-After straight through, without resending the request', async () => {
    let hits = 0;
    const upstream: Server = createServer((req, res) => {
      hits++;
      res.writeHead(503, {
        'retry-after': '5',
        'content-type': 'application/problem+json',
        'x-request-id': String(req.headers['x-request-id']),
      });
      res.end(
        JSON.stringify({
          type: 'urn:shiftstack:problem:database-unavailable',
          title: 'Service Unavailable',
          status: 503,
          code: 'database-unavailable',
        }),
      );
    });
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(upstream.address() as { port: number }).port}`;
    const door = await buildFrontDoor({
      usersUrl: base,
      shiftsUrl: base,
      webDist: join(tmpdir(), 'no-web-dist'),
    });
    try {
      await door.listen({ port: 0, host: '127.0.0.1' });
      const url = `http://127.0.0.1:${(door.server.address() as { port: number }).port}`;
      for (const path of [
        '/api/v1/shifts?start[gte]=2030-01-01T00:00:00Z&start[lt]=2030-01-02T00:00:00Z',
        '/api/v1/users',
        '/api/v1/locations/1',
      ]) {
        hits = 0;
        const res = await fetch(`${url}${path}`, { headers: { 'x-request-id': 'fd-1' } });
        expect(res.status).toBe(503);
        expect(res.headers.get('retry-after')).toBe('5');
        expect(res.headers.get('content-type')).toContain('application/problem+json');
        expect(res.headers.get('x-request-id')).toBe('fd-1');
        expect(((await res.json()) as { code: string }).code).toBe('database-unavailable');
        expect(hits).toBe(1);
      }
    } finally {
      await door.close();
      await new Promise((r) => upstream.close(r));
    }
  });
});
