// The database dropping connections under load, on a real PostgreSQL 15 and real service processes: its
// backends terminated, the server restarted, the server frozen. Eight clients on loopback send reads and
// writes for a bounded time. Each run checks that the process never exits, that every failure is a 503
// problem (never a reset connection or a 500), that every acknowledged write is there afterwards, and how
// long recovery took. The figures are printed for the issue's closing note.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { postgresMissing, startPostgres, type PostgresServer } from '../../scripts/lib/postgres-server';
import { startServiceProcess, type ServiceProcess } from '../support/service-process';
import { needs } from '../support/system-deps';
import { asTestAdmin, fetchAs } from '../support/auth';

// Every API call here is the test admin's, with a token from the test issuer.
fetchAs(asTestAdmin);

vi.setConfig({ testTimeout: 180_000, hookTimeout: 300_000 });

const available = needs('PostgreSQL', postgresMissing());
const CLIENTS = 8;
// Short limits keep the run short: the service's query timeout is then 2 s + 1 s.
const STATEMENT_TIMEOUT_MS = 2000;
const QUERY_TIMEOUT_MS = STATEMENT_TIMEOUT_MS + 1000;

interface Target {
  name: 'users' | 'shifts';
  service: ServiceProcess;
  read(): Promise<Response>;
  write(n: number): Promise<Response>;
  exists(id: number): Promise<boolean>;
}

interface LoadResult {
  requests: number;
  byStatus: Record<number, number>;
  /** fetch itself failed: the connection was refused or reset (a crashed or hung process). */
  transportErrors: string[];
  /** 5xx answers that are not 503 problems. */
  unexpected: string[];
  acknowledged: number[];
}

const timeout = () => AbortSignal.timeout(20_000);

