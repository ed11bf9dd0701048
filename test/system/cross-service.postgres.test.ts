// The whole system as `npm start` runs it, on real PostgreSQL: the same acceptance run as on PGlite
// (cross-service.test.ts), and request ids follow into both services. Full tier only.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it, vi } from 'vitest';
import { createPostgresDatabase, postgresAvailable } from '@shiftstack/service-kit/testing';
import { acceptance, launch, requestIdFollows } from './support/cross-service';

vi.setConfig({ testTimeout: 300_000, hookTimeout: 300_000 });

describe('the system on PostgreSQL', () => {
  const available = postgresAvailable();
  const dataDir = mkdtempSync(join(tmpdir(), 'shiftstack-xs-pg-'));
  let run: Awaited<ReturnType<typeof launch>> | undefined;
  beforeAll(async () => {
    if (!available) return;
    run = await launch(dataDir, {
      usersDatabaseUrl: await createPostgresDatabase('xs_users'),
      shiftsDatabaseUrl: await createPostgresDatabase('xs_shifts'),
    });
  });
  afterAll(async () => {
    await run?.system.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it.skipIf(!available)(
    'passes the same acceptance run, and request ids follow into both services',
    async () => {
      const { users } = await acceptance(run!.system);
      await requestIdFollows(run!.system, run!.logs, users[1]!);
    },
  );
});
