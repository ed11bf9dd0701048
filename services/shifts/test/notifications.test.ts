// Notifications end to end, on PGlite and PostgreSQL, against the REAL users service and a local webhook
// receiver: a publish gives exactly one event per person with shifts in it, changes to published shifts
// tell the people they concern, drafts tell nobody; events written while the receiver is down are
// delivered after a restart, and none is acknowledged twice.
import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { describeOnDatabases } from '@shiftstack/service-kit/testing';
import { deliverDue, recordNotifications, signature } from '../src/notifications/outbox';
import { buildTestShiftsApp } from './harness';
import { startUsersFixture, type UsersFixture } from './users-fixture';

vi.setConfig({ testTimeout: 60_000, hookTimeout: 120_000 });

interface Received {
  id: string;
  kind: string;
  user_id: number;
  shift_ids?: number[];
  shift?: { id: number; start: string };
  shift_id?: number;
}

/** A webhook receiver that records what it acknowledged (200), or refuses everything (503) while down. */
async function startReceiver() {
  const acked: Received[] = [];
  let down = false;
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      if (down) return res.writeHead(503).end();
      const event = JSON.parse(body) as Received;
      expect(req.headers['x-shiftstack-event-id']).toBe(event.id);
      acked.push(event);
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`,
    acked,
    setDown: (v: boolean) => (down = v),
    close: () => new Promise<void>((ok) => server.close(() => ok())),
  };
}

let fx: UsersFixture;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
beforeAll(async () => {
  [fx, receiver] = await Promise.all([startUsersFixture(3), startReceiver()]);
}, 120_000);
afterAll(async () => {
  await Promise.all([fx?.stop(), receiver?.close()]);
});

describeOnDatabases('notifications on %s', (kind) => {
  let t: Awaited<ReturnType<typeof buildTestShiftsApp>>;
  beforeAll(async () => {
    receiver.acked.length = 0;
    t = await buildTestShiftsApp(kind, fx.users.url, {}, { notifyUrl: receiver.url });
  });
  afterAll(async () => {
    await t?.close();
  });

  const made = async (body: Record<string, unknown>) => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/shifts',
      payload: { location_id: fx.locA, ...body },
    });
    expect(res.statusCode, res.body).toBe(201);
    return res.json<{ id: number; version: number }>();
  };
  const publish = (start: string, end: string) =>
    t.app.inject({
      method: 'POST',
      url: '/api/v1/shifts/publish',
      payload: { location_id: fx.locA, start, end },
    });
  const since = (n: number) => receiver.acked.slice(n).map((e) => [e.kind, e.user_id]);
  const outbox = () =>
    t.database.db.selectFrom('outbox').select(['id', 'delivered_at', 'attempts']).execute();

  it('a publish: exactly one event per person with shifts in it, none for open shifts', async () => {
    const [a, b] = [fx.people[0]!, fx.people[1]!];
    const a1 = await made({ user_id: a, start: '2034-02-06T14:00:00Z', end: '2034-02-06T20:00:00Z' });
    const a2 = await made({ user_id: a, start: '2034-02-07T14:00:00Z', end: '2034-02-07T20:00:00Z' });
    const b1 = await made({ user_id: b, start: '2034-02-06T14:00:00Z', end: '2034-02-06T20:00:00Z' });
    await made({ start: '2034-02-08T14:00:00Z', end: '2034-02-08T20:00:00Z' });
    expect((await publish('2034-02-06T00:00:00Z', '2034-02-13T00:00:00Z')).statusCode).toBe(200);
    await expect.poll(() => receiver.acked.length, { timeout: 15_000 }).toBe(2);
    const byPerson = new Map(receiver.acked.map((e) => [e.user_id, e]));
    expect(byPerson.get(a)).toMatchObject({ kind: 'schedule.published', shift_ids: [a1.id, a2.id] });
    expect(byPerson.get(b)).toMatchObject({ kind: 'schedule.published', shift_ids: [b1.id] });
    // Publishing again changes nothing, and tells nobody.
    await publish('2034-02-06T00:00:00Z', '2034-02-13T00:00:00Z');
    await expect.poll(async () => (await outbox()).every((r) => r.delivered_at !== null)).toBe(true);
    expect(await outbox()).toHaveLength(2);
  });

  it('changes to a published shift tell the people they concern; changes to drafts tell nobody', async () => {
    const [a, b] = [fx.people[0]!, fx.people[1]!];
    const before = receiver.acked.length;
    const draft = await made({ user_id: b, start: '2034-03-06T14:00:00Z', end: '2034-03-06T20:00:00Z' });
    const patch = (id: number, version: number, payload: object) =>
      t.app.inject({
        method: 'PATCH',
        url: `/api/v1/shifts/${id}`,
        payload,
        headers: { 'if-match': `"${version}"` },
      });
    expect((await patch(draft.id, 1, { notes: 'draft only' })).statusCode).toBe(200);
    const shift = await made({
      user_id: a,
      start: '2034-03-07T14:00:00Z',
      end: '2034-03-07T20:00:00Z',
      status: 'published',
    });
    expect((await patch(shift.id, 1, { start: '2034-03-07T15:00:00Z' })).statusCode).toBe(200);
    expect((await patch(shift.id, 2, { user_id: b })).statusCode).toBe(200);
    const gone = await t.app.inject({
      method: 'DELETE',
      url: `/api/v1/shifts/${shift.id}`,
      headers: { 'if-match': '"3"' },
    });
    expect(gone.statusCode).toBe(204);
    await expect.poll(() => receiver.acked.length - before, { timeout: 15_000 }).toBe(4);
    expect(since(before)).toEqual([
      ['shift.changed', a],
      ['shift.unassigned', a],
      ['shift.changed', b],
      ['shift.cancelled', b],
    ]);
    expect(receiver.acked.at(before)?.shift).toMatchObject({
      id: shift.id,
      start: '2034-03-07T15:00:00.000Z',
    });
  });

  it('keeps what it could not deliver, delivers it after a restart, and acknowledges each event once', async () => {
    receiver.setDown(true);
    const before = receiver.acked.length;
    const c = fx.people[2]!;
    await made({ user_id: c, start: '2034-04-03T14:00:00Z', end: '2034-04-03T20:00:00Z' });
    expect((await publish('2034-04-03T00:00:00Z', '2034-04-10T00:00:00Z')).statusCode).toBe(200);
    // Tried and refused at least once.
    await expect
      .poll(async () => (await outbox()).some((r) => r.delivered_at === null && r.attempts > 0), {
        timeout: 15_000,
      })
      .toBe(true);
    // The service stops (its database stays), the receiver comes back, the service starts again.
    await t.app.close();
    receiver.setDown(false);
    t = await buildTestShiftsApp(kind, fx.users.url, {}, { notifyUrl: receiver.url, database: t.database });
    // Its retry is at most a few seconds away.
    await expect.poll(() => receiver.acked.length - before, { timeout: 20_000 }).toBe(1);
    expect(since(before)).toEqual([['schedule.published', c]]);
    const ids = receiver.acked.map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    // Marked delivered once the receiver's 200 is in (a moment after it answered).
    await expect.poll(async () => (await outbox()).filter((r) => r.delivered_at === null).length).toBe(0);
  });
});

describe('a post to the webhook (pglite)', () => {
  const SECRET = 'a-webhook-secret-of-some-length';
  let t: Awaited<ReturnType<typeof buildTestShiftsApp>>;
  let server: Server;
  let base: string;
  const seen: Array<{ url: string; signature: string; body: string }> = [];
  beforeAll(async () => {
    t = await buildTestShiftsApp('pglite', fx.users.url); // no delivery loop of its own
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        seen.push({ url: req.url!, signature: String(req.headers['x-shiftstack-signature']), body });
        if (req.url === '/moved') return res.writeHead(302, { location: `${base}/elsewhere` }).end();
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await t?.close();
    await new Promise<void>((ok) => server?.close(() => ok()));
  });

  const deliver = async (path: string) => {
    await recordNotifications(t.database.db, [
      { kind: 'shift.changed', user_id: 1, payload: { shift_id: 9 } },
    ]);
    const logger = pino({ level: 'silent' });
    await deliverDue({ db: t.database.db, url: `${base}${path}`, secret: SECRET, logger });
  };

  it('is signed over the time of sending and the body, so a receiver can refuse a replay later', async () => {
    await deliver('/hooks');
    const post = seen.at(-1)!;
    const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(post.signature);
    expect(match, post.signature).not.toBeNull();
    const [, t0, mac] = match!;
    expect(Math.abs(Number(t0) - Date.now() / 1000)).toBeLessThan(60);
    expect(mac).toBe(createHmac('sha256', SECRET).update(`${t0}.${post.body}`).digest('hex'));
    // The same body at another time is another signature: an old capture does not verify as new.
    expect(signature(SECRET, post.body, Date.now() + 600_000)).not.toBe(post.signature);
  });

  it('never follows a redirect: the event stays undelivered, to be retried at the configured URL', async () => {
    const before = seen.length;
    await deliver('/moved');
    expect(seen.slice(before).map((s) => s.url)).toEqual(['/moved']);
    const pending = await t.database.db
      .selectFrom('outbox')
      .select(['delivered_at', 'last_error'])
      .where('delivered_at', 'is', null)
      .execute();
    expect(pending.map((p) => p.last_error)).toEqual(['HTTP 302']);
  });
});
