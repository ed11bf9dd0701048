// The issuer as its own process (the dev cluster's): it has no passwords, so it refuses to start unless
// the environment says development in so many words; told so, it starts and serves its discovery document.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createServer } from 'node:net';

const MAIN = join(import.meta.dirname, 'main.ts');

/** A port nothing listens on now (the issuer's process takes it a moment later). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as { port: number };
  await new Promise((ok) => server.close(ok));
  return port;
}

function start(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
    env: {
      PATH: process.env.PATH,
      PUBLIC_URL: 'http://127.0.0.1/auth',
      BOARD_URLS: 'http://127.0.0.1',
      SHIFTS_CLIENT_SECRET: 'shifts-secret-for-tests-0001',
      USERS_CLIENT_SECRET: 'users-secret-for-tests-0001',
      HOST: '127.0.0.1',
      ...env,
    },
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  return { child, exited, output: () => output };
}

describe('the development issuer process', () => {
  it.each([
    ['nothing said', {}],
    ['NODE_ENV=development alone', { NODE_ENV: 'development' }],
    ['the setting alone', { SHIFTSTACK_DEV_ISSUER: 'development-only-no-passwords' }],
    ['another value', { NODE_ENV: 'development', SHIFTSTACK_DEV_ISSUER: 'yes' }],
  ])('refuses to start with %s', async (_what, env) => {
    const p = start(env);
    expect(await p.exited).toBe(1);
    expect(p.output()).toMatch(/refuses to start: anyone can sign in as anyone/);
  });

  it('starts when the environment says development in so many words', async () => {
    const port = await freePort();
    const p = start({
      NODE_ENV: 'development',
      SHIFTSTACK_DEV_ISSUER: 'development-only-no-passwords',
      PORT: String(port),
    });
    try {
      await expect.poll(() => p.output(), { timeout: 20_000 }).toContain('dev-issuer listening');
      const res = await fetch(`http://127.0.0.1:${port}/auth/.well-known/openid-configuration`);
      expect(res.status).toBe(200);
    } finally {
      p.child.kill('SIGTERM');
      await p.exited;
    }
  });
});
