import { CopyWeekRequest, CopyWeekResult } from '@shiftstack/contract';
import { personCalling, problemResponses, type ServiceInstance } from '@shiftstack/service-kit';
import type { Kysely } from 'kysely';
import { Type } from 'typebox';
import type { ShiftsDatabase } from '../db';
import type { UsersClient } from '../users-client';
import { copyWeek } from './copy-week';

const schema = {
  tags: ['shifts'],
  summary: "Copy a location's week into another week, as drafts",
  description:
    "Copies every live shift (or only those of role_ids) starting in from_week into to_week, on the same weekdays at the same local times, as drafts. Skips what would overlap the assignee's other shifts and what the target week already has (so repeating a copy adds nothing), and says so in `skipped`; a shift whose assignee can no longer work it is copied open and listed in `opened`. One transaction: all of it or nothing. Send Idempotency-Key to replay the first answer on a retry.",
  'x-permission': 'managers, at the locations they manage; admins',
  headers: Type.Object({ 'idempotency-key': Type.Optional(Type.String()) }),
  body: CopyWeekRequest,
  response: { 200: CopyWeekResult, ...problemResponses },
};

export function copyRoutes(app: ServiceInstance, db: Kysely<ShiftsDatabase>, users: UsersClient): void {
  app.post('/api/v1/shifts/copy-week', { schema }, async (request, reply) => {
    const key = request.headers['idempotency-key'];
    const result = await copyWeek({ db, users }, personCalling(request), request.body, key, request.id);
    if (result.replayed) reply.header('idempotent-replayed', 'true');
    request.log.info(
      {
        location_id: result.body.location_id,
        copied: result.body.created_count,
        skipped: result.body.skipped.length,
      },
      'copied a week',
    );
    return reply.code(result.status).send(result.body);
  });
}
