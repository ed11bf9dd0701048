// The OpenAPI face of each roles route (validation, serialisation and docs from one TypeBox source): what
// it takes, answers and who may call it.
import { IdParams, Role, RoleCreate, RoleListQuery, RolePage } from '@shiftstack/contract';
import { problemResponses } from '@shiftstack/service-kit';

const TAGS = ['roles'];

export const list = {
  tags: TAGS,
  summary: 'List roles',
  'x-permission': "employees and managers: their own locations' roles; admins: all",
  querystring: RoleListQuery,
  response: { 200: RolePage, ...problemResponses },
};

export const get = {
  tags: TAGS,
  summary: 'Get a role',
  'x-permission':
    "employees and managers: their own locations' roles; admins and the shifts service (users:read): any",
  params: IdParams,
  response: { 200: Role, ...problemResponses },
};

export const create = {
  tags: TAGS,
  summary: 'Create a role at a location',
  'x-permission': 'managers, at the locations they manage; admins',
  body: RoleCreate,
  response: { 201: Role, ...problemResponses },
};
