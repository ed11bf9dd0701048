import { PublishRequest, PublishResult } from '@shiftstack/contract';
import { problemResponses, type ServiceInstance } from '@shiftstack/service-kit';
import type { Kysely } from 'kysely';
import type { ShiftsDatabase } from '../db';
import { checkWindow } from '../shifts/rules';

/** Publishing makes a location's draft shifts in [start, end) visible to staff. Repeating it is harmless. */
export function publishRoutes(app: ServiceInstance, db: Kysely<ShiftsDatabase>): void {
  app.post(
    '/api/v1/shifts/publish',
    {
      schema: {
        tags: ['publish'],
        summary: "Publish a location's draft shifts in a date range",
        description:
          'Publishes every live draft shift at the location starting in [start, end). Returns what changed.',
        body: PublishRequest,
        response: { 200: PublishResult, ...problemResponses },
      },
    },
    async (request) => {
      const { location_id } = request.body;
      const start = new Date(request.body.start);
      const end = new Date(request.body.end);
      checkWindow(start, end, { from: 'start', to: 'end' });
      const rows = await db
        .updateTable('shifts')
        .set((eb) => ({
          status: 'published',
          published_at: eb.fn('now'),
          version: eb('version', '+', 1),
          updated_at: eb.fn('now'),
        }))
        .where('location_id', '=', location_id)
        .where('start_at', '>=', start)
        .where('start_at', '<', end)
        .where('status', '=', 'draft')
        .where('deleted_at', 'is', null)
        .returning('id')
        .execute();
      const shift_ids = rows.map((r) => r.id).sort((a, b) => a - b);
      request.log.info({ location_id, published: shift_ids.length }, 'published shifts');
      return {
        location_id,
        start: start.toISOString(),
        end: end.toISOString(),
        published_count: shift_ids.length,
        shift_ids,
      };
    },
  );
}
