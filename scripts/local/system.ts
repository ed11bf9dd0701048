// The whole system on one machine: users and shifts as separate processes (each with its own embedded
// PostgreSQL under the data folder, or a real one from USERS_DATABASE_URL / SHIFTS_DATABASE_URL), and the
// front door. Used by `npm start` and by the browser and cross-service tests.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serviceAuthEnv, signIn, startDevIssuer, type DemoAccount } from '@shiftstack/dev-issuer';
import { newestMtime, serviceArgs } from '../lib/services';
import { buildFrontDoor } from './front-door';
import { alreadySeeded, seedDemo } from './seed';

import { LOCAL_ADMIN } from './accounts';

export { LOCAL_ADMIN };

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export interface SystemOptions {
  /** Front door port (0 = any free port). */
  port?: number;
  host?: string;
  usersPort?: number;
  shiftsPort?: number;
  usersAdminPort?: number;
  shiftsAdminPort?: number;
  /** The development issuer's own port (the board reaches it through the front door at /auth). */
  issuerPort?: number;
  dataDir?: string;
  usersDatabaseUrl?: string;
  shiftsDatabaseUrl?: string;
  seed?: boolean;
  /** Build web/dist when it is missing or older than web/src. */
  buildWeb?: boolean;
  /** Child output: 'inherit' for a terminal, 'ignore' for tests. */
  stdio?: 'inherit' | 'ignore' | 'pipe';
  logFormat?: 'json' | 'pretty';
  log?: (line: string) => void;
  /** Extra environment for both services. */
  env?: Record<string, string>;
}

export interface RunningSystem {
  url: string;
  /** The OpenID Connect issuer (the front door's /auth). */
  issuerUrl: string;
  usersUrl: string;
  shiftsUrl: string;
  processes: { users: ChildProcess; shifts: ChildProcess };
  stop(): Promise<void>;
  /** Resolves when a service process exits on its own. */
  exited: Promise<{ service: string; code: number | null }>;
}

export async function ensureWebBuilt(log: (l: string) => void): Promise<string> {
  const dist = join(ROOT, 'web/dist');
  const index = join(dist, 'index.html');
  const src = join(ROOT, 'web/src');
  if (!existsSync(src)) return dist;
  const sources = Math.max(newestMtime(src), newestMtime(join(ROOT, 'web/index.html')));
  if (existsSync(index) && statSync(index).mtimeMs >= sources) return dist;
  log('building the web app (web/dist)...');
  await new Promise<void>((ok, fail) => {
    const p = spawn(
      process.execPath,
      [join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn'],
      {
        cwd: join(ROOT, 'web'),
        stdio: 'inherit',
      },
    );
    p.on('exit', (code) => (code === 0 ? ok() : fail(new Error(`web build failed (exit ${code})`))));
  });
  return dist;
}

async function waitReady(url: string, child: ChildProcess, name: string, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${name} exited with code ${child.exitCode} while starting`);
    try {
      const res = await fetch(`${url}/readyz`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${name} was not ready at ${url} within ${timeoutMs / 1000} s`);
}

function startService(
  name: 'users' | 'shifts',
  env: Record<string, string>,
  stdio: SystemOptions['stdio'],
): ChildProcess {
  return spawn(process.execPath, serviceArgs(name), {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: stdio ?? 'inherit',
    // Own process group: Ctrl-C in a terminal reaches only the runner, which then stops each service
    // with exactly one SIGTERM (a second signal would make a service exit without draining).
    detached: true,
  });
}

function stopChild(child: ChildProcess, timeoutMs = 20_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolveStop) => {
    const killer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', () => {
      clearTimeout(killer);
      resolveStop();
    });
    child.kill('SIGTERM');
  });
}

