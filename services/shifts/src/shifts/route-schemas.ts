// The OpenAPI face of each shifts route (validation, serialisation and docs from one TypeBox source): what
// it takes, answers and who may call it. The handlers are in handlers.ts, the registrar in routes.ts.
import {
  IdParams,
  Shift,
  ShiftCreate,
  ShiftListQuery,
  ShiftPage,
  ShiftPatch,
  UnassignRequest,
  UnassignResult,
} from '@shiftstack/contract';
import { problemResponses } from '@shiftstack/service-kit';
import { Type } from 'typebox';

const TAGS = ['shifts'];
const MANAGE = 'managers, at the locations they manage; admins';

export const list = {
  tags: TAGS,
  summary: 'List shifts in a time window',
  description:
    "start[gte] and start[lt] are required, at most 42 days apart. Ordered by start, then id; keyset pagination. Each shift carries its assignee's name from the users service; when users cannot answer, names are null and meta.degraded is true.",
  'x-permission':
    "employees: their locations' published shifts, open ones only for their roles; managers: everything at their locations; admins: everything",
  querystring: ShiftListQuery,
  response: { 200: ShiftPage, ...problemResponses },
};

export const get = {
  tags: TAGS,
  summary: 'Get a shift',
  'x-permission':
    "employees: their locations' published shifts, open ones only for their roles; managers: their locations; admins: any",
  params: IdParams,
  response: { 200: Shift, ...problemResponses },
};

export const create = {
  tags: TAGS,
  summary: 'Create a shift',
  description:
    "Draft by default. The assignee must exist, be active, work at the location and have the shift's role (checked with the users service). Overlapping shifts for one person answer 409 shift-overlap. Send Idempotency-Key to make retries safe.",
  'x-permission': MANAGE,
  headers: Type.Object({ 'idempotency-key': Type.Optional(Type.String()) }),
  body: ShiftCreate,
  response: { 201: Shift, ...problemResponses },
};

export const change = {
  tags: TAGS,
  summary: 'Change, move, assign or unassign a shift',
  description:
    'If-Match is required (428 without it); answers 412 when the shift changed since you read it. Set user_id to null to make it open.',
  'x-permission': MANAGE,
  headers: Type.Object({ 'if-match': Type.Optional(Type.String()) }),
  params: IdParams,
  body: ShiftPatch,
  response: { 200: Shift, ...problemResponses },
};

export const remove = {
  tags: TAGS,
  summary: 'Delete a shift',
  description:
    'Soft delete: the shift stays readable with include_deleted=true. Deleting twice is harmless. If-Match is required.',
  'x-permission': MANAGE,
  headers: Type.Object({ 'if-match': Type.Optional(Type.String()) }),
  params: IdParams,
  response: { 204: Type.Null(), ...problemResponses },
};

export const unassign = {
  tags: TAGS,
  summary: "Open a leaver's future shifts",
  description:
    'Called by the users service when it deactivates a person: every live shift of theirs that has not started becomes an open shift. Repeating it opens nothing more.',
  'x-permission': 'the users service only (client credentials with the shifts:unassign scope)',
  body: UnassignRequest,
  response: { 200: UnassignResult, ...problemResponses },
};
