import type { Role } from '@shiftstack/contract';
import { belongsTo } from '@shiftstack/contract';
import {
  pageMeta,
  ProblemError,
  forbidden,
  isUniqueViolation,
  notFound,
  personCalling,
  type ServiceInstance,
} from '@shiftstack/service-kit';
import type { Kysely } from 'kysely';
import { readerOf, requireManages, visibleLocations } from '../access';
import type { UsersDatabase } from '../db';
import { findLocation } from '../locations/queries';
import { findRole, insertRole, listRoles, type RoleRow } from './queries';
import * as schema from './route-schemas';

export function toRole(row: RoleRow): Role {
  return {
    id: row.id,
    location_id: row.location_id,
    name: row.name,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

export function roleRoutes(app: ServiceInstance, db: Kysely<UsersDatabase>): void {
  app.get(
    '/api/v1/roles',
    {
      schema: schema.list,
    },
    async (request) => {
      const { limit = 100, ...filter } = request.query;
      const page = await listRoles(db, {
        ...filter,
        within: visibleLocations(personCalling(request)),
        limit,
      });
      return {
        data: page.rows.map(toRole),
        meta: pageMeta(page),
      };
    },
  );

  app.get(
    '/api/v1/roles/:id',
    {
      schema: schema.get,
    },
    async (request) => {
      const reader = readerOf(request);
      const row = await findRole(db, request.params.id);
      if (!row) throw notFound('Role', request.params.id);
      if (reader !== 'service' && !belongsTo(reader, row.location_id))
        throw forbidden(`Role ${row.id} is at a location where you do not work.`);
      return toRole(row);
    },
  );

  app.post(
    '/api/v1/roles',
    {
      schema: schema.create,
    },
    async (request, reply) => {
      const { location_id, name } = request.body;
      requireManages(personCalling(request), [location_id], 'add roles');
      if (!(await findLocation(db, location_id))) {
        throw new ProblemError({
          status: 422,
          code: 'unknown-location',
          param: 'location_id',
          detail: `Location ${location_id} does not exist.`,
        });
      }
      const row = await insertRole(db, { location_id, name: name.trim() }).catch((err: unknown) => {
        if (isUniqueViolation(err, 'roles_location_name_key')) {
          throw new ProblemError({
            status: 409,
            code: 'name-taken',
            param: 'name',
            detail: `This location already has a role named ${name}.`,
          });
        }
        throw err;
      });
      return reply.code(201).header('location', `/api/v1/roles/${row.id}`).send(toRole(row));
    },
  );
}
