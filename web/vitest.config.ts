import { defineProject } from 'vitest/config';
import react from '@vitejs/plugin-react';

export default defineProject({
  plugins: [react()],
  test: {
    name: 'fast:web',
    // The fast tier (see the root vitest.config.ts): a test reaching for a machine tool fails here.
    env: { TEST_TIER: 'fast' },
    root: import.meta.dirname,
    include: ['src/**/*.test.{ts,tsx}'],
    environment: 'jsdom',
    setupFiles: ['./src/test/setup.ts'],
    // The CI machine has 2 shared cores; user-event flows can be slow under load.
    testTimeout: 30_000,
  },
});
