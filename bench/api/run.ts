// API benchmark: each service as a real process on a throwaway PostgreSQL 15, loaded with autocannon over
// loopback, beside pgbench running the same SQL against the same database in the same run (the ceiling
// the service cannot beat). Never part of `npm test`. Run: npx tsx bench/api/run.ts [--seconds 10]
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import pg from 'pg';
import { seedDemo } from '../../scripts/local/seed';
import { startPostgres } from '../../test/support/postgres-server';
import { TEST_ADMIN, tokenFor } from '../../test/support/auth';
import { startServiceProcess, type ServiceProcess } from '../../test/support/service-process';

const seconds = Number(process.argv[process.argv.indexOf('--seconds') + 1]) || 10;
const connections = 16;
const PGBENCH = '/usr/lib/postgresql/15/bin/pgbench';

interface Row {
  case: string;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  rssMiB: number;
  ceilingTps: number;
}

function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Math.round(Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024);
}

async function load(
  url: string,
  headers: Record<string, string>,
): Promise<{ rps: number; p50: number; p99: number; errors: number }> {
  const r = await autocannon({ url, headers, connections, duration: seconds });
  return {
    rps: Math.round(r.requests.average),
    p50: r.latency.p50,
    p99: r.latency.p99,
    errors: r.errors + r.non2xx,
  };
}

/** pgbench with a custom script: the database's own throughput for the same query, same clients. */
function ceiling(dbUrl: string, sqlScript: string): number {
  const dir = mkdtempSync(join(tmpdir(), 'bench-'));
  const file = join(dir, 'q.sql');
  writeFileSync(file, sqlScript);
  const out = execFileSync(
    PGBENCH,
    ['-n', '-c', String(connections), '-j', '2', '-T', String(seconds), '-f', file, dbUrl],
    {
      encoding: 'utf8',
    },
  );
  return Math.round(Number(/tps = ([\d.]+)/.exec(out)?.[1] ?? 0));
}

async function main() {
  const server = await startPostgres();
  const admin = new pg.Client({ connectionString: server.url });
  await admin.connect();
  await admin.query('create database users_bench');
  await admin.query('create database shifts_bench');
  await admin.end();
  const dbUrl = (name: string) => server.url.replace(/\/postgres$/, `/${name}`);
  const procs: ServiceProcess[] = [];
  try {
    const t0 = performance.now();
    const users = await startServiceProcess('users', {
      DATABASE_URL: dbUrl('users_bench'),
      SHIFTS_URL: 'http://127.0.0.1:9', // the demo deactivates nobody
      LOG_LEVEL: 'warn',
    });
    const usersStartup = performance.now() - t0;
    procs.push(users);
    const t1 = performance.now();
    const shifts = await startServiceProcess('shifts', {
      DATABASE_URL: dbUrl('shifts_bench'),
      USERS_URL: users.url,
      LOG_LEVEL: 'warn',
    });
    const shiftsStartup = performance.now() - t1;
    procs.push(shifts);
    const admin = await tokenFor(TEST_ADMIN);
    await seedDemo(users.url, shifts.url, admin);

    const monday = new Date();
    monday.setUTCDate(monday.getUTCDate() - ((monday.getUTCDay() + 6) % 7));
    const from = `${monday.toISOString().slice(0, 10)}T00:00:00Z`;
    const to = new Date(monday.getTime() + 7 * 86_400_000).toISOString().slice(0, 10) + 'T00:00:00Z';

    const rows: Row[] = [];
    const run = async (name: string, proc: ServiceProcess, path: string, db: string, sql: string) => {
      const r = await load(`${proc.url}${path}`, { authorization: `Bearer ${admin}` });
      rows.push({ case: name, ...r, rssMiB: rssMiB(proc.child.pid!), ceilingTps: ceiling(dbUrl(db), sql) });
    };
    await run(
      'GET /api/v1/users/:id',
      users,
      '/api/v1/users/7',
      'users_bench',
      `select u.*, array(select location_id from user_locations where user_id = u.id) l,
              array(select role_id from user_roles where user_id = u.id) r from users u where u.id = 7;\n`,
    );
    await run(
      'GET /api/v1/users (page of 30)',
      users,
      '/api/v1/users?limit=100',
      'users_bench',
      `select u.*, array(select location_id from user_locations where user_id = u.id) l,
              array(select role_id from user_roles where user_id = u.id) r
         from users u where active order by last_name, first_name, id limit 101;\n`,
    );
    await run(
      'GET /api/v1/shifts (1 week, names)',
      shifts,
      `/api/v1/shifts?start[gte]=${from}&start[lt]=${to}&location_id=1&limit=500`,
      'shifts_bench',
      `select * from shifts where start_at >= '${from}' and start_at < '${to}' and location_id = 1
         and deleted_at is null order by start_at, id limit 501;\n`,
    );

    const fmt = (n: number, w: number) => String(n).padStart(w);
    console.log(
      `\nshiftstack API benchmark — ${server.version}, ${connections} connections, ${seconds} s per case, loopback`,
    );
    console.log(
      `startup to ready: users ${Math.round(usersStartup)} ms, shifts ${Math.round(shiftsStartup)} ms (node + tsx, migrations included)\n`,
    );
    console.log('| case | req/s | p50 ms | p99 ms | errors | RSS MiB | PostgreSQL ceiling, same SQL (tps) |');
    console.log('|---|---:|---:|---:|---:|---:|---:|');
    for (const r of rows) {
      console.log(
        `| ${r.case} | ${fmt(r.rps, 6)} | ${fmt(r.p50, 4)} | ${fmt(r.p99, 4)} | ${r.errors} | ${r.rssMiB} | ${fmt(r.ceilingTps, 6)} |`,
      );
    }
    console.log(
      '\nThe ceiling is pgbench running the same query on the same database with the same client count; the',
    );
    console.log(
      'gap is HTTP, validation, serialisation and (for shifts) the batched, cached call to users for names.',
    );
  } finally {
    for (const p of procs) await p.stop();
    server.stop();
  }
}

await main();
