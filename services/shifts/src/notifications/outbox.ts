// Notifications through an outbox: a publish, or a change to a published shift, writes one event per
// affected person in the same transaction as the change (so an event exists exactly when the change does),
// and a delivery loop posts them to the organisation's webhook, at least once: an event is claimed for a
// minute, posted, and marked delivered only on a 2xx; otherwise it is retried later with backoff. Every
// post carries the event id (receivers drop repeats by it) and, with a secret, an HMAC-SHA256 signature
// over the time of sending and the body (receivers refuse old ones, so a captured post cannot be replayed
// later). Redirects are not followed: the webhook is the URL configured, nowhere else.
import { createHmac } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { ShiftsDatabase } from '../db';

export type NotificationKind =
  'schedule.published' | 'shift.published' | 'shift.changed' | 'shift.unassigned' | 'shift.cancelled';

export interface Notification {
  kind: NotificationKind;
  user_id: number;
  payload: Record<string, unknown>;
}

/** Writes the events with the change they describe: call it inside that change's transaction. */
export async function recordNotifications(
  trx: Kysely<ShiftsDatabase>,
  events: Notification[],
): Promise<void> {
  if (events.length === 0) return;
  await trx
    .insertInto('outbox')
    .values(events.map((e) => ({ kind: e.kind, user_id: e.user_id, payload: JSON.stringify(e.payload) })))
    .execute();
}

export interface DeliveryOptions {
  db: Kysely<ShiftsDatabase>;
  url: string;
  secret?: string;
  logger: Logger;
  /** How often to look for due events (default 1 s). */
  intervalMs?: number;
  /** How long one post may take (default 5 s). */
  timeoutMs?: number;
}

const CLAIM_SECONDS = 60;
const BATCH = 20;
/** Retry after 2, 4, 8 … seconds, at most 5 minutes. */
const backoffSeconds = (attempts: number) => Math.min(300, 2 ** Math.min(attempts, 9));

interface Claimed {
  id: string;
  kind: string;
  user_id: number;
  payload: unknown;
  created_at: string | Date;
  attempts: number;
}

/** Starts the delivery loop; `stop()` lets the post in flight finish. */
export function startDelivery(opts: DeliveryOptions): { stop(): Promise<void> } {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  const tick = () => {
    running = deliverDue(opts)
      .then(() => undefined)
      .catch((err: unknown) => opts.logger.warn({ err }, 'notification delivery failed; will retry'))
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, opts.intervalMs ?? 1000);
      });
  };
  tick();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}

/** One round: claim what is due, post each, mark it delivered or due again later. */
export async function deliverDue(opts: DeliveryOptions): Promise<number> {
  const { rows } = await sql<Claimed>`
    update outbox
       set next_attempt_at = now() + make_interval(secs => ${CLAIM_SECONDS}), attempts = attempts + 1
     where id in (select id from outbox
                   where delivered_at is null and next_attempt_at <= now()
                   order by id limit ${BATCH} for update skip locked)
    returning id, kind, user_id, payload, created_at, attempts`.execute(opts.db);
  for (const event of rows.sort((a, b) => Number(a.id) - Number(b.id))) await deliverOne(opts, event);
  return rows.length;
}

/**
 * `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`: a receiver recomputes it with the shared secret
 * and refuses a mismatch or a `t` more than a few minutes from its own clock (docs/operations.md).
 */
export function signature(secret: string, body: string, now = Date.now()): string {
  const t = Math.floor(now / 1000);
  return `t=${t},v1=${createHmac('sha256', secret).update(`${t}.${body}`).digest('hex')}`;
}

async function deliverOne(opts: DeliveryOptions, event: Claimed): Promise<void> {
  const body = JSON.stringify({
    id: String(event.id),
    kind: event.kind,
    user_id: event.user_id,
    created_at: new Date(event.created_at).toISOString(),
    ...(typeof event.payload === 'string' ? JSON.parse(event.payload) : event.payload),
  });
  let failure: string | undefined;
  try {
    const res = await fetch(opts.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-shiftstack-event-id': String(event.id),
        ...(opts.secret ? { 'x-shiftstack-signature': signature(opts.secret, body) } : {}),
      },
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(opts.timeoutMs ?? 5000),
    });
    await res.body?.cancel();
    if (!res.ok) failure = `HTTP ${res.status}`;
  } catch (err) {
    failure = (err as Error).message;
  }
  const id = String(event.id);
  if (!failure) {
    await opts.db
      .updateTable('outbox')
      .set({ delivered_at: sql`now()`, last_error: null })
      .where('id', '=', id)
      .execute();
    return;
  }
  opts.logger.warn(
    { event_id: id, attempts: event.attempts, error: failure },
    'notification not delivered; will retry',
  );
  await opts.db
    .updateTable('outbox')
    .set({
      last_error: failure.slice(0, 500),
      next_attempt_at: sql`now() + make_interval(secs => ${backoffSeconds(event.attempts)})`,
    })
    .where('id', '=', id)
    .execute();
}
