// The README's test commands keep their promises: `npm test` (the fast tier) selects only files that need
// nothing but Node.js (a test there that calls for a machine tool fails), `npm run test:all` runs every test
// file in the repository, and no test file falls between the tiers. vitest itself says which files each
// selection holds. The GitHub workflow runs `npm test` on a runner with Node.js alone.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, test } from 'vitest';
import { needs } from '../test/support/system-deps';

const repoRoot = resolve(import.meta.dirname, '..');
const scripts = (
  JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
).scripts;

/** The test files (relative to the repository) a `vitest run` with these arguments would run. */
function filesSelectedBy(args: string[]): string[] {
  const out = execFileSync('npx', ['vitest', 'list', ...args, '--filesOnly', '--json'], {
    cwd: repoRoot,
    encoding: 'utf8',
    env: { ...process.env, VITEST: undefined, VITEST_MODE: undefined, VITEST_POOL_ID: undefined },
  });
  const listed = JSON.parse(out) as Array<{ file: string }>;
  return [...new Set(listed.map((entry) => entry.file.slice(repoRoot.length + 1)))].sort();
}

/** The arguments an npm script passes to `vitest run`, e.g. ["--project", "fast:*"]. */
function vitestArgs(script: string): string[] {
  const command = scripts[script]!;
  expect(command, `npm run ${script}`).toMatch(/^vitest run\b/);
  return [...command.replace(/^vitest run\s*/, '').matchAll(/'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2]!);
}

describe('the two tiers', () => {
  const fast = filesSelectedBy(vitestArgs('test'));
  const all = filesSelectedBy(vitestArgs('test:all'));

  test('npm test is the fast:* projects, npm run test:all every project', () => {
    expect(vitestArgs('test')).toEqual(['--project', 'fast:*']);
    expect(vitestArgs('test:all')).toEqual([]);
    expect(fast.length).toBeGreaterThan(30);
  });

  test('the fast tier holds no file that needs the PostgreSQL server, and refuses any machine tool', () => {
    expect(fast.filter((file) => file.endsWith('.postgres.test.ts'))).toEqual([]);
    // TEST_TIER=fast (vitest.config.ts) turns a test's call for a machine tool into a failure.
    expect(process.env.TEST_TIER).toBe('fast');
    expect(() => needs('podman', null)).toThrow(/belongs in the full suite/);
  });

  test('the full suite holds the fast tier and every test file in the repository', () => {
    expect(all).toEqual(expect.arrayContaining(fast));
    const tracked = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], {
      cwd: repoRoot,
      encoding: 'utf8',
    })
      .split('\n')
      .filter((path) => /\.test\.tsx?$/.test(path) && !path.startsWith('bench/'))
      .sort();
    expect(all).toEqual(tracked);
  });
});