export async function startSystem(opts: SystemOptions = {}): Promise<RunningSystem> {
  const log = opts.log ?? (() => {});
  const host = opts.host ?? '127.0.0.1';
  const loopback = host === '0.0.0.0' ? '127.0.0.1' : host;
  const dataDir = resolve(opts.dataDir ?? join(ROOT, 'data'));
  mkdirSync(dataDir, { recursive: true });
  const usersPort = opts.usersPort ?? 3001;
  const shiftsPort = opts.shiftsPort ?? 3002;
  const issuerPort = opts.issuerPort ?? 8090;
  const usersUrl = `http://${host}:${usersPort}`;
  const shiftsUrl = `http://${host}:${shiftsPort}`;

  // The front door first: the issuer's URL is the front door's /auth, and the services need it to start.
  const webDist = opts.buildWeb === false ? join(ROOT, 'web/dist') : await ensureWebBuilt(log);
  const door = await buildFrontDoor({
    usersUrl,
    shiftsUrl,
    webDist,
    issuerUrl: `http://127.0.0.1:${issuerPort}`,
  });
  await door.listen({ port: opts.port ?? 8080, host });
  const address = door.server.address();
  const port = typeof address === 'object' && address ? address.port : opts.port;
  const url = `http://${loopback}:${port}`;
  const secrets = { shifts: randomBytes(24).toString('hex'), users: randomBytes(24).toString('hex') };
  const accountsFile = join(dataDir, 'demo-accounts.json');
  const issuer = await startDevIssuer({
    port: issuerPort,
    host: '127.0.0.1',
    publicUrl: `${url}/auth`,
    boardUrls: [url, `http://localhost:${port}`],
    serviceSecrets: secrets,
    accounts: () => demoAccounts(accountsFile),
  }).catch(async (err: unknown) => {
    await door.close();
    throw err;
  });

  const common = {
    HOST: host,
    LOG_FORMAT: opts.logFormat ?? (process.stdout.isTTY ? 'pretty' : 'json'),
    SHUTDOWN_DRAIN_SECONDS: '0', // nothing to take us out of rotation locally
    SHUTDOWN_TIMEOUT_SECONDS: '10',
    // Everything comes from 127.0.0.1 here (browser, seeding, shifts->users), so one client's limit is everyone's.
    RATE_LIMIT_PER_MINUTE: '20000',
    ...opts.env,
  };
  const db = (dbUrl: string | undefined, name: string): Record<string, string> =>
    dbUrl ? { DATABASE_URL: dbUrl } : { PGLITE_DATA_DIR: join(dataDir, name) };
  const users = startService(
    'users',
    {
      ...common,
      PORT: String(usersPort),
      ADMIN_PORT: String(opts.usersAdminPort ?? 9101),
      SHIFTS_URL: shiftsUrl,
      ...serviceAuthEnv('users', issuer.url, secrets, LOCAL_ADMIN),
      ...db(opts.usersDatabaseUrl, 'users'),
    },
    opts.stdio,
  );
  const shifts = startService(
    'shifts',
    {
      ...common,
      PORT: String(shiftsPort),
      ADMIN_PORT: String(opts.shiftsAdminPort ?? 9102),
      USERS_URL: usersUrl,
      ...serviceAuthEnv('shifts', issuer.url, secrets),
      ...db(opts.shiftsDatabaseUrl, 'shifts'),
    },
    opts.stdio,
  );
  const exited = new Promise<{ service: string; code: number | null }>((resolveExit) => {
    users.once('exit', (code) => resolveExit({ service: 'users', code }));
    shifts.once('exit', (code) => resolveExit({ service: 'shifts', code }));
  });
  const stopServices = () => Promise.all([stopChild(users), stopChild(shifts)]).then(() => undefined);
  const stopAll = async () => {
    await door.close();
    await stopServices();
    await issuer.close();
  };
  // If the runner itself dies, do not leave the services behind.
  process.once('exit', () => {
    for (const child of [users, shifts]) if (child.exitCode === null) child.kill('SIGKILL');
  });

  try {
    await Promise.all([waitReady(usersUrl, users, 'users'), waitReady(shiftsUrl, shifts, 'shifts')]);
    if (opts.seed !== false) {
      const admin = (await signIn(issuer.url, LOCAL_ADMIN)).accessToken;
      if (!(await alreadySeeded(usersUrl, admin))) {
        log('first start: creating the demo (2 locations, 30 people, 2 weeks of shifts)...');
        const made = await seedDemo(usersUrl, shiftsUrl, admin);
        writeFileSync(accountsFile, `${JSON.stringify(made.accounts, null, 2)}\n`);
        log(`demo ready: ${made.people} people, ${made.shifts} shifts`);
      }
    }
    return {
      url,
      issuerUrl: issuer.url,
      usersUrl,
      shiftsUrl,
      processes: { users, shifts },
      exited,
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

/** The people offered on the development sign-in page: the admin, and the demo's managers and staff. */
function demoAccounts(file: string): DemoAccount[] {
  const admin = { email: LOCAL_ADMIN, name: 'Admin (first admin)', access: 'admin' };
  if (!existsSync(file)) return [admin];
  return [admin, ...(JSON.parse(readFileSync(file, 'utf8')) as DemoAccount[])];
}
