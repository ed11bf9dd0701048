// The peer the services are measured against: a minimal Fastify 5 + pg service answering the two benchmarked
// requests with the same SQL and the same JSON (the benchmark checks the bodies are identical), and nothing
// else: no authentication, validation, metrics, rate limit or logging. PEER_PREPARED=1 sends each query as a
// named prepared statement. Assignee names come from a map loaded once at start-up, as a warm cache would
// hold them. Run by bench/api/run.ts as its own process; never part of the product.
import Fastify from 'fastify';
import pg from 'pg';

const env = process.env;
const prepared = env.PEER_PREPARED === '1';
// DATE as its 'YYYY-MM-DD' text, as the services read it.
const types = {
  getTypeParser: ((oid: number, format?: 'text') =>
    oid === 1082 ? (v: string) => v : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};
const users = new pg.Pool({ connectionString: env.USERS_DATABASE_URL, max: 10, types });
const shifts = new pg.Pool({ connectionString: env.SHIFTS_DATABASE_URL, max: 10, types });

const USER_SQL = `select "users".*, array(select ul.location_id from user_locations ul where ul.user_id = users.id order by 1) as "location_ids", array(select ur.role_id from user_roles ur where ur.user_id = users.id order by 1) as "role_ids" from "users" where "users"."id" = $1`;
const WEEK_SQL = `select * from "shifts" where "start_at" >= $1 and "start_at" < $2 and "location_id" = $3 and "deleted_at" is null order by "start_at" asc, "id" asc limit $4`;

const query = (pool: pg.Pool, name: string, text: string, values: unknown[]) =>
  pool.query(prepared ? { name, text, values } : { text, values });

const iso = (d: Date | null) => (d ? d.toISOString() : null);

const names = new Map<number, { id: number; first_name: string; last_name: string }>();
for (const r of (await users.query('select id, first_name, last_name from users')).rows)
  names.set(r.id, { id: r.id, first_name: r.first_name, last_name: r.last_name });

const app = Fastify({ keepAliveTimeout: 72_000 }); // as the services keep connections
app.get<{ Params: { id: string } }>('/api/v1/users/:id', async (req, reply) => {
  const { rows } = await query(users, 'user', USER_SQL, [Number(req.params.id)]);
  const r = rows[0];
  if (!r) return reply.code(404).send({ code: 'not-found' });
  return {
    id: r.id,
    first_name: r.first_name,
    last_name: r.last_name,
    email: r.email,
    mobile_number: r.mobile_number,
    type: r.type,
    active: r.active,
    inactive_reason: r.inactive_reason,
    hire_date: r.hire_date,
    location_ids: r.location_ids,
    role_ids: r.role_ids,
    version: r.version,
    created_at: iso(r.created_at),
    updated_at: iso(r.updated_at),
  };
});

app.get<{ Querystring: Record<string, string> }>('/api/v1/shifts', async (req) => {
  const q = req.query;
  const limit = Number(q.limit ?? 50);
  const { rows } = await query(shifts, 'week', WEEK_SQL, [
    q['start[gte]'],
    q['start[lt]'],
    Number(q.location_id),
    limit + 1,
  ]);
  const data = rows.slice(0, limit).map((r) => ({
    id: r.id,
    location_id: r.location_id,
    role_id: r.role_id,
    user_id: r.user_id,
    start: iso(r.start_at),
    end: iso(r.end_at),
    timezone: r.timezone,
    break_minutes: r.break_minutes,
    notes: r.notes,
    status: r.status,
    published_at: iso(r.published_at),
    deleted_at: iso(r.deleted_at),
    version: r.version,
    created_at: iso(r.created_at),
    updated_at: iso(r.updated_at),
    assignee: r.user_id === null ? null : (names.get(r.user_id) ?? null),
  }));
  return { data, meta: { cursor: { next: null, prev: null, count: data.length } } };
});

await app.listen({ host: '127.0.0.1', port: Number(env.PORT) });
