// API benchmark (`npm run bench`, or `npx tsx bench/api/run.ts [--seconds 8]`); never part of `npm test`.
//
// Both services run from their built bundles (as the images run them) on a throwaway PostgreSQL 15 holding a
// realistic data set (bench/api/dataset.ts), in four configurations: lean (warn logs, no rate limit, no
// tracing), info logs, tracing exporting to a local OTLP sink, and production (all three). In the same run
// and on the same data they are measured against their peers and ceilings: a minimal Fastify + pg service
// with the same SQL and JSON (plain and prepared), a bare Node HTTP server with the same body, and pgbench
// running exactly the statements one request sent (simple and prepared). Every figure is printed as a ratio
// to its peer or ceiling, and the whole report is written to bench/results/.
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { serviceAuthEnv, signIn, startDevIssuer } from '@shiftstack/dev-issuer';
import pg from 'pg';
import { startPostgres } from '../../scripts/lib/postgres-server';
import { serviceArgs, type ServiceName } from '../../scripts/lib/services';
import {
  BENCH_LOCATION,
  BENCH_PERSON,
  addDays,
  growShifts,
  seedPeople,
  seedYear,
  thisMonday,
  type Sql,
} from './dataset';
import { attack as vegetaAttack, pgbench, vegetaBinary, type HttpResult, type Statement } from './load';
import { startOtlpSink } from './otlp-sink';
import { cpuSeconds, postgresCpuSeconds, rssMiB, startProc, type Proc } from './processes';
import { hottest } from './profile';
import { statementsOf } from './statements';

const ROOT = resolve(import.meta.dirname, '../..');
const arg = (name: string) =>
  process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : undefined;
const seconds = Number(arg('--seconds')) || 8;
const WORKERS = 16;
/**
 * The location-week's throughput (lean) before issue 12's changes, from this benchmark on this machine kind:
 * bench/results/api-2026-12-01-before-issue-12.md. The base of the "3× today's" target.
 */
const WEEK_RPS_BEFORE = 618;
const ADMIN = 'admin@bench.example';

type Config = 'lean' | 'info logs' | 'tracing' | 'production' | 'lean, again';
/**
 * 'lean, again' is a control: the lean configuration once more, started last like the others. The first
 * lean process has measured up to 1.5× faster on the location-week than identical processes started after
 * it, for a reason not found (its answers are checked identical), so the costs of logging and tracing are
 * taken against the control.
 */
const CONFIGS: Config[] = ['lean', 'info logs', 'tracing', 'production', 'lean, again'];

interface Case {
  key: 'user' | 'week';
  title: string;
  service: ServiceName;
  path: string;
  database: string;
  /** Open-loop arrival rate for the latency figures. */
  rate: number;
}

const out: string[] = [];
const say = (line = '') => {
  out.push(line);
  console.log(line);
};
const ratio = (a: number, b: number) => (b > 0 ? `${(a / b).toFixed(2)}×` : '–');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const version = (pkg: string) =>
  (JSON.parse(readFileSync(join(ROOT, 'node_modules', pkg, 'package.json'), 'utf8')) as { version: string })
    .version;

/** A load run after 20 requests in turn: connections open, caches warm, the key set fetched. */
async function attack(a: Parameters<typeof vegetaAttack>[0]): Promise<HttpResult> {
  for (let i = 0; i < 20; i++)
    await fetch(a.url, { headers: a.headers }).then(
      (r) => r.arrayBuffer(),
      () => undefined, // a pooled connection the server had closed; the next one opens afresh
    );
  return vegetaAttack(a);
}

