// The OpenAPI face of each locations route (validation, serialisation and docs from one TypeBox source): what
// it takes, answers and who may call it.
import {
  IdParams,
  Location,
  LocationCreate,
  LocationListQuery,
  LocationPage,
  LocationPatch,
} from '@shiftstack/contract';
import { problemResponses } from '@shiftstack/service-kit';
import { Type } from 'typebox';

const TAGS = ['locations'];

export const list = {
  tags: TAGS,
  summary: 'List locations',
  'x-permission': 'employees and managers: their own locations; admins: all',
  querystring: LocationListQuery,
  response: { 200: LocationPage, ...problemResponses },
};

export const get = {
  tags: TAGS,
  summary: 'Get a location',
  'x-permission':
    'employees and managers: their own locations; admins and the shifts service (users:read): any',
  params: IdParams,
  response: { 200: Location, ...problemResponses },
};

export const create = {
  tags: TAGS,
  summary: 'Create a location',
  'x-permission': 'admins',
  body: LocationCreate,
  response: { 201: Location, ...problemResponses },
};

export const change = {
  tags: TAGS,
  summary: 'Change a location',
  description:
    'If-Match is required (428 without it); answers 412 when the location changed since you read it.',
  'x-permission': 'admins',
  headers: Type.Object({ 'if-match': Type.Optional(Type.String()) }),
  params: IdParams,
  body: LocationPatch,
  response: { 200: Location, ...problemResponses },
};
