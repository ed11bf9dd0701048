// A tiny stand-in for the front door, for the web benchmark: serves web/dist (with the SPA fallback) and an
// in-memory /api/v1 with generated people and shifts. It speaks the contract's shapes, not its every rule:
// good enough to time the board, never a substitute for the real services in tests.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import type { Location, Role, Shift, User } from '@shiftstack/contract';

export interface FakeOptions {
  people: number;
  /** Shifts per person per day in the generated week (1 = one shift every day). */
  days: number;
  distDir: string;
  timeZone?: string;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
};

const FIRST = [
  'Ada',
  'Ben',
  'Chloe',
  'Dev',
  'Elena',
  'Farid',
  'Grace',
  'Hugo',
  'Iris',
  'Jon',
  'Kira',
  'Luis',
];
const LAST = [
  'Adams',
  'Brown',
  'Chen',
  'Diaz',
  'Evans',
  'Fischer',
  'Garcia',
  'Hughes',
  'Ito',
  'Jones',
  'Khan',
];

function iso(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Monday 00:00 UTC of the current week (the fake location is in UTC, so zone days = UTC days). */
function mondayUtc(now = new Date()): Date {
  const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  d.setUTCDate(d.getUTCDate() - ((d.getUTCDay() + 6) % 7));
  return d;
}

export function generate(opts: FakeOptions) {
  const now = iso(new Date());
  const tz = opts.timeZone ?? 'UTC';
  const location: Location = {
    id: 1,
    name: 'Bench Street',
    timezone: tz,
    overtime_hours_per_week: 40,
    min_rest_hours: 11,
    version: 1,
    created_at: now,
    updated_at: now,
  };
  const roles: Role[] = ['Barista', 'Cashier', 'Cook', 'Host', 'Manager'].map((name, i) => ({
    id: i + 1,
    location_id: 1,
    name,
    created_at: now,
    updated_at: now,
  }));
  const users: User[] = Array.from({ length: opts.people }, (_, i) => ({
    id: i + 1,
    first_name: FIRST[i % FIRST.length]!,
    last_name: `${LAST[Math.floor(i / FIRST.length) % LAST.length]!}${i >= FIRST.length * LAST.length ? i : ''}`,
    email: `person${i + 1}@example.com`,
    mobile_number: null,
    type: 'employee',
    active: true,
    inactive_reason: null,
    hire_date: null,
    location_ids: [1],
    role_ids: [(i % roles.length) + 1],
    version: 1,
    created_at: now,
    updated_at: now,
  }));
  const monday = mondayUtc();
  const shifts: Shift[] = [];
  let id = 1;
  for (const u of users) {
    for (let day = 0; day < opts.days; day++) {
      const start = new Date(monday.getTime() + day * 86_400_000 + (7 + (u.id % 5)) * 3_600_000);
      const end = new Date(start.getTime() + 8 * 3_600_000);
      shifts.push({
        id: id++,
        location_id: 1,
        role_id: u.role_ids[0] ?? null,
        user_id: u.id,
        start: iso(start),
        end: iso(end),
        timezone: tz,
        break_minutes: 30,
        notes: null,
        status: day % 3 === 0 ? 'draft' : 'published',
        published_at: null,
        deleted_at: null,
        version: 1,
        created_at: now,
        updated_at: now,
        assignee: { id: u.id, first_name: u.first_name, last_name: u.last_name },
      });
    }
  }
  return { location, roles, users, shifts };
}

function send(res: ServerResponse, status: number, body: unknown, type = 'application/json') {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function page<T>(data: T[]) {
  return { data, meta: { cursor: { next: null, prev: null, count: data.length } } };
}

async function readBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString();
  return text ? (JSON.parse(text) as Record<string, unknown>) : {};
}

export async function startFakeApi(
  opts: FakeOptions,
): Promise<{ server: Server; url: string; close: () => Promise<void> }> {
  const db = generate(opts);
  let nextId = db.shifts.length + 1;
  const index = await readFile(join(opts.distDir, 'index.html'));

  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const p = url.pathname;
      if (p.startsWith('/api/v1/')) {
        if (req.method === 'GET' && p === '/api/v1/locations') return send(res, 200, page([db.location]));
        if (req.method === 'GET' && p === '/api/v1/roles') return send(res, 200, page(db.roles));
        if (req.method === 'GET' && p === '/api/v1/users') return send(res, 200, page(db.users));
        if (req.method === 'GET' && p === '/api/v1/shifts') {
          const gte = url.searchParams.get('start[gte]') ?? '';
          const lt = url.searchParams.get('start[lt]') ?? '';
          return send(
            res,
            200,
            page(db.shifts.filter((s) => s.start >= gte && s.start < lt && !s.deleted_at)),
          );
        }
        if (req.method === 'POST' && p === '/api/v1/shifts') {
          const body = await readBody(req);
          const now = iso(new Date());
          const s = {
            ...(body as unknown as Shift),
            id: nextId++,
            timezone: db.location.timezone,
            status: 'draft' as const,
            published_at: null,
            deleted_at: null,
            version: 1,
            created_at: now,
            updated_at: now,
            notes: (body.notes as string | null) ?? null,
            break_minutes: (body.break_minutes as number) ?? 0,
            role_id: (body.role_id as number | null) ?? null,
            user_id: (body.user_id as number | null) ?? null,
          };
          db.shifts.push(s);
          return send(res, 201, s);
        }
        if (req.method === 'POST' && p === '/api/v1/shifts/publish') {
          const ids = db.shifts.filter((s) => s.status === 'draft').map((s) => s.id);
          for (const s of db.shifts) s.status = 'published';
          return send(res, 200, {
            location_id: 1,
            start: '',
            end: '',
            published_count: ids.length,
            shift_ids: ids,
          });
        }
        return send(
          res,
          404,
          { type: 'about:blank', title: 'Not Found', status: 404, code: 'route-not-found' },
          'application/problem+json',
        );
      }
      const file = normalize(p).replace(/^(\.\.[/\\])+/, '');
      if (file !== '/' && extname(file)) {
        try {
          const body = await readFile(join(opts.distDir, file));
          res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
          return res.end(body);
        } catch {
          res.writeHead(404).end();
          return;
        }
      }
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-cache' });
      res.end(index);
    })().catch((err: unknown) => {
      res.writeHead(500).end(String(err));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    server,
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
