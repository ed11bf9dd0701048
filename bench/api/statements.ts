// What one request asks of the database, read from PostgreSQL's own statement log: the benchmark turns it
// on for one request (ALTER SYSTEM + reload reaches the services' open connections too), so pgbench can
// run exactly the statements, with exactly the parameters, that the service sent.
import { readFileSync, statSync } from 'node:fs';
import type pg from 'pg';
import type { Statement } from './load';

const settle = () => new Promise((r) => setTimeout(r, 300));

async function logging(admin: pg.Client, on: boolean) {
  if (on) {
    await admin.query(`alter system set log_statement = 'all'`);
    await admin.query(`alter system set log_line_prefix = '%d|'`);
  } else {
    await admin.query('alter system reset log_statement');
    await admin.query('alter system reset log_line_prefix');
  }
  await admin.query('select pg_reload_conf()');
  await settle();
}

/** The statements sent to `database` while `request` ran, in order. */
export async function statementsOf(
  admin: pg.Client,
  logFile: string,
  database: string,
  request: () => Promise<unknown>,
): Promise<Statement[]> {
  await logging(admin, true);
  const from = statSync(logFile).size;
  await request();
  await settle();
  const text = readFileSync(logFile).subarray(from).toString('utf8');
  await logging(admin, false);
  return parseLog(text, database);
}

/** Log records start with "<database>|<LEVEL>:"; a statement's text may go on over several lines. */
export function parseLog(text: string, database: string): Statement[] {
  const records = text.split(/\n(?=[\w-]*\|[A-Z]+: )/);
  const statements: Statement[] = [];
  for (const record of records) {
    if (!record.startsWith(`${database}|`)) continue;
    const sql = /^[\w-]*\|LOG: {2}(?:execute [^:]+|statement): ([\s\S]*)$/.exec(record)?.[1];
    if (sql !== undefined) {
      statements.push({ sql: sql.trim(), params: [] });
      continue;
    }
    const params = /^[\w-]*\|DETAIL: {2}parameters: ([\s\S]*)$/.exec(record)?.[1];
    const last = statements.at(-1);
    if (params !== undefined && last) {
      for (const m of params.matchAll(/\$(\d+) = (?:NULL|'((?:[^']|'')*)')/g))
        last.params[Number(m[1]) - 1] = m[2] === undefined ? null : m[2].replace(/''/g, "'");
    }
  }
  return statements;
}
