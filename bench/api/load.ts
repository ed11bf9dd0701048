// Load: vegeta (pinned in bench/tools/go.mod, built once into ~/.cache/shiftstack/bench) for HTTP, pgbench
// for the database's own ceiling. Throughput is closed loop (a fixed number of workers, each sending its
// next request when the last one answered); latency goals are open loop (requests sent at a fixed rate on
// schedule whether or not earlier ones have answered, so a stall shows up as latency, not as fewer requests).
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';

const TOOLS = join(import.meta.dirname, '../tools');
const work = mkdtempSync(join(tmpdir(), 'shiftstack-bench-'));
// Asynchronous, so this process (the issuer, the OTLP sink) keeps answering while the load runs.
const run = promisify(execFile);

export function vegetaBinary(): string {
  const hash = createHash('sha256')
    .update(readFileSync(join(TOOLS, 'go.mod')))
    .update(readFileSync(join(TOOLS, 'go.sum')))
    .digest('hex')
    .slice(0, 16);
  const dir = join(process.env.SHIFTSTACK_BENCH_CACHE ?? join(homedir(), '.cache/shiftstack/bench'), hash);
  const bin = join(dir, 'vegeta');
  if (!existsSync(bin)) {
    mkdirSync(dir, { recursive: true });
    execFileSync('go', ['build', '-o', bin, 'github.com/tsenart/vegeta/v12'], {
      cwd: TOOLS,
      stdio: 'inherit',
    });
  }
  return bin;
}

export interface HttpResult {
  /** Successful (2xx) answers a second. */
  rps: number;
  p50: number;
  p99: number;
  max: number;
  /** Requests that did not answer 2xx (errors and other statuses). */
  failed: number;
  requests: number;
}

export interface Attack {
  url: string;
  headers?: Record<string, string>;
  seconds: number;
  /** Open loop at this many requests a second; closed loop with `workers` when absent. */
  rate?: number;
  workers?: number;
}

const ms = (ns: number) => Math.round(ns / 1e4) / 100;

export async function attack(a: Attack): Promise<HttpResult> {
  const targets = join(work, 'targets.txt');
  const headers = Object.entries(a.headers ?? {}).map(([k, v]) => `${k}: ${v}\n`);
  writeFileSync(targets, `GET ${a.url}\n${headers.join('')}\n`);
  const results = join(work, 'results.bin');
  const bin = vegetaBinary();
  const pacing =
    a.rate !== undefined
      ? [`-rate=${a.rate}/s`, '-workers=16', '-max-workers=512']
      : ['-rate=0', `-workers=${a.workers ?? 16}`, `-max-workers=${a.workers ?? 16}`];
  execFileSync(
    bin,
    [
      'attack',
      `-targets=${targets}`,
      `-duration=${a.seconds}s`,
      '-timeout=10s',
      ...pacing,
      `-output=${results}`,
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  const report = JSON.parse(execFileSync(bin, ['report', '-type=json', results], { encoding: 'utf8' })) as {
    latencies: Record<string, number>;
    throughput: number;
    requests: number;
    success: number;
  };
  const l = report.latencies;
  return {
    rps: Math.round(report.throughput),
    p50: ms(l['50th']!),
    p99: ms(l['99th']!),
    max: ms(l.max!),
    failed: Math.round(report.requests * (1 - report.success)),
    requests: report.requests,
  };
}

/** A statement as a service sent it, with its parameters' text values. */
export interface Statement {
  sql: string;
  /** Text values; null for SQL NULL. */
  params: (string | null)[];
}

/**
 * pgbench running exactly these statements as one transaction script, with `clients` connections: the
 * database's own throughput for what one request asks of it. Simple mode inlines the values as literals;
 * prepared mode (-M prepared) sends them as parameters of statements prepared once per connection.
 */
export async function pgbench(
  bin: string,
  dbUrl: string,
  statements: Statement[],
  opts: { mode: 'simple' | 'prepared'; clients: number; seconds: number },
): Promise<number> {
  const defines: string[] = [];
  const script = statements
    .map((s, i) =>
      s.sql.replace(/\$(\d+)/g, (_, n: string) => {
        const value = s.params[Number(n) - 1] ?? null;
        if (value === null) return 'NULL';
        if (opts.mode === 'simple') return `'${value.replace(/'/g, "''")}'`;
        defines.push('-D', `s${i}p${n}=${value}`);
        return `:s${i}p${n}`;
      }),
    )
    .map((sql) => `${sql};\n`)
    .join('');
  const file = join(work, `script-${opts.mode}.sql`);
  writeFileSync(file, script);
  const { stdout } = await run(bin, [
    '-n',
    '-M',
    opts.mode,
    '-c',
    String(opts.clients),
    '-j',
    '2',
    '-T',
    String(opts.seconds),
    ...defines,
    '-f',
    file,
    dbUrl,
  ]);
  return Math.round(Number(/tps = ([\d.]+)/.exec(stdout)?.[1] ?? 0));
}
