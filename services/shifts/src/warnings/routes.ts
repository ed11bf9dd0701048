import { ScheduleWarnings, ScheduleWarningsQuery } from '@shiftstack/contract';
import { personCalling, problemResponses, type ServiceInstance } from '@shiftstack/service-kit';
import type { Kysely } from 'kysely';
import type { ShiftsDatabase } from '../db';
import type { UsersClient } from '../users-client';
import { scheduleWarnings } from './warnings';

const schema = {
  tags: ['publish'],
  summary: "What a manager should know before publishing a location's shifts",
  description:
    "For the live shifts at the location starting in [start, end): people past the location's overtime line (paid hours at every location), with less rest between two shifts than its minimum, or on a shift whose role they no longer have. Warnings never stop publishing. Needs the users service (503 when it cannot answer).",
  'x-permission': 'managers, at the locations they manage; admins',
  querystring: ScheduleWarningsQuery,
  response: { 200: ScheduleWarnings, ...problemResponses },
};

export function warningRoutes(app: ServiceInstance, db: Kysely<ShiftsDatabase>, users: UsersClient): void {
  app.get('/api/v1/shifts/warnings', { schema }, async (request) =>
    scheduleWarnings({ db, users }, personCalling(request), request.query, request.id),
  );
}
