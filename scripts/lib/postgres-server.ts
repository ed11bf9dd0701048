// A throwaway PostgreSQL server for tests and the benchmark: initdb into a temp folder, start on a free loopback port,
// trust auth, fsync off. Runs as the postgres user when we are root (initdb refuses root).
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports';

export interface PostgresServer {
  url: string;
  version: string;
  /** The folder of the server's programs (initdb, pgbench...). */
  bin: string;
  /** The server's own log (what it writes to stderr). */
  logFile: string;
  /** Stops the server and deletes its data. */
  stop(): void;
  /** Stops the server in place (`pg_ctl stop -m MODE`), keeping its data. */
  shutdown(mode?: 'fast' | 'immediate'): void;
  /** Starts it again after shutdown(), on the same port. */
  start(): void;
  /** Freezes the server and every backend (SIGSTOP), as a hung host would; resume() thaws them. */
  pause(): void;
  resume(): void;
}

function findBinDir(): string | null {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const versions = readdirSync(root).sort((a, b) => Number(a) - Number(b));
  // Prefer 15 (what production targets), else the newest installed.
  const pick = versions.includes('15') ? '15' : versions.at(-1);
  const dir = pick ? join(root, pick, 'bin') : null;
  return dir && existsSync(join(dir, 'initdb')) ? dir : null;
}

export function postgresMissing(): string | null {
  return findBinDir()
    ? null
    : 'no PostgreSQL server binaries under /usr/lib/postgresql (apt-get install postgresql-15)';
}

/**
 * `durable`: commits are acknowledged only once their WAL is written (synchronous_commit=on), so a test
 * that kills the server (pg_ctl stop -m immediate) can hold the services to "nothing acknowledged is lost".
 * Other tests run faster without it.
 */
export async function startPostgres({ durable = false } = {}): Promise<PostgresServer> {
  const bin = findBinDir();
  if (!bin) throw new Error(postgresMissing() ?? 'no postgres');
  const dir = mkdtempSync(join(tmpdir(), 'shiftstack-pg-'));
  chmodSync(dir, 0o777);
  const asRoot = process.getuid?.() === 0;
  const run = (cmd: string, args: string[]) =>
    asRoot
      ? execFileSync('runuser', ['-u', 'postgres', '--', join(bin, cmd), ...args], { stdio: 'pipe' })
      : execFileSync(join(bin, cmd), args, { stdio: 'pipe' });
  const data = join(dir, 'data');
  run('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8', '--locale=C']);
  const port = await freePort();
  const opts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=${durable ? 'on' : 'off'} -c full_page_writes=off -c max_connections=300`;
  const start = () =>
    run('pg_ctl', ['-D', data, '-l', join(dir, 'log'), '-w', '-t', '60', '-o', opts, 'start']);
  start();
  const version = execFileSync(join(bin, 'postgres'), ['--version']).toString().trim();
  const signalAll = (signal: NodeJS.Signals) => {
    for (const pid of serverProcesses(data)) process.kill(pid, signal);
  };
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    version,
    bin,
    logFile: join(dir, 'log'),
    start,
    shutdown(mode = 'fast') {
      run('pg_ctl', ['-D', data, '-m', mode, '-w', '-t', '60', 'stop']);
    },
    pause: () => signalAll('SIGSTOP'),
    resume: () => signalAll('SIGCONT'),
    stop() {
      try {
        signalAll('SIGCONT');
        run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } catch {
        // already stopped
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

/** The postmaster (first line of postmaster.pid) and its children, from /proc. */
function serverProcesses(data: string): number[] {
  const pidFile = join(data, 'postmaster.pid');
  if (!existsSync(pidFile)) return [];
  const postmaster = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  const children = readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        // /proc/PID/stat: "pid (comm) state ppid ..."; comm may hold spaces, so read after the last ')'.
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === postmaster;
      } catch {
        return false; // exited meanwhile
      }
    })
    .map(Number);
  return [postmaster, ...children];
}
