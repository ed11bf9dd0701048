// Graceful shutdown of a real users process on real PostgreSQL: the write in flight at SIGTERM is
// committed before the process exits 0, and it leaves no connection behind. The same on PGlite, and the
// drain itself, are shutdown.test.ts. Full tier only.
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { createPostgresDatabase, postgresAvailable } from '@shiftstack/service-kit/testing';
import { asTestAdmin, fetchAs } from '../support/auth';
import { exitWithin, killLeftovers, slowPost, start } from './support/shutdown';

// Every API call here is the test admin's, with a token from the test issuer.
fetchAs(asTestAdmin);
killLeftovers();

describe.skipIf(!postgresAvailable())('graceful shutdown of a real users process on PostgreSQL', () => {
  it('an in-flight write at SIGTERM is committed before exit, and the pool is closed', async () => {
    const url = await createPostgresDatabase('shutdown');
    const p = await start({ DATABASE_URL: url, SHUTDOWN_DRAIN_SECONDS: '0' });
    const res = await slowPost(
      p.url,
      { name: 'In Flight PG', timezone: 'Europe/Paris' },
      () => p.child.kill('SIGTERM'),
      300,
    );
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(await exitWithin(p, 30_000), p.output()).toBe(0);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const rows = await client.query<{ name: string }>('select name from locations');
      expect(rows.rows).toEqual([{ name: 'In Flight PG' }]);
      // The service closed its pool: none of its connections is left.
      const left = await client.query<{ n: number }>(
        "select count(*)::int as n from pg_stat_activity where application_name = 'users'",
      );
      expect(left.rows[0]!.n).toBe(0);
    } finally {
      await client.end();
    }
  });
});