async function main() {
  process.setMaxListeners(50); // one exit listener per process started
  vegetaBinary(); // built before anything is timed
  const logs = mkdtempSync(join(tmpdir(), 'shiftstack-bench-logs-'));
  const load0 = loadavg()[0]!;
  const server = await startPostgres();
  const admin = new pg.Client({ connectionString: server.url });
  await admin.connect();
  await admin.query('create database users_bench');
  await admin.query('create database shifts_bench');
  const dbUrl = (name: string) => server.url.replace(/\/postgres$/, `/${name}`);
  const secrets = { users: randomBytes(18).toString('hex'), shifts: randomBytes(18).toString('hex') };
  const issuer = await startDevIssuer({
    boardUrls: ['http://127.0.0.1'],
    serviceSecrets: secrets,
    accessTokenSeconds: 4 * 3600,
  });
  const sink = await startOtlpSink();
  const procs: Proc[] = [];
  const stopAll = async () => {
    await Promise.all(procs.map((p) => p.stop()));
    procs.length = 0;
  };

  const configEnv = (config: Config): Record<string, string> => ({
    LOG_LEVEL: config === 'info logs' || config === 'production' ? 'info' : 'warn',
    ...(config === 'production'
      ? // On, and high enough that the load (one person, one address) is counted but never refused.
        { RATE_LIMIT_PER_MINUTE: '100000000', RATE_LIMIT_PER_PRINCIPAL_PER_MINUTE: '100000000' }
      : { RATE_LIMIT_PER_MINUTE: '0', RATE_LIMIT_PER_PRINCIPAL_PER_MINUTE: '0' }),
    ...(config === 'tracing' || config === 'production' ? { OTEL_EXPORTER_OTLP_ENDPOINT: sink.url } : {}),
  });
  const start = async (
    service: ServiceName,
    name: string,
    env: Record<string, string>,
    nodeOptions: string[] = [],
  ) => {
    const p = await startProc(
      name,
      serviceArgs(service, nodeOptions),
      {
        NODE_ENV: 'production',
        LOG_FORMAT: 'json',
        SHUTDOWN_DRAIN_SECONDS: '0',
        ...serviceAuthEnv(service, issuer.url, secrets, ADMIN),
        ...(service === 'users' ? { SHIFTS_URL: 'http://127.0.0.1:9' } : {}), // nobody is deactivated here
        ...env,
      },
      { readyPath: '/readyz', logFile: join(logs, `${name.replace(/\W+/g, '-')}.log`) },
    );
    procs.push(p);
    return p;
  };
  const postgresEnv = (service: ServiceName) => ({ DATABASE_URL: dbUrl(`${service}_bench`) });

  try {
    // --- the data set, written once the services have migrated their databases
    const users: Record<Config, Proc> = {} as never;
    const shifts: Record<Config, Proc> = {} as never;
    users.lean = await start('users', 'users lean', { ...configEnv('lean'), ...postgresEnv('users') });
    const usersDb = new pg.Client({ connectionString: dbUrl('users_bench') });
    await usersDb.connect();
    usersDb.on('error', () => {}); // the server stops under it at the end
    await seedPeople(clientSql(usersDb));
    for (const config of CONFIGS.slice(1))
      users[config] = await start('users', `users ${config}`, {
        ...configEnv(config),
        ...postgresEnv('users'),
      });
    for (const config of CONFIGS)
      shifts[config] = await start('shifts', `shifts ${config}`, {
        ...configEnv(config),
        ...postgresEnv('shifts'),
        USERS_URL: users[config].url,
      });
    const shiftsDb = new pg.Client({ connectionString: dbUrl('shifts_bench') });
    await shiftsDb.connect();
    shiftsDb.on('error', () => {});
    const shiftCount = await seedYear(clientSql(shiftsDb));
    const token = (await signIn(issuer.url, ADMIN)).accessToken;
    const auth = { authorization: `Bearer ${token}` };

    const monday = thisMonday();
    const week = `start[gte]=${monday}T00:00:00Z&start[lt]=${addDays(monday, 7)}T00:00:00Z`;
    const cases: Case[] = [
      {
        key: 'user',
        title: 'GET /api/v1/users/:id',
        service: 'users',
        path: `/api/v1/users/${BENCH_PERSON}`,
        database: 'users_bench',
        rate: 1000,
      },
      {
        key: 'week',
        title: 'GET /api/v1/shifts, a location-week with names',
        service: 'shifts',
        path: `/api/v1/shifts?${week}&location_id=${BENCH_LOCATION}&limit=500`,
        database: 'shifts_bench',
        rate: 200,
      },
    ];
    const ours = (c: Case, config: Config) => (c.service === 'users' ? users : shifts)[config];
    const get = async (url: string, headers: Record<string, string> = auth) => {
      const res = await fetch(url, { headers });
      if (!res.ok) throw new Error(`${url} answered ${res.status}: ${await res.text()}`);
      return res.text();
    };

    // --- what each request sends to the database, and the bodies the peers must match
    const statements: Record<string, Statement[]> = {};
    const bodies: Record<string, string> = {};
    for (const c of cases) {
      for (const config of CONFIGS) for (let i = 0; i < 3; i++) await get(`${ours(c, config).url}${c.path}`);
      statements[c.key] = await statementsOf(admin, server.logFile, c.database, () =>
        get(`${ours(c, 'lean').url}${c.path}`),
      );
      bodies[c.path.split('?')[0]!] = await get(`${ours(c, 'lean').url}${c.path}`);
    }
    const bodiesFile = join(logs, 'bodies.json');
    writeFileSync(bodiesFile, JSON.stringify(bodies));
    const peerEnv = { USERS_DATABASE_URL: dbUrl('users_bench'), SHIFTS_DATABASE_URL: dbUrl('shifts_bench') };
    const tsx = ['--import', 'tsx'];
    const peerPlain = await startPeer('peer plain', {});
    const peerPrepared = await startPeer('peer prepared', { PEER_PREPARED: '1' });
    const bare = await startProc(
      'bare',
      [...tsx, join(import.meta.dirname, 'bare.ts')],
      { BARE_BODIES: bodiesFile },
      {
        readyPath: '/ready',
        logFile: join(logs, 'bare.log'),
      },
    );
    procs.push(bare);
    async function startPeer(name: string, env: Record<string, string>) {
      const p = await startProc(
        name,
        [...tsx, join(import.meta.dirname, 'peer.ts')],
        { ...peerEnv, ...env },
        {
          readyPath: `/api/v1/users/${BENCH_PERSON}`,
          logFile: join(logs, `${name.replace(/\W+/g, '-')}.log`),
        },
      );
      procs.push(p);
      return p;
    }
    for (const c of cases) {
      const mine = JSON.parse(bodies[c.path.split('?')[0]!]!) as unknown;
      for (const peer of [peerPlain, peerPrepared]) {
        const theirs = JSON.parse(await get(`${peer.url}${c.path}`)) as unknown;
        if (!isDeepStrictEqual(mine, theirs))
          throw new Error(
            `the peer's body for ${c.title} differs from the service's:\n${JSON.stringify(theirs).slice(0, 600)}\n${JSON.stringify(mine).slice(0, 600)}`,
          );
      }
    }

    async function profiles(config: Config) {
      say();
      say(`## Profiles (${config} configuration, self time)`);
      for (const c of cases) {
        const dir = mkdtempSync(join(tmpdir(), 'shiftstack-prof-'));
        const other =
          c.service === 'shifts'
            ? await start('users', 'users for profile', { ...configEnv('lean'), ...postgresEnv('users') })
            : undefined;
        const p = await start(
          c.service,
          `${c.service} profile`,
          {
            ...configEnv(config),
            ...postgresEnv(c.service),
            ...(other ? { USERS_URL: other.url } : {}),
          },
          ['--cpu-prof', `--cpu-prof-dir=${dir}`],
        );
        await attack({ url: `${p.url}${c.path}`, headers: auth, seconds, workers: WORKERS });
        await stopAll();
        say();
        say(`${c.title}:`);
        say('```');
        for (const line of hottest(dir, profileOnly ? 30 : 12)) say(line);
        say('```');
        rmSync(dir, { recursive: true, force: true });
      }
    }
    // `--profile CONFIG`: only the profiles, of one configuration (what to look at while making it faster).
    const profileOnly = arg('--profile') as Config | undefined;
    if (profileOnly) {
      await stopAll();
      await profiles(profileOnly);
      return;
    }

    say(`# shiftstack API benchmark, ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`);
    say();
    say(
      `Machine: ${cpus()[0]?.model.trim()}, ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB; ` +
        `load average ${load0.toFixed(2)} at the start. Load generator, services, peers and PostgreSQL share it.`,
    );
    say(
      `Versions: Node ${process.version}, ${server.version}, fastify ${version('fastify')}, pg ${version('pg')}, ` +
        `kysely ${version('kysely')}, vegeta ${vegetaVersion()}.`,
    );
    say(
      `Data: 10 locations, 3,000 people, ${shiftCount.toLocaleString('en')} shifts (a year at the benchmarked ` +
        `location); the location-week holds ${JSON.parse(bodies['/api/v1/shifts']!).data.length} shifts ` +
        `(${Math.round(bodies['/api/v1/shifts']!.length / 1024)} KB of JSON).`,
    );
    say(
      `Throughput: vegeta, ${WORKERS} workers in a closed loop, the better of two ${seconds} s runs (in ` +
        `alternating order); pgbench with ${WORKERS} ` +
        `clients on exactly the statements one request sent. CPU µs/req: the process's user + system time ` +
        `over the requests it answered.`,
    );

    // --- throughput, beside peers and ceilings
    const results: Record<string, Record<string, HttpResult & { rss?: number }>> = {};
    for (const c of cases) {
      type Measured = HttpResult & { rss?: number; cpu?: number; pgCpu?: number };
      const row: Record<string, Measured> = {};
      const contenders: Array<[string, Proc, Record<string, string>, boolean]> = [
        ...CONFIGS.map((config): [string, Proc, Record<string, string>, boolean] => [
          config,
          ours(c, config),
          auth,
          true,
        ]),
        ['Fastify + pg peer', peerPlain, {}, false],
        ['Fastify + pg peer, prepared', peerPrepared, {}, false],
        ['bare Node HTTP, same body', bare, {}, false],
      ];
      // Two rounds, the second in reverse order, keeping each one's better run: a neighbour's burst of
      // work (a checkpoint, the previous run's connections closing) then costs no contender its figure.
      for (const round of [contenders, [...contenders].reverse()])
        for (const [name, p, headers, service] of round) {
          const cpu0 = cpuSeconds(p.child.pid!);
          const pg0 = postgresCpuSeconds();
          const r = await attack({ url: `${p.url}${c.path}`, headers, seconds, workers: WORKERS });
          const answered = Math.max(1, r.requests - r.failed);
          const measured: Measured = {
            ...r,
            cpu: ((cpuSeconds(p.child.pid!) - cpu0) * 1e6) / answered,
            ...(service
              ? { rss: rssMiB(p.child.pid!), pgCpu: ((postgresCpuSeconds() - pg0) * 1e6) / answered }
              : {}),
          };
          if (!row[name] || measured.rps > row[name].rps) row[name] = measured;
          // Right after the load, the answer must still be the one every contender was checked against:
          // a service that degraded under load (names missing, say) would be measured doing less work.
          const now = JSON.parse(await get(`${p.url}${c.path}`, headers)) as unknown;
          if (!isDeepStrictEqual(now, JSON.parse(bodies[c.path.split('?')[0]!]!)))
            throw new Error(
              `${name} answered ${c.title} differently after its run: ${JSON.stringify(now).slice(0, 400)}`,
            );
        }
      const db = dbUrl(c.database);
      const simple = await pgbench(join(server.bin, 'pgbench'), db, statements[c.key]!, {
        mode: 'simple',
        clients: WORKERS,
        seconds,
      });
      const prepared = await pgbench(join(server.bin, 'pgbench'), db, statements[c.key]!, {
        mode: 'prepared',
        clients: WORKERS,
        seconds,
      });
      results[c.key] = row;
      const peer = row['Fastify + pg peer, prepared']!.rps;
      say();
      say(`## ${c.title}`);
      say();
      say(
        `${statements[c.key]!.length} statement(s) a request: ` +
          statements[c.key]!.map((s) => `\`${s.sql.slice(0, 90)}${s.sql.length > 90 ? '…' : ''}\``).join(
            '; ',
          ),
      );
      say();
      say(
        '| configuration | req/s | ÷ prepared peer | p50 ms | p99 ms | failed | CPU µs/req | PostgreSQL CPU µs/req | RSS MiB |',
      );
      say('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
      for (const [name, r] of Object.entries(row))
        say(
          `| ${name} | ${r.rps} | ${ratio(r.rps, peer)} | ${r.p50} | ${r.p99} | ${r.failed} | ${Math.round(r.cpu ?? 0)} | ${r.pgCpu ? Math.round(r.pgCpu) : ''} | ${r.rss ?? ''} |`,
        );
      say(`| pgbench, simple protocol | ${simple} | ${ratio(simple, peer)} | | | | | | |`);
      say(`| pgbench, prepared | ${prepared} | ${ratio(prepared, peer)} | | | | | | |`);
      say();
      say(
        `Ceilings: the prepared peer reaches ${ratio(peer, row['bare Node HTTP, same body']!.rps)} of bare HTTP ` +
          `and ${ratio(peer, prepared)} of prepared pgbench; lean shiftstack reaches ` +
          `${ratio(row.lean!.rps, prepared)} of prepared pgbench.`,
      );
    }

    // --- latency at a fixed arrival rate (open loop), and as the table grows
    say();
    say('## Latency at a fixed arrival rate (open loop)');
    say();
    say('| request | configuration | rate/s | p50 ms | p99 ms | max ms | failed |');
    say('|---|---|---:|---:|---:|---:|---:|');
    const open: Record<string, HttpResult> = {};
    const openLoop = async (c: Case, name: string, url: string, headers: Record<string, string> = {}) => {
      const r = await attack({ url, headers, seconds: Math.max(seconds, 10), rate: c.rate });
      open[`${c.key} ${name}`] = r;
      say(`| ${c.title} | ${name} | ${c.rate} | ${r.p50} | ${r.p99} | ${r.max} | ${r.failed} |`);
    };
    for (const c of cases) {
      await openLoop(c, 'lean', `${ours(c, 'lean').url}${c.path}`, auth);
      await openLoop(c, 'production', `${ours(c, 'production').url}${c.path}`, auth);
      await openLoop(c, 'Fastify + pg peer, prepared', `${peerPrepared.url}${c.path}`);
    }
    const weekCase = cases[1]!;
    const grown = await growShifts(clientSql(shiftsDb), 1_000_000);
    await openLoop(
      weekCase,
      `lean, ${grown.toLocaleString('en')} shifts`,
      `${ours(weekCase, 'lean').url}${weekCase.path}`,
      auth,
    );

    // --- start-up and memory
    await stopAll();
    const startups: Record<ServiceName, number[]> = { users: [], shifts: [] };
    for (let i = 0; i < 5; i++)
      for (const service of ['users', 'shifts'] as const) {
        const p = await start(service, `${service} startup`, {
          ...configEnv('production'),
          ...postgresEnv(service),
          ...(service === 'shifts' ? { USERS_URL: 'http://127.0.0.1:9' } : {}),
        });
        startups[service].push(p.startupMs);
        await stopAll();
      }
    say();
    say('## Start-up and memory');
    say();
    say(
      `Start-up to ready (spawn to the first 200 from /readyz, migrations already applied, production ` +
        `configuration), median of 5: users ${Math.round(median(startups.users))} ms, shifts ` +
        `${Math.round(median(startups.shifts))} ms (runs: users ${startups.users.map(Math.round).join(', ')}; ` +
        `shifts ${startups.shifts.map(Math.round).join(', ')}).`,
    );
    // RSS and throughput of the location-week under V8 young-generation sizes (production configuration).
    say();
    say('| shifts, location-week, production configuration | req/s | ÷ default | RSS MiB after load |');
    say('|---|---:|---:|---:|');
    const heap: Array<[string, string[]]> = [
      ['V8 defaults', []],
      ['--max-old-space-size=224 (the base overlay)', ['--max-old-space-size=224']],
      ['--max-semi-space-size=4', ['--max-semi-space-size=4']],
      ['--max-semi-space-size=2', ['--max-semi-space-size=2']],
      ['--max-old-space-size=96', ['--max-old-space-size=96']],
      [
        '--max-semi-space-size=2 --max-old-space-size=64',
        ['--max-semi-space-size=2', '--max-old-space-size=64'],
      ],
    ];
    let base = 0;
    const u = await start('users', 'users heap', { ...configEnv('production'), ...postgresEnv('users') });
    for (const [name, flags] of heap) {
      const p = await start(
        'shifts',
        `shifts ${name}`,
        { ...configEnv('production'), ...postgresEnv('shifts'), USERS_URL: u.url },
        flags,
      );
      const r = await attack({ url: `${p.url}${weekCase.path}`, headers: auth, seconds, workers: WORKERS });
      base ||= r.rps;
      say(`| ${name} | ${r.rps} | ${ratio(r.rps, base)} | ${rssMiB(p.child.pid!)} |`);
      await p.stop();
      procs.splice(procs.indexOf(p), 1);
    }
    await stopAll();

    // --- where the CPU goes, production configuration
    await profiles('production');

    // --- embedded PostgreSQL (PGlite), as `npm start` runs by default
    await pgliteCase();
    async function pgliteCase() {
      const dir = mkdtempSync(join(tmpdir(), 'shiftstack-bench-pglite-'));
      const pgliteEnv = (service: ServiceName) => ({ PGLITE_DATA_DIR: join(dir, service) });
      // Migrate, then write the same people and a year of shifts straight into the data folders.
      await start('users', 'users pglite migrate', { ...configEnv('lean'), ...pgliteEnv('users') });
      await start('shifts', 'shifts pglite migrate', {
        ...configEnv('lean'),
        ...pgliteEnv('shifts'),
        USERS_URL: 'http://127.0.0.1:9',
      });
      await stopAll();
      await withPGlite(join(dir, 'users'), seedPeople);
      await withPGlite(join(dir, 'shifts'), seedYear);
      const pu = await start('users', 'users pglite', { ...configEnv('lean'), ...pgliteEnv('users') });
      const ps = await start('shifts', 'shifts pglite', {
        ...configEnv('lean'),
        ...pgliteEnv('shifts'),
        USERS_URL: pu.url,
      });
      say();
      say('## Embedded PostgreSQL (PGlite, lean configuration)');
      say();
      say('| request | req/s | ÷ on PostgreSQL (lean) | p99 ms | start-up to ready ms |');
      say('|---|---:|---:|---:|---:|');
      for (const c of cases) {
        const p = c.service === 'users' ? pu : ps;
        await get(`${p.url}${c.path}`);
        const r = await attack({ url: `${p.url}${c.path}`, headers: auth, seconds, workers: WORKERS });
        say(
          `| ${c.title} | ${r.rps} | ${ratio(r.rps, results[c.key]!.lean!.rps)} | ${r.p99} | ${Math.round(p.startupMs)} |`,
        );
      }
      await stopAll();
      rmSync(dir, { recursive: true, force: true });
    }

    // --- the targets of issue 12
    const user = results.user!;
    const wk = results.week!;
    const userPeer = user['Fastify + pg peer, prepared']!.rps;
    const checks: Array<[string, boolean, string]> = [
      [
        'users get-by-id, lean ≥ 1.0× prepared peer',
        user.lean!.rps >= userPeer,
        ratio(user.lean!.rps, userPeer),
      ],
      [
        'users get-by-id, production ≥ 0.8× prepared peer',
        user.production!.rps >= 0.8 * userPeer,
        ratio(user.production!.rps, userPeer),
      ],
      [
        'location-week ≥ 3× its throughput before',
        WEEK_RPS_BEFORE > 0 && wk.lean!.rps >= 3 * WEEK_RPS_BEFORE,
        WEEK_RPS_BEFORE > 0
          ? `${ratio(wk.lean!.rps, WEEK_RPS_BEFORE)} (${WEEK_RPS_BEFORE} req/s before)`
          : 'no base',
      ],
      [
        'location-week p99 at 200/s ≤ 25 ms (production)',
        open['week production']!.p99 <= 25,
        `${open['week production']!.p99} ms (lean ${open['week lean']!.p99} ms)`,
      ],
      ...(['user', 'week'] as const).flatMap((k): Array<[string, boolean, string]> => {
        const r = results[k]!;
        const base = r['lean, again']!.rps;
        const tracing = 1 - r.tracing!.rps / base;
        const info = 1 - r['info logs']!.rps / base;
        return [
          [
            `${k}: tracing costs ≤ 15% (against "lean, again")`,
            tracing <= 0.15,
            `${Math.round(tracing * 100)}%`,
          ],
          [
            `${k}: info logging costs ≤ 10% (against "lean, again")`,
            info <= 0.1,
            `${Math.round(info * 100)}%`,
          ],
        ];
      }),
      [
        'start-up ≤ 500 ms median',
        median(startups.users) <= 500 && median(startups.shifts) <= 500,
        `users ${Math.round(median(startups.users))} ms, shifts ${Math.round(median(startups.shifts))} ms`,
      ],
      [
        'RSS after load ≤ 100 MiB (production)',
        Math.max(user.production!.rss!, wk.production!.rss!) <= 100,
        `users ${user.production!.rss} MiB, shifts ${wk.production!.rss} MiB`,
      ],
      [
        'location-week p99 at 1M shifts ≤ 1.5× at 10k',
        open[`week lean, ${grown.toLocaleString('en')} shifts`]!.p99 <= 1.5 * open['week lean']!.p99,
        ratio(open[`week lean, ${grown.toLocaleString('en')} shifts`]!.p99, open['week lean']!.p99),
      ],
    ];
    say();
    say('## Targets (issue 12)');
    say();
    say('| target | met | measured |');
    say('|---|---|---|');
    for (const [name, met, measured] of checks) say(`| ${name} | ${met ? 'yes' : 'no'} | ${measured} |`);
    say();
    say(`Load average at the end: ${loadavg()[0]!.toFixed(2)}. Service logs of this run: ${logs}`);

    const resultsDir = join(ROOT, 'bench/results');
    mkdirSync(resultsDir, { recursive: true });
    const file = join(resultsDir, `api-${new Date().toISOString().slice(0, 10)}.md`);
    writeFileSync(file, `${out.join('\n')}\n`);
    console.log(`\nwritten to ${file}`);
    await usersDb.end();
    await shiftsDb.end();
  } finally {
    await stopAll();
    await admin.end().catch(() => {});
    await sink.close();
    await issuer.close();
    server.stop();
  }
}

/** A pg client as the data set's SQL runner. */
function clientSql(client: pg.Client): Sql {
  return {
    exec: async (text) => void (await client.query(text)),
    query: async (text, params) => {
      const r = await client.query(text, params);
      return { rows: r.rows, affected: r.rowCount ?? 0 };
    },
  };
}

/** Opens a PGlite data folder in this process (with the services' extensions) to write the data set. */
async function withPGlite(dataDir: string, seed: (sql: Sql) => Promise<unknown>) {
  const { PGlite } = await import('@electric-sql/pglite');
  const { btree_gist } = await import('@electric-sql/pglite/contrib/btree_gist');
  const { pg_trgm } = await import('@electric-sql/pglite/contrib/pg_trgm');
  const db = await PGlite.create(dataDir, { extensions: { btree_gist, pg_trgm } });
  try {
    await seed({
      exec: async (text) => void (await db.exec(text)),
      query: async (text, params) => {
        const r = await db.query(text, params);
        return { rows: r.rows as never[], affected: r.affectedRows ?? 0 };
      },
    });
  } finally {
    await db.close();
  }
}

function vegetaVersion(): string {
  const mod = readFileSync(join(import.meta.dirname, '../tools/go.sum'), 'utf8');
  return /github\.com\/tsenart\/vegeta\/v12 (v[\d.]+) /.exec(mod)?.[1] ?? '?';
}

await main();
