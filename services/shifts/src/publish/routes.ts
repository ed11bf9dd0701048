import { PublishRequest, PublishResult } from '@shiftstack/contract';
import { personCalling, problemResponses, type ServiceInstance } from '@shiftstack/service-kit';
import type { Kysely } from 'kysely';
import { requireManages } from '../access';
import type { ShiftsDatabase } from '../db';
import { checkWindow } from '../shifts/rules';
import { recordNotifications, type Notification } from '../notifications/outbox';
import type { UsersClient } from '../users-client';

/**
 * Publishing makes a location's draft shifts in [start, end) visible to staff. A draft assigned to someone
 * who is no longer active is held back (never published to a person who has left). Repeating it is harmless.
 */
export function publishRoutes(app: ServiceInstance, db: Kysely<ShiftsDatabase>, users: UsersClient): void {
  app.post(
    '/api/v1/shifts/publish',
    {
      schema: {
        tags: ['publish'],
        summary: "Publish a location's draft shifts in a date range",
        description:
          'Publishes every live draft shift at the location starting in [start, end), except those assigned to someone inactive (held_back_shift_ids). Returns what changed. Needs the users service to check assignees (503 when it cannot answer; nothing is published).',
        'x-permission': 'managers, at the locations they manage; admins',
        body: PublishRequest,
        response: { 200: PublishResult, ...problemResponses },
      },
    },
    async (request) => {
      const { location_id } = request.body;
      requireManages(personCalling(request), location_id, 'publish shifts');
      const start = new Date(request.body.start);
      const end = new Date(request.body.end);
      checkWindow(start, end, { from: 'start', to: 'end' });
      const drafts = await db
        .selectFrom('shifts')
        .select(['id', 'user_id'])
        .where('location_id', '=', location_id)
        .where('start_at', '>=', start.toISOString())
        .where('start_at', '<', end.toISOString())
        .where('status', '=', 'draft')
        .where('deleted_at', 'is', null)
        .execute();
      const assignees = drafts.flatMap((d) => (d.user_id ? [d.user_id] : []));
      const inactive = assignees.length > 0 ? await users.inactiveAmong(assignees, request.id) : new Set();
      const held = drafts.filter((d) => d.user_id !== null && inactive.has(d.user_id)).map((d) => d.id);
      const publishable = drafts.filter((d) => !held.includes(d.id)).map((d) => d.id);
      const rows =
        publishable.length === 0
          ? []
          : await db.transaction().execute(async (trx) => {
              const published = await trx
                .updateTable('shifts')
                .set((eb) => ({
                  status: 'published',
                  published_at: eb.fn('now'),
                  version: eb('version', '+', 1),
                  updated_at: eb.fn('now'),
                }))
                .where('id', 'in', publishable)
                .where('status', '=', 'draft')
                .where('deleted_at', 'is', null)
                .returning(['id', 'user_id'])
                .execute();
              await recordNotifications(trx, publishedFor(published, { location_id, start, end }));
              return published;
            });
      const shift_ids = rows.map((r) => r.id).sort((a, b) => a - b);
      request.log.info(
        { location_id, published: shift_ids.length, held_back: held.length },
        'published shifts',
      );
      return {
        location_id,
        start: start.toISOString(),
        end: end.toISOString(),
        published_count: shift_ids.length,
        shift_ids,
        held_back_shift_ids: held.sort((a, b) => a - b),
      };
    },
  );
}

/** One event per person with newly published shifts: their shifts of that publish. */
function publishedFor(
  rows: Array<{ id: number; user_id: number | null }>,
  window: { location_id: number; start: Date; end: Date },
): Notification[] {
  const byPerson = new Map<number, number[]>();
  for (const r of rows)
    if (r.user_id !== null) byPerson.set(r.user_id, [...(byPerson.get(r.user_id) ?? []), r.id]);
  return [...byPerson].map(([user_id, ids]) => ({
    kind: 'schedule.published' as const,
    user_id,
    payload: {
      location_id: window.location_id,
      start: window.start.toISOString(),
      end: window.end.toISOString(),
      shift_ids: ids.sort((a, b) => a - b),
    },
  }));
}
