// One rule for every test that needs a tool from the machine (PostgreSQL, Chromium, promtool, kubectl,
// podman...): locally a missing tool skips the test with a message; under REQUIRE_SYSTEM_DEPS=1 (CI) it
// fails, so a green CI run always means the real thing was exercised.
import { execFileSync } from 'node:child_process';

export const systemDepsRequired = process.env.REQUIRE_SYSTEM_DEPS === '1';

/**
 * Fails a test of the fast tier (TEST_TIER=fast, set by vitest.config.ts) that reaches for a tool of the
 * machine: `npm test` promises Node.js alone, so such a test belongs in the full suite.
 */
export function refuseInFastTier(name: string): void {
  if (process.env.TEST_TIER === 'fast')
    throw new Error(
      `${name} is not Node.js: this test belongs in the full suite (npm run test:all), not npm test`,
    );
}

/** Returns true when the dependency is usable; false (test should skip) or throws under REQUIRE_SYSTEM_DEPS=1. */
export function needs(name: string, missingReason: string | null): boolean {
  refuseInFastTier(name);
  if (missingReason === null) return true;
  const message = `${name} is not available: ${missingReason}`;
  if (systemDepsRequired) throw new Error(`${message} (REQUIRE_SYSTEM_DEPS=1)`);
  console.warn(`skipping: ${message}. Install it or set REQUIRE_SYSTEM_DEPS=1 to make this an error.`);
  return false;
}

/** Null when `command` runs (with `args`), else why not. */
export function commandMissing(command: string, args: string[] = ['--version']): string | null {
  try {
    execFileSync(command, args, { stdio: 'ignore', timeout: 30_000 });
    return null;
  } catch (err) {
    return `\`${command} ${args.join(' ')}\` failed: ${(err as Error).message.split('\n')[0]}`;
  }
}
