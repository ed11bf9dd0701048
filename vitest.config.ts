import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defineConfig, type TestProjectInlineConfiguration } from 'vitest/config';

// Two tiers, one runner (docs/development.md, "Tests"):
// - the fast tier, `npm test`: the projects named `fast:*`. Node.js and npm alone: the contract, the
//   chassis, the web components, users and shifts on PGlite, and the system's own processes over real
//   HTTP on PGlite. No root, no Go, no Debian package.
// - the full suite, `npm run test:all`: every project. It adds what needs the machine: the same service
//   suites on PostgreSQL 15, the manifests (kubectl, promtool), Chromium, podman and the real cluster.
//   A test whose tool is missing skips with the reason, and fails instead under REQUIRE_SYSTEM_DEPS=1 (CI).
// A file named *.postgres.test.ts needs the PostgreSQL server and is in the full suite only.
const pgSetup = './test/support/postgres-global-setup.ts';
const kubectlSetup = './test/support/kubectl-global-setup.ts';
const onPostgres = '**/*.postgres.test.ts';

/** A project of the fast tier: its tests fail if they reach for a machine tool (test/support/system-deps.ts). */
const fast = (
  test: { name: string; include: string[] } & Record<string, unknown>,
): TestProjectInlineConfiguration => ({
  extends: true,
  test: { ...test, name: `fast:${test.name}`, env: { TEST_TIER: 'fast', DB_KINDS: 'pglite' } },
});

/** The system tests that need only Node.js: they start the services, the issuer and the front door as processes on PGlite. */
const nodeOnlySystem = ['config', 'cross-service', 'local-run', 'permissions', 'shutdown', 'tracing'].map(
  (name) => `test/system/${name}.test.ts`,
);

/**
 * The test files of a service that run once per database (they call `describeOnDatabases`): the fast tier
 * runs them on PGlite, the full suite again on PostgreSQL. The file says so itself; this only reads it.
 */
function onEachDatabase(dir: string): string[] {
  return readdirSync(dir)
    .filter((file) => file.endsWith('.test.ts'))
    .map((file) => join(dir, file))
    .filter((file) => readFileSync(file, 'utf8').includes('describeOnDatabases('));
}

/** A service's suites: in the fast tier on PGlite (all of them), in the full suite on PostgreSQL (those that run per database). */
const serviceProjects = (service: 'users' | 'shifts'): TestProjectInlineConfiguration[] => [
  fast({ name: service, include: [`services/${service}/**/*.test.ts`], exclude: [onPostgres] }),
  {
    extends: true,
    test: {
      name: `postgres:${service}`,
      include: [...onEachDatabase(`services/${service}/test`), `services/${service}/**/${onPostgres}`],
      env: { DB_KINDS: 'postgres' },
      globalSetup: [pgSetup],
    },
  },
];

// No project turns off file parallelism: vitest 4 runs such projects in a group of their own, after all
// the others, where they would wait for the cluster file instead of running beside it. With two workers and
// the cluster file (the largest, so started first) holding one, the rest share the other.
export default defineConfig({
  test: {
    reporters: ['default', './scripts/vitest-summary-reporter.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    // Two cores: running heavy suites (PGlite, PostgreSQL, Chromium) side by side only thrashes.
    maxWorkers: 2,
    projects: [
      fast({ name: 'contract', include: ['packages/contract/**/*.test.ts'] }),
      fast({ name: 'service-kit', include: ['packages/service-kit/**/*.test.ts'], exclude: [onPostgres] }),
      fast({ name: 'dev-issuer', include: ['packages/dev-issuer/**/*.test.ts'] }),
      ...serviceProjects('users'),
      ...serviceProjects('shifts'),
      './web/vitest.config.ts',
      fast({ name: 'scripts', include: ['scripts/walls.test.ts', 'scripts/tiers.test.ts'] }),
      fast({ name: 'system', include: nodeOnlySystem, testTimeout: 120_000 }),
      {
        extends: true,
        test: {
          name: 'postgres:service-kit',
          include: [`packages/service-kit/**/${onPostgres}`],
          env: { DB_KINDS: 'postgres' },
          globalSetup: [pgSetup],
        },
      },
      {
        extends: true,
        test: { name: 'deploy', include: ['deploy/**/*.test.ts'], globalSetup: [kubectlSetup] },
      },
      {
        extends: true,
        test: {
          name: 'scripts',
          include: ['scripts/**/*.test.ts'],
          exclude: ['scripts/walls.test.ts', 'scripts/tiers.test.ts'],
          globalSetup: [kubectlSetup],
        },
      },
      {
        extends: true,
        test: {
          name: 'system',
          include: ['test/system/**/*.test.ts'],
          exclude: [...nodeOnlySystem, 'test/system/cluster.test.ts'],
          env: { DB_KINDS: 'postgres' },
          globalSetup: [pgSetup],
          testTimeout: 120_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'cluster',
          include: ['test/system/cluster.test.ts'],
          testTimeout: 120_000,
        },
      },
    ],
  },
});
