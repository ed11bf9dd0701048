// Keyset (cursor) pagination. A page is "the next `limit` rows after this key in this order", so walking
// every page returns every row once, in order, even while rows are inserted or deleted meanwhile: unlike
// OFFSET, nothing shifts under the reader. Cursors are opaque base64url JSON: {k: key values, d: direction}.
import { sql, type Expression, type SelectQueryBuilder, type SqlBool } from 'kysely';
import { ProblemError } from '../errors';

type Direction = 'next' | 'prev';
interface DecodedCursor {
  k: Array<string | number | boolean | null>;
  d: Direction;
}

export function encodeCursor(key: DecodedCursor['k'], d: Direction): string {
  return Buffer.from(JSON.stringify({ k: key, d })).toString('base64url');
}

const invalidCursor = () =>
  new ProblemError({
    status: 400,
    code: 'invalid-cursor',
    param: 'cursor',
    detail: 'The cursor is not one this list issued. Start again without a cursor.',
  });

const isKeyValue = (v: unknown) => v === null || ['string', 'number', 'boolean'].includes(typeof v);

export function decodeCursor(cursor: string, width: number): DecodedCursor {
  try {
    const parsed = JSON.parse(
      Buffer.from(cursor, 'base64url').toString('utf8'),
    ) as Partial<DecodedCursor> | null;
    if (
      parsed &&
      Array.isArray(parsed.k) &&
      parsed.k.length === width &&
      parsed.k.every(isKeyValue) &&
      (parsed.d === 'next' || parsed.d === 'prev')
    ) {
      return parsed as DecodedCursor;
    }
  } catch {
    // fall through
  }
  throw invalidCursor();
}

export interface KeysetOptions<Row> {
  /** Order columns, all ascending, the last one unique (e.g. ['last_name', 'first_name', 'id']). */
  columns: string[];
  /** The key of a row: its values for `columns`, JSON-serialisable. */
  keyOf: (row: Row) => DecodedCursor['k'];
  limit: number;
  cursor?: string;
}

export interface KeysetPage<Row> {
  rows: Row[];
  next: string | null;
  prev: string | null;
}

/** A page's `meta` as every list answers it: where the next and previous pages are, and how many came. */
export const pageMeta = (page: KeysetPage<unknown>) => ({
  cursor: { next: page.next, prev: page.prev, count: page.rows.length },
});

/** Runs `query` (already filtered) for one page. Column names must be trusted identifiers. */
export async function paginate<DB, TB extends keyof DB, Row>(
  query: SelectQueryBuilder<DB, TB, Row>,
  opts: KeysetOptions<Row>,
): Promise<KeysetPage<Row>> {
  const cursor = opts.cursor ? decodeCursor(opts.cursor, opts.columns.length) : undefined;
  const backwards = cursor?.d === 'prev';
  const cols = sql.join(opts.columns.map((c) => sql.ref(c)));
  let q = query;
  if (cursor) {
    const values = sql.join(cursor.k.map((v) => sql`${v}`));
    const cmp = backwards ? sql`(${cols}) < (${values})` : sql`(${cols}) > (${values})`;
    q = q.where(cmp as Expression<SqlBool>);
  }
  for (const c of opts.columns) q = q.orderBy(sql.ref(c), backwards ? 'desc' : 'asc');
  const fetched = await q
    .limit(opts.limit + 1)
    .execute()
    .catch((err: unknown) => {
      // A decodable cursor whose values do not fit the key columns (e.g. text for an integer id) makes
      // PostgreSQL raise a data exception (class 22): the cursor was not one we issued.
      const code = (err as { code?: unknown } | null)?.code;
      if (cursor && typeof code === 'string' && code.startsWith('22')) throw invalidCursor();
      throw err;
    });
  const more = fetched.length > opts.limit;
  const rows = fetched.slice(0, opts.limit);
  if (backwards) rows.reverse();
  const first = rows[0];
  const last = rows.at(-1);
  if (backwards) {
    return {
      rows,
      prev: more && first ? encodeCursor(opts.keyOf(first), 'prev') : null,
      next: last ? encodeCursor(opts.keyOf(last), 'next') : cursor ? encodeCursor(cursor.k, 'next') : null,
    };
  }
  return {
    rows,
    next: more && last ? encodeCursor(opts.keyOf(last), 'next') : null,
    prev: cursor && first ? encodeCursor(opts.keyOf(first), 'prev') : null,
  };
}
