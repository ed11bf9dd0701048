// The whole system as `npm start` runs it (users and shifts as real processes, the front door, the seeded
// demo), exercised only through the front door URL, on embedded PGlite under a data folder: one
// X-Request-Id follows a request into both services' logs, and the data folder survives a restart without
// seeding twice. The same run on PostgreSQL is cross-service.postgres.test.ts.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { acceptance, get, launch, requestIdFollows, type ShiftJson } from './support/cross-service';

vi.setConfig({ testTimeout: 300_000, hookTimeout: 300_000 });

describe('the system on PGlite under a data folder', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'shiftstack-xs-'));
  let run: Awaited<ReturnType<typeof launch>> | undefined;
  beforeAll(async () => {
    run = await launch(dataDir);
  });
  afterAll(async () => {
    await run?.system.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  let before: Awaited<ReturnType<typeof acceptance>>;
  it('serves the seeded demo through the front door: people, locations, roles, this week with names', async () => {
    before = await acceptance(run!.system);
  });

  it('carries an X-Request-Id from a shifts create into both services', async () => {
    await requestIdFollows(run!.system, run!.logs, before.users[0]!);
  });

  it('keeps its data over a restart on the same data folder, without seeding twice', async () => {
    await run!.system.stop();
    run = undefined;
    run = await launch(dataDir);
    const after = await acceptance(run.system);
    expect(after.users.map((u) => u.id)).toEqual(before.users.map((u) => u.id));
    expect(after.shiftCount).toBe(before.shiftCount);
    // the shift made in the previous test is still there
    const qs = new URLSearchParams({
      'start[gte]': '2030-05-01T00:00:00Z',
      'start[lt]': '2030-05-02T00:00:00Z',
    });
    const kept = await get<{ data: ShiftJson[] }>(`${run.system.url}/api/v1/shifts?${qs.toString()}`);
    expect(kept.body.data.map((s) => s.user_id)).toEqual([before.users[0]!.id]);
  });
});