/** Runs CLIENTS loops of alternating reads and writes until stop() is called. */
function startLoad(target: Target) {
  const result: LoadResult = {
    requests: 0,
    byStatus: {},
    transportErrors: [],
    unexpected: [],
    acknowledged: [],
  };
  let running = true;
  let writes = 0;
  const client = async () => {
    for (let i = 0; running; i++) {
      const isWrite = i % 2 === 0;
      try {
        const res = await (isWrite ? target.write(writes++) : target.read());
        result.requests++;
        result.byStatus[res.status] = (result.byStatus[res.status] ?? 0) + 1;
        const body = (await res.json()) as { id?: number; code?: string };
        if (isWrite && res.status === 201) result.acknowledged.push(body.id!);
        if (
          res.status >= 500 &&
          !(res.status === 503 && res.headers.get('content-type')?.includes('problem+json'))
        )
          result.unexpected.push(`${res.status} ${JSON.stringify(body)}`);
      } catch (err) {
        result.transportErrors.push((err as Error).message);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  };
  const clients = Array.from({ length: CLIENTS }, client);
  return {
    result,
    async stop() {
      running = false;
      await Promise.all(clients);
      return result;
    },
  };
}

/** Milliseconds until a read answers 200 again. */
async function recovery(target: Target, since: number): Promise<number> {
  for (;;) {
    const res = await target.read().catch(() => undefined);
    if (res?.status === 200) return Date.now() - since;
    if (Date.now() - since > 60_000) throw new Error(`${target.name} did not recover within 60 s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function lostWrites(target: Target, acknowledged: number[]): Promise<number[]> {
  const lost: number[] = [];
  for (const id of acknowledged) if (!(await target.exists(id))) lost.push(id);
  return lost;
}

function expectSurvived(target: Target, run: LoadResult, lost: number[]) {
  expect(target.service.child.exitCode, target.service.output().slice(-3000)).toBeNull();
  expect(run.transportErrors, 'connections refused or reset').toEqual([]);
  expect(run.unexpected, '5xx answers other than 503 problems').toEqual([]);
  expect(lost, 'acknowledged writes missing afterwards').toEqual([]);
  expect(run.acknowledged.length).toBeGreaterThan(0);
}

const report = (target: Target, fault: string, run: LoadResult, lost: number[], recoveryMs?: number) =>
  console.log(
    `${target.name} / ${fault}: ${run.requests} requests (${Object.entries(run.byStatus)
      .map(([s, n]) => `${n}x${s}`)
      .join(', ')}), ${run.transportErrors.length + run.unexpected.length} failed, ` +
      `${run.acknowledged.length} writes acknowledged, ${lost.length} lost` +
      (recoveryMs === undefined
        ? ''
        : `, recovered ${(recoveryMs / 1000).toFixed(2)} s after PostgreSQL was back`),
  );

const json = (body: unknown): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
  signal: timeout(),
});

describe.skipIf(!available)('PostgreSQL drops connections under load', () => {
  let server: PostgresServer;
  let users: ServiceProcess;
  let shifts: ServiceProcess;
  const targets: Target[] = [];

  beforeAll(async () => {
    server = await startPostgres({ durable: true });
    await sql('create database users_faults');
    await sql('create database shifts_faults');
    const dbUrl = (name: string) => server.url.replace(/\/postgres$/, `/${name}`);
    const limits = { DB_STATEMENT_TIMEOUT_MS: String(STATEMENT_TIMEOUT_MS), DB_POOL_MAX: '10' };
    users = await startServiceProcess('users', { DATABASE_URL: dbUrl('users_faults'), ...limits });
    shifts = await startServiceProcess('shifts', {
      DATABASE_URL: dbUrl('shifts_faults'),
      USERS_URL: users.url,
      ...limits,
    });
    const location = (await (
      await fetch(`${users.url}/api/v1/locations`, json({ name: 'Faults', timezone: 'UTC' }))
    ).json()) as { id: number };
    targets.push(
      {
        name: 'users',
        service: users,
        read: () => fetch(`${users.url}/api/v1/users?limit=20`, { signal: timeout() }),
        write: (n) =>
          fetch(
            `${users.url}/api/v1/users`,
            json({ first_name: 'Load', last_name: `Writer ${n}`, location_ids: [location.id] }),
          ),
        exists: async (id) => (await fetch(`${users.url}/api/v1/users/${id}`)).status === 200,
      },
      {
        name: 'shifts',
        service: shifts,
        read: () =>
          fetch(
            `${shifts.url}/api/v1/shifts?start[gte]=2033-01-01T00:00:00Z&start[lt]=2033-01-08T00:00:00Z&limit=50`,
            { signal: timeout() },
          ),
        write: (n) => {
          const start = new Date(Date.UTC(2033, 0, 1) + n * 60_000);
          return fetch(
            `${shifts.url}/api/v1/shifts`,
            json({
              location_id: location.id,
              start: start.toISOString(),
              end: new Date(start.getTime() + 4 * 3600_000).toISOString(),
            }),
          );
        },
        exists: async (id) => (await fetch(`${shifts.url}/api/v1/shifts/${id}`)).status === 200,
      },
    );
  });

  afterAll(async () => {
    await shifts?.stop();
    await users?.stop();
    server?.stop();
  });

  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  /** One statement as the superuser, on a connection of its own (the server is restarted between runs). */
  async function sql(text: string, values: unknown[] = []) {
    const client = new pg.Client({ connectionString: server.url });
    client.on('error', () => {});
    await client.connect();
    try {
      await client.query(text, values);
    } finally {
      await client.end();
    }
  }

  for (const name of ['users', 'shifts'] as const) {
    it(`${name}: pg_terminate_backend on its connections, three times under load`, async () => {
      const target = targets.find((t) => t.name === name)!;
      const load = startLoad(target);
      await sleep(1000);
      for (let i = 0; i < 3; i++) {
        await sql('select pg_terminate_backend(pid) from pg_stat_activity where application_name = $1', [
          name,
        ]);
        await sleep(500);
      }
      await sleep(1000);
      const run = await load.stop();
      const lost = await lostWrites(target, run.acknowledged);
      report(target, 'pg_terminate_backend x3', run, lost);
      expectSurvived(target, run, lost);
    });

    it(`${name}: PostgreSQL stopped (-m immediate) and started again under load`, async () => {
      const target = targets.find((t) => t.name === name)!;
      const load = startLoad(target);
      await sleep(1000);
      // Shifts also reaches users' database through users; both share this server, so both see it go.
      server.shutdown('immediate');
      await sleep(2000);
      server.start();
      const back = Date.now();
      const recoveredIn = await recovery(target, back);
      await sleep(1000);
      const run = await load.stop();
      const lost = await lostWrites(target, run.acknowledged);
      report(target, 'restart (-m immediate)', run, lost, recoveredIn);
      expectSurvived(target, run, lost);
      expect(run.byStatus[503] ?? 0, 'answers while PostgreSQL was down').toBeGreaterThan(0);
      expect(recoveredIn).toBeLessThan(15_000);
      expect((await fetch(`${target.service.url}/readyz`)).status).toBe(200);
    });

    it(`${name}: PostgreSQL frozen (SIGSTOP): each request in flight answers 503 within the query timeout`, async () => {
      const target = targets.find((t) => t.name === name)!;
      expect((await target.read()).status).toBe(200);
      server.pause();
      let answers: Array<{ status: number; ms: number; code?: string }>;
      try {
        const started = Date.now();
        answers = await Promise.all(
          Array.from({ length: CLIENTS }, async (_, i) => {
            const res = await (i % 2 === 0 ? target.read() : target.write(100_000 + i));
            const body = (await res.json()) as { code?: string };
            return { status: res.status, ms: Date.now() - started, code: body.code };
          }),
        );
      } finally {
        server.resume();
      }
      const resumed = Date.now();
      const recoveredIn = await recovery(target, resumed);
      console.log(
        `${name} / frozen PostgreSQL: ${answers.length} requests in flight answered ` +
          `${answers.map((a) => `${a.status} in ${(a.ms / 1000).toFixed(1)} s`).join(', ')}; ` +
          `recovered ${(recoveredIn / 1000).toFixed(2)} s after SIGCONT`,
      );
      for (const answer of answers) {
        expect(answer).toMatchObject({ status: 503, code: 'database-unavailable' });
        // The query timeout, plus the pool's wait for a connection when all are stuck, plus slack for a
        // loaded 2-core machine; never the length of the stall.
        expect(answer.ms).toBeLessThan(QUERY_TIMEOUT_MS + 3000);
      }
      expect(target.service.child.exitCode).toBeNull();
    });
  }
});
