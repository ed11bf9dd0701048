import { defineConfig } from 'vitest/config';

// One `vitest run` runs every project. Tests that need PostgreSQL, Chromium, promtool, kubectl or podman
// skip with a message when the tool is missing, and fail instead under REQUIRE_SYSTEM_DEPS=1 (CI).
const pgSetup = './test/support/postgres-global-setup.ts';
const kubectlSetup = './test/support/kubectl-global-setup.ts';

export default defineConfig({
  test: {
    reporters: ['default', './scripts/vitest-summary-reporter.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    // Two cores: running heavy suites (PGlite, PostgreSQL, Chromium) side by side only thrashes.
    maxWorkers: 2,
    projects: [
      {
        extends: true,
        test: { name: 'service-kit', include: ['packages/service-kit/**/*.test.ts'], globalSetup: [pgSetup] },
      },
      { extends: true, test: { name: 'contract', include: ['packages/contract/**/*.test.ts'] } },
      {
        extends: true,
        test: { name: 'users', include: ['services/users/**/*.test.ts'], globalSetup: [pgSetup] },
      },
      {
        extends: true,
        test: { name: 'shifts', include: ['services/shifts/**/*.test.ts'], globalSetup: [pgSetup] },
      },
      {
        extends: true,
        test: {
          name: 'deploy',
          include: ['deploy/**/*.test.ts'],
          globalSetup: [kubectlSetup],
        },
      },
      {
        extends: true,
        test: { name: 'scripts', include: ['scripts/**/*.test.ts'], globalSetup: [kubectlSetup] },
      },
      {
        extends: true,
        test: {
          name: 'system',
          include: ['test/system/**/*.test.ts'],
          globalSetup: [pgSetup],
          testTimeout: 120_000,
          fileParallelism: false,
        },
      },
      './web/vitest.config.ts',
    ],
  },
});
