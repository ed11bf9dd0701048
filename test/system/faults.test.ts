// Faults with real processes and signals: the users process killed (SIGKILL) under a running system, and
// the shifts database (a real PostgreSQL server of this test's own) stopped and started again.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startSystem, type RunningSystem } from '../../scripts/local/system';
import { systemPorts } from '../../scripts/lib/ports';
import { postgresMissing, startPostgres, type PostgresServer } from '../../scripts/lib/postgres-server';
import { startServiceProcess, type ServiceProcess } from '../support/service-process';
import { needs } from '../support/system-deps';
import { LOCAL_ADMIN } from '../../scripts/local/accounts';
import { asTestAdmin, fetchAs, tokenFor } from '../support/auth';

vi.setConfig({ testTimeout: 180_000, hookTimeout: 300_000 });

interface Problem {
  code: string;
  status: number;
}

async function send(url: string, method = 'GET', body?: unknown) {
  const res = await fetch(url, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  return {
    status: res.status,
    headers: res.headers,
    body: (text ? JSON.parse(text) : undefined) as Record<string, unknown>,
  };
}

function expectProblem(res: Awaited<ReturnType<typeof send>>, status: number, code: string) {
  expect(
    { status: res.status, code: (res.body as unknown as Problem).code },
    JSON.stringify(res.body),
  ).toEqual({ status, code });
  expect(res.headers.get('content-type')).toContain('application/problem+json');
}

async function until<T>(
  what: string,
  fn: () => Promise<T>,
  ok: (v: T) => boolean,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = await fn();
    if (ok(last)) return last;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${what}: not within ${timeoutMs} ms (last: ${JSON.stringify(last)})`);
}

const status = (url: string) =>
  fetch(url, { signal: AbortSignal.timeout(10_000) }).then(
    (r) => r.status,
    () => 0,
  );

// Every API call here is an admin's: the running system's first admin, or the test issuer's for the
// services started on their own.
let signedIn: () => Promise<string> = asTestAdmin;
fetchAs(() => signedIn());

describe('users killed under a running system', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'shiftstack-faults-'));
  let system: RunningSystem;
  const people: number[] = [];
  let location: number;
  beforeAll(async () => {
    system = await startSystem({
      ...(await systemPorts()),
      dataDir,
      seed: false,
      buildWeb: false,
      stdio: 'ignore',
    });
    signedIn = () => tokenFor(LOCAL_ADMIN, system.issuerUrl);
    const door = system.url;
    location = (
      await send(`${door}/api/v1/locations`, 'POST', { name: 'Faulty', timezone: 'America/Toronto' })
    ).body.id as number;
    for (const name of ['Ada', 'Bob', 'Cy']) {
      const res = await send(`${door}/api/v1/users`, 'POST', {
        first_name: name,
        last_name: 'Test',
        location_ids: [location],
      });
      expect(res.status).toBe(201);
      people.push(res.body.id as number);
    }
    // Shifts made but never listed: no names are cached in shifts before users dies.
    for (const [i, id] of people.slice(0, 2).entries()) {
      const res = await send(`${door}/api/v1/shifts`, 'POST', {
        location_id: location,
        user_id: id,
        start: `2032-04-0${i + 1}T13:00:00Z`,
        end: `2032-04-0${i + 1}T21:00:00Z`,
      });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
    }
    const users = system.processes.users;
    const gone = new Promise((r) => users.once('exit', r));
    expect(users.kill('SIGKILL')).toBe(true);
    await gone;
    expect(users.signalCode).toBe('SIGKILL');
  });
  afterAll(async () => {
    await system?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('lists shifts through the front door with 200, meta.degraded and no names', async () => {
    const res = await send(
      `${system.url}/api/v1/shifts?start[gte]=2032-04-01T00:00:00Z&start[lt]=2032-04-08T00:00:00Z`,
    );
    expect(res.status).toBe(200);
    const data = res.body.data as Array<{ user_id: number; assignee: unknown }>;
    expect(data.map((s) => s.user_id)).toEqual(people.slice(0, 2));
    expect(data.every((s) => s.assignee === null)).toBe(true);
    expect((res.body.meta as { degraded?: boolean }).degraded).toBe(true);
  });

  it('refuses shift creates that need users with 503 upstream-unavailable and Retry-After, writing nothing', async () => {
    const res = await send(`${system.url}/api/v1/shifts`, 'POST', {
      location_id: location,
      user_id: people[2],
      start: '2032-04-03T13:00:00Z',
      end: '2032-04-03T21:00:00Z',
    });
    expectProblem(res, 503, 'upstream-unavailable');
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    const after = await send(
      `${system.url}/api/v1/shifts?start[gte]=2032-04-01T00:00:00Z&start[lt]=2032-04-08T00:00:00Z`,
    );
    expect((after.body.data as unknown[]).length).toBe(2);
  });

  it('keeps shifts alive and ready: readiness does not depend on users', async () => {
    expect(await status(`${system.shiftsUrl}/healthz`)).toBe(200);
    expect(await status(`${system.shiftsUrl}/readyz`)).toBe(200);
    expect(system.processes.shifts.exitCode).toBeNull();
  });
});

describe('the shifts database stops and comes back', () => {
  const available = needs('PostgreSQL', postgresMissing());
  let server: PostgresServer | undefined;
  let shifts: ServiceProcess | undefined;
  let users: ServiceProcess | undefined;
  beforeAll(async () => {
    if (!available) return;
    signedIn = asTestAdmin;
    server = await startPostgres();
    // users (on PGlite) only says who is calling
    users = await startServiceProcess('users');
    shifts = await startServiceProcess('shifts', { DATABASE_URL: server.url, USERS_URL: users.url });
  });
  afterAll(async () => {
    await shifts?.stop();
    await users?.stop();
    server?.stop();
  });

  it.skipIf(!available)(
    'fails readiness and answers 503 database-unavailable while down, then recovers without a restart',
    async () => {
      const s = shifts!;
      const list = `${s.url}/api/v1/shifts?start[gte]=2032-04-01T00:00:00Z&start[lt]=2032-04-08T00:00:00Z`;
      expect((await send(list)).status).toBe(200);
      expect(await status(`${s.url}/readyz`)).toBe(200);

      server!.shutdown();
      await until(
        'readiness fails',
        () => status(`${s.url}/readyz`),
        (v) => v === 503,
        30_000,
      );
      const ready = await send(`${s.url}/readyz`);
      expectProblem(ready, 503, 'not-ready');
      expect(String((ready.body.checks as Record<string, string>).database)).toMatch(/^fail/);
      expect(await status(`${s.url}/healthz`)).toBe(200);
      for (const res of [
        await send(list),
        await send(`${s.url}/api/v1/shifts/1`),
        await send(`${s.url}/api/v1/shifts/1`, 'PATCH', { notes: 'x' }),
      ]) {
        expectProblem(res, 503, 'database-unavailable');
        expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
      }
      expect(s.child.exitCode).toBeNull();

      server!.start();
      await until(
        'readiness recovers',
        () => status(`${s.url}/readyz`),
        (v) => v === 200,
        60_000,
      );
      const back = await send(list);
      expect(back.status).toBe(200);
      expect(back.body.data).toEqual([]);
      expect(s.child.exitCode).toBeNull();
    },
  );
});
