// The OpenAPI face of each users route (validation, serialisation and docs from one TypeBox source): what
// it takes, answers and who may call it. The handlers are in handlers.ts, the registrar in routes.ts.
import {
  IdParams,
  Me,
  User,
  UserCreate,
  UserDeactivate,
  UserDeactivated,
  UserListQuery,
  UserPage,
  UserPatch,
} from '@shiftstack/contract';
import { problemResponses } from '@shiftstack/service-kit';
import { Type } from 'typebox';

const TAGS = ['users'];

export const me = {
  tags: TAGS,
  summary: 'Who I am',
  description: 'The signed-in person, with what they may do (`access`).',
  'x-permission': 'anyone signed in',
  response: { 200: Me, ...problemResponses },
};

export const byIdentity = {
  tags: TAGS,
  summary: 'Who signs in with this identity',
  description:
    "For the shifts service: the person a verified token's issuer and subject sign in as (contact details removed). The first time, the identity is bound to the person with the token's email if the issuer verified it; afterwards the issuer and subject alone decide. 404 when nobody here signs in with it, saying why.",
  'x-permission': 'the shifts service only (client credentials with the users:read scope)',
  querystring: Type.Object(
    {
      issuer: Type.String({ minLength: 1, maxLength: 2000 }),
      subject: Type.String({ minLength: 1, maxLength: 500 }),
      email: Type.Optional(Type.String({ minLength: 3, maxLength: 320 })),
      email_verified: Type.Optional(Type.Boolean()),
    },
    { additionalProperties: false },
  ),
  response: { 200: User, ...problemResponses },
};

export const list = {
  tags: TAGS,
  summary: 'List people',
  description:
    'Ordered by last name, first name, id. Active people by default; `ids` reads a batch (any status). Keyset pagination: follow meta.cursor.next.',
  'x-permission':
    'employees: the people at their locations, names only (no email or phone); managers: the people at their locations; admins and the shifts service (users:read): everyone',
  querystring: UserListQuery,
  response: { 200: UserPage, ...problemResponses },
};

export const get = {
  tags: TAGS,
  summary: 'Get a person',
  description: 'Answers with an ETag (the version); send it back in If-Match when you change the person.',
  'x-permission':
    'employees: themselves, and colleagues at their locations without email or phone; managers: the people at their locations; admins and the shifts service (users:read): anyone',
  params: IdParams,
  response: { 200: User, 304: Type.Null(), ...problemResponses },
};

export const create = {
  tags: TAGS,
  summary: 'Add a person',
  description:
    "Send an Idempotency-Key header to make retries safe: the same key and body answer the same response. A person's roles must be at their locations.",
  'x-permission': 'managers, at the locations they manage (not admins); admins',
  headers: Type.Object({ 'idempotency-key': Type.Optional(Type.String()) }),
  body: UserCreate,
  response: { 201: User, ...problemResponses },
};

export const change = {
  tags: TAGS,
  summary: 'Change a person',
  description:
    'If-Match is required (428 without it); answers 412 when the person changed since you read them. `active: true` reactivates.',
  'x-permission':
    'managers, for people at their locations who are not admins, moving them only between locations they manage; admins',
  headers: Type.Object({ 'if-match': Type.Optional(Type.String()) }),
  params: IdParams,
  body: UserPatch,
  response: { 200: User, ...problemResponses },
};

export const deactivate = {
  tags: TAGS,
  summary: 'Deactivate a person',
  description:
    'People are never erased: they become inactive, with a reason, and keep their history. Their future shifts become open shifts first (`opened_shift_ids`); if shifts cannot answer, nothing changes (503) and you can retry. If-Match is required.',
  'x-permission': 'managers, for people at their locations who are not admins; admins',
  headers: Type.Object({ 'if-match': Type.Optional(Type.String()) }),
  params: IdParams,
  body: Type.Optional(UserDeactivate),
  response: { 200: UserDeactivated, ...problemResponses },
};
