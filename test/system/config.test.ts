// A service started with a bad environment refuses to start: it exits non-zero before listening, and its
// stderr lists EVERY problem in one message, so an operator fixes the deployment in one pass.
import { describe, expect, it } from 'vitest';
import { startServiceProcess } from '../support/service-process';

async function exitWithin(
  p: { exited: Promise<number | null>; child: { kill(sig: NodeJS.Signals): boolean } },
  ms: number,
) {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), ms);
  });
  const result = await Promise.race([p.exited, timedOut]);
  clearTimeout(timer);
  if (result === 'timeout') p.child.kill('SIGKILL');
  return result;
}

describe('configuration errors at boot (real processes)', () => {
  it('shifts: lists every bad or missing variable in one message and exits 1', async () => {
    const proc = await startServiceProcess(
      'shifts',
      {
        PORT: 'abc',
        USERS_URL: '',
        LOG_LEVEL: 'loud',
        SHUTDOWN_DRAIN_SECONDS: '-1',
        DATABASE_URL: 'mysql://shifts:hunter2@db.internal/shifts',
      },
      { waitReady: false },
    );
    const code = await exitWithin(proc, 60_000);
    const out = proc.output();
    expect(code, out).toBe(1);
    // One message: a header, then one line per problem.
    const header = out.indexOf('shifts: invalid configuration:');
    expect(header, out).toBeGreaterThanOrEqual(0);
    const message = out.slice(header);
    for (const variable of ['USERS_URL', 'PORT', 'LOG_LEVEL', 'SHUTDOWN_DRAIN_SECONDS', 'DATABASE_URL']) {
      expect(message, variable).toMatch(new RegExp(`^\\s+- ${variable}: `, 'm'));
    }
    expect(message).toMatch(/- USERS_URL: .*\(not set\)/);
    expect(message).toMatch(/- PORT: .*\(got "abc"\)/);
    expect(message).toMatch(/- LOG_LEVEL: .*\(got "loud"\)/);
    // The password in a bad DATABASE_URL is never echoed.
    expect(out).not.toContain('hunter2');
    expect(message).toContain('shifts:***@db.internal');
    // It never got as far as listening.
    expect(out).not.toMatch(/listening/);
  });

  it('users: a single bad variable is reported the same way', async () => {
    const proc = await startServiceProcess(
      'users',
      { BODY_LIMIT_BYTES: '10', DB_POOL_MAX: 'many' },
      { waitReady: false },
    );
    const code = await exitWithin(proc, 60_000);
    const out = proc.output();
    expect(code, out).toBe(1);
    const message = out.slice(out.indexOf('users: invalid configuration:'));
    expect(message).toMatch(/^\s+- BODY_LIMIT_BYTES: .*\(got 10\)/m);
    expect(message).toMatch(/^\s+- DB_POOL_MAX: .*\(got "many"\)/m);
    expect(out).not.toMatch(/listening/);
  });
});
