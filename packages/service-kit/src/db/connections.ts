// The pool as Kysely sees it, with two things `pg` does not do by itself.
//
// Prepared statements: a statement sent outside a transaction is prepared once per connection under a name
// derived from its text, and later only bound and executed, so PostgreSQL parses and plans it once instead
// of on every request (for a get-by-id, parse and plan were more than half of the server's time). Inside a
// transaction statements stay unnamed, so the one failure a prepared statement adds, "cached plan must not
// change result type" (a migration added a column under a running pod), can always be retried: the failed
// statement did nothing, and the connection, whose cached plans are stale, is closed on release. Each
// connection prepares at most MAX_PREPARED distinct texts (a query with a variable-length IN list has many).
//
// Timed-out clients: a client whose query timed out on the client side is destroyed on release instead of
// reused: its statement may still be running (or stuck) on the server, and every later query on that
// connection would queue behind it.
import { createHash } from 'node:crypto';
import type { PostgresPool, PostgresPoolClient } from 'kysely';
import type pg from 'pg';

export const MAX_PREPARED = 200;

interface ConnectionState {
  prepared: Set<string>;
  inTransaction: boolean;
}

const states = new WeakMap<pg.PoolClient, ConnectionState>();
const names = new Map<string, string>();

/** The statement's name: the same text always gets the same name, in every connection. */
function nameOf(text: string): string {
  let name = names.get(text);
  if (name === undefined) {
    name = `k${createHash('sha1').update(text).digest('base64url')}`;
    if (names.size < 10 * MAX_PREPARED) names.set(text, name);
  }
  return name;
}

const BEGINS = /^\s*(begin|start\s+transaction)\b/i;
const ENDS = /^\s*(commit|rollback|end|abort)\s*;?\s*$/i; // not ROLLBACK TO SAVEPOINT

const isQueryTimeout = (err: unknown) => err instanceof Error && err.message === 'Query read timeout';
const isStalePlan = (err: unknown) =>
  (err as { code?: string } | undefined)?.code === '0A000' &&
  /cached plan must not change result type/.test((err as Error).message);

export function pooledConnections(
  pool: pg.Pool,
  opts: { prepare: boolean } = { prepare: true },
): PostgresPool {
  return {
    async connect(): Promise<PostgresPoolClient> {
      const client = await pool.connect();
      let state = states.get(client);
      if (!state) states.set(client, (state = { prepared: new Set(), inTransaction: false }));
      state.inTransaction = false;
      const s = state;
      let broken: Error | undefined;
      const send = client.query.bind(client) as unknown as (
        config: pg.QueryConfig<unknown[]>,
      ) => Promise<pg.QueryResult>;
      const query = async (text: string, values?: readonly unknown[]) => {
        if (BEGINS.test(text)) s.inTransaction = true;
        else if (ENDS.test(text)) s.inTransaction = false;
        const name = opts.prepare && !s.inTransaction ? preparedName(s, text) : undefined;
        try {
          return await send(
            name ? { name, text, values: values as unknown[] } : { text, values: values as unknown[] },
          );
        } catch (err) {
          if (isQueryTimeout(err)) broken = err as Error;
          if (!(name && isStalePlan(err))) throw err;
          broken = err as Error;
          return send({ text, values: values as unknown[] });
        }
      };
      // Kysely sends SQL text and parameters; anything else (a cursor) goes to pg as it is.
      const dispatch = (first: unknown, values?: readonly unknown[]) =>
        typeof first === 'string' ? query(first, values) : client.query(first as never);
      return {
        query: dispatch as unknown as PostgresPoolClient['query'],
        release: () => client.release(broken),
      };
    },
    end: () => pool.end(),
  };
}

function preparedName(state: ConnectionState, text: string): string | undefined {
  const name = nameOf(text);
  if (state.prepared.has(name)) return name;
  if (state.prepared.size >= MAX_PREPARED) return undefined;
  state.prepared.add(name);
  return name;
}
