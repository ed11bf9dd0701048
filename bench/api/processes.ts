// The processes a benchmark run starts (services, peers) and what it reads about them from /proc.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { freePort } from '../../scripts/lib/ports';

export interface Proc {
  name: string;
  url: string;
  child: ChildProcess;
  /** Milliseconds from spawn to the first successful readiness answer. */
  startupMs: number;
  stop(): Promise<void>;
}

/**
 * Starts `node <args>` with PORT (and ADMIN_PORT) set, and waits until `readyPath` answers 2xx. Output goes
 * to `logFile` (a service's log lines are written as in production, to a file a collector would read).
 */
export async function startProc(
  name: string,
  args: string[],
  env: Record<string, string>,
  opts: { readyPath: string; logFile: string; timeoutMs?: number },
): Promise<Proc> {
  const port = await freePort();
  const adminPort = await freePort();
  // The process writes its log straight to the file, as a container's output goes to the node's log files:
  // a pipe read by this (busy) process would throttle it instead.
  const log = openSync(opts.logFile, 'a');
  const started = performance.now();
  const child = spawn(process.execPath, args, {
    env: { ...process.env, HOST: '127.0.0.1', PORT: String(port), ADMIN_PORT: String(adminPort), ...env },
    stdio: ['ignore', log, log],
  });
  closeSync(log);
  process.once('exit', () => child.exitCode === null && child.kill('SIGKILL'));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (opts.timeoutMs ?? 120_000);
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited (${child.exitCode}); see ${opts.logFile}`);
    if (Date.now() > deadline) throw new Error(`${name} not ready in time; see ${opts.logFile}`);
    const ok = await fetch(`${url}${opts.readyPath}`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    await new Promise((r) => setTimeout(r, 5));
  }
  const startupMs = performance.now() - started;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return {
    name,
    url,
    child,
    startupMs,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

export function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Math.round(Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024);
}

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** A process's name and the fields of /proc/PID/stat after it (the name may hold spaces). */
function stat(pid: number | string): { name: string; fields: string[] } {
  const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const close = text.lastIndexOf(')');
  return { name: text.slice(text.indexOf('(') + 1, close), fields: text.slice(close + 2).split(' ') };
}

/** utime + stime (fields 14 and 15 of stat), in seconds. */
const ownSeconds = (fields: string[]) => (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;

/** User + system CPU seconds a process has used so far. */
export function cpuSeconds(pid: number): number {
  return ownSeconds(stat(pid).fields);
}

/**
 * CPU seconds used by the PostgreSQL server so far: its live processes, plus what the postmaster collected
 * from backends that have exited (its children's time), so closing connections do not lose their share.
 */
export function postgresCpuSeconds(): number {
  let total = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const { name, fields } = stat(entry);
      if (name !== 'postgres') continue;
      const postmaster = stat(fields[1]!).name !== 'postgres';
      const children = postmaster ? (Number(fields[13]) + Number(fields[14])) / TICKS_PER_SECOND : 0;
      total += ownSeconds(fields) + children;
    } catch {
      // exited meanwhile
    }
  }
  return total;
}
