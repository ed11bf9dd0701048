// A throwaway PostgreSQL server for tests: initdb into a temp folder, start on a free loopback port,
// trust auth, fsync off. Runs as the postgres user when we are root (initdb refuses root).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports';

export interface PostgresServer {
  url: string;
  version: string;
  stop(): void;
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

export async function startPostgres(): Promise<PostgresServer> {
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
  const opts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300`;
  run('pg_ctl', ['-D', data, '-l', join(dir, 'log'), '-w', '-t', '60', '-o', opts, 'start']);
  const version = execFileSync(join(bin, 'postgres'), ['--version']).toString().trim();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    version,
    stop() {
      try {
        run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
