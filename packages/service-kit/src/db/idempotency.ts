// Idempotency-Key for POST: the first request with a key does the work and stores its response in the
// same transaction; a repeat with the same key and body replays that response (no second row); the same
// key with another body is refused (422). The key row is inserted first, so a concurrent duplicate waits
// on the unique index until the first commits, then replays. A key is the caller's own: the same key from
// someone else is a different request (it neither replays another's response nor blocks theirs).
import { createHash } from 'node:crypto';
import { sql, type Kysely, type Migration, type Transaction } from 'kysely';
import type { Principal } from '@shiftstack/contract';
import { callerKey } from '../auth/caller-key';
import { ProblemError } from '../errors';
import type { GeneratedTimestamp } from './timestamps';

export const IDEMPOTENCY_TTL_HOURS = 24;

/** Add to a service's migrations to create the table this module uses. */
export const idempotencyMigration: Migration = {
  async up(db) {
    await db.schema
      .createTable('idempotency_keys')
      .addColumn('scope', 'text', (c) => c.notNull())
      .addColumn('key', 'text', (c) => c.notNull())
      .addColumn('request_hash', 'text', (c) => c.notNull())
      .addColumn('status_code', 'integer')
      .addColumn('response', 'jsonb')
      .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
      .addPrimaryKeyConstraint('idempotency_keys_pkey', ['scope', 'key'])
      .execute();
    await db.schema
      .createIndex('idempotency_keys_created_at')
      .on('idempotency_keys')
      .column('created_at')
      .execute();
  },
  async down(db) {
    await db.schema.dropTable('idempotency_keys').execute();
  },
};

interface IdempotencyTable {
  idempotency_keys: {
    scope: string;
    key: string;
    request_hash: string;
    status_code: number | null;
    response: unknown;
    created_at: GeneratedTimestamp;
  };
}

export interface StoredResponse<T> {
  status: number;
  body: T;
  replayed: boolean;
}

export function hashRequest(body: unknown): string {
  return createHash('sha256')
    .update(JSON.stringify(body ?? null))
    .digest('hex');
}

export function validateIdempotencyKey(key: string | undefined): string | undefined {
  if (key === undefined) return undefined;
  if (!/^[\x21-\x7e]{1,255}$/.test(key)) {
    throw new ProblemError({
      status: 400,
      code: 'validation-failed',
      param: 'Idempotency-Key',
      detail: 'Idempotency-Key must be 1-255 visible ASCII characters.',
    });
  }
  return key;
}

/**
 * Runs `work` in a transaction at most once per (scope, caller, key). Without a key it simply runs `work`
 * in a transaction.
 */
export async function withIdempotency<DB, T>(
  db: Kysely<DB>,
  given: { scope: string; caller: Principal; key: string | undefined; request: unknown },
  work: (trx: Transaction<DB>) => Promise<{ status: number; body: T }>,
): Promise<StoredResponse<T>> {
  const opts = { ...given, scope: `${given.scope} by ${callerKey(given.caller)}` };
  if (!opts.key) {
    const done = await db.transaction().execute(work);
    return { ...done, replayed: false };
  }
  const key = opts.key;
  const requestHash = hashRequest(opts.request);
  return db.transaction().execute(async (trx) => {
    const t = trx as unknown as Transaction<IdempotencyTable>;
    await t
      .deleteFrom('idempotency_keys')
      .where('scope', '=', opts.scope)
      .where('key', '=', key)
      .where('created_at', '<', sql<string>`now() - make_interval(hours => ${IDEMPOTENCY_TTL_HOURS})`)
      .execute();
    const inserted = await t
      .insertInto('idempotency_keys')
      .values({ scope: opts.scope, key, request_hash: requestHash })
      .onConflict((oc) => oc.columns(['scope', 'key']).doNothing())
      .returning('key')
      .executeTakeFirst();
    if (!inserted) {
      const existing = await t
        .selectFrom('idempotency_keys')
        .select(['request_hash', 'status_code', 'response'])
        .where('scope', '=', opts.scope)
        .where('key', '=', key)
        .executeTakeFirstOrThrow();
      if (existing.request_hash !== requestHash) {
        throw new ProblemError({
          status: 422,
          code: 'idempotency-key-reused',
          param: 'Idempotency-Key',
          detail: 'This Idempotency-Key was already used with a different request body.',
        });
      }
      if (existing.status_code === null) {
        throw new ProblemError({
          status: 409,
          code: 'idempotency-key-in-flight',
          param: 'Idempotency-Key',
          detail: 'A request with this Idempotency-Key is still being processed. Retry shortly.',
          retryAfter: 1,
        });
      }
      return { status: existing.status_code, body: existing.response as T, replayed: true };
    }
    const done = await work(trx);
    await t
      .updateTable('idempotency_keys')
      .set({ status_code: done.status, response: JSON.stringify(done.body) })
      .where('scope', '=', opts.scope)
      .where('key', '=', key)
      .execute();
    return { ...done, replayed: false };
  });
}
