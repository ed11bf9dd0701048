// Runs a service for real, as its own process (its built bundle, exactly as `npm start` and the image do), on free loopback
// ports. Cross-service and shutdown tests use it: nothing is imported across the service boundary.
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { authEnv } from './auth';
import { freePort } from '../../scripts/lib/ports';
import { serviceArgs } from '../../scripts/lib/services';

export const ROOT = resolve(import.meta.dirname, '../..');

export interface ServiceProcess {
  url: string;
  adminUrl: string;
  child: ChildProcess;
  /** Everything the process wrote (JSON log lines). */
  output(): string;
  /** SIGTERM and wait for exit; resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  exited: Promise<number | null>;
}

export async function startServiceProcess(
  service: 'users' | 'shifts',
  env: Record<string, string> = {},
  opts: { waitReady?: boolean; timeoutMs?: number } = {},
): Promise<ServiceProcess> {
  const port = await freePort();
  const adminPort = await freePort();
  let out = '';
  const child = spawn(process.execPath, serviceArgs(service), {
    cwd: ROOT,
    env: {
      ...process.env,
      HOST: '127.0.0.1',
      PORT: String(port),
      ADMIN_PORT: String(adminPort),
      LOG_FORMAT: 'json',
      PGLITE_DATA_DIR: 'memory://',
      SHUTDOWN_DRAIN_SECONDS: '0',
      RATE_LIMIT_PER_MINUTE: '0',
      RATE_LIMIT_PER_PRINCIPAL_PER_MINUTE: '0',
      // users needs somewhere to open a leaver's shifts; tests that deactivate people start shifts there.
      ...(service === 'users' ? { SHIFTS_URL: 'http://127.0.0.1:9' } : {}),
      ...(await authEnv(service)),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  // A test worker that dies (or a hook that times out) must not leave the service running.
  process.once('exit', () => child.exitCode === null && child.kill('SIGKILL'));
  const url = `http://127.0.0.1:${port}`;
  const proc: ServiceProcess = {
    url,
    adminUrl: `http://127.0.0.1:${adminPort}`,
    child,
    output: () => out,
    exited,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode !== null) return child.exitCode;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
  if (opts.waitReady !== false) {
    const deadline = Date.now() + (opts.timeoutMs ?? 90_000);
    for (;;) {
      if (child.exitCode !== null)
        throw new Error(`${service} exited (${child.exitCode}) while starting:\n${out}`);
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`${service} not ready within ${opts.timeoutMs ?? 90_000} ms:\n${out}`);
      }
      const ok = await fetch(`${url}/readyz`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) break;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  return proc;
}
