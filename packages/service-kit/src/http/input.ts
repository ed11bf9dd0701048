// What arrives is checked before any handler sees it, so nothing is silently changed on the way in:
// - a JSON body must be valid UTF-8 and hold no lone surrogate (JSON.parse would turn the first into
//   U+FFFD and store the second as is); every string in it is normalised to NFC, so "é" typed two ways is
//   one name, one search hit and one unique email;
// - ids and other integers in the path and query string are plain decimal: Ajv's coercion would read
//   "0x10", "1e3" and "1.0" as 16, 1000 and 1, so one resource would answer to many URLs.
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifySchema, FastifySchemaValidationError } from 'fastify';
import type { ServiceInstance } from './server';
import { ProblemError } from '../errors';

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
// With the u flag a well-formed surrogate pair is one code point, so this matches lone surrogates only.
const LONE_SURROGATE = /\p{Surrogate}/u;

export const MAX_ARRAY_ITEMS = 1000;

const malformed = (detail: string) => new ProblemError({ status: 400, code: 'malformed-body', detail });

/** Replaces Fastify's JSON parser with one that refuses what it would otherwise mangle. */
export function strictJsonBodies(app: ServiceInstance): void {
  // Fastify's own parser (secure-json-parse: refuses __proto__ and constructor.prototype keys).
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body: Buffer, done) => {
    let text: string;
    try {
      text = strictUtf8.decode(body);
    } catch {
      return done(malformed('The request body is not valid UTF-8.'), undefined);
    }
    void parseJson(request, text, (err, value: unknown) => {
      if (err) return done(err, undefined);
      try {
        done(null, normaliseStrings(value));
      } catch (problem) {
        done(problem as Error, undefined);
      }
    });
  });
}

function normaliseStrings(value: unknown): unknown {
  if (typeof value === 'string') {
    if (LONE_SURROGATE.test(value))
      throw malformed('The request body holds a lone UTF-16 surrogate (an invalid \\uD800-\\uDFFF escape).');
    return value.normalize('NFC');
  }
  if (Array.isArray(value)) {
    // No field of the API takes more than a few hundred items. Refusing a huge array here, before the
    // schema, spares validating (and reporting) each of its items: tens of thousands of bad items in a
    // 64 KB body cost the event loop, and every other request, about 10 ms each.
    if (value.length > MAX_ARRAY_ITEMS)
      throw new ProblemError({
        status: 400,
        code: 'validation-failed',
        detail: `An array in the body has ${value.length} items; no field takes more than ${MAX_ARRAY_ITEMS}.`,
      });
    return value.map(normaliseStrings);
  }
  if (value && typeof value === 'object') {
    const object = value as Record<string, unknown>;
    for (const key of Object.keys(object)) object[key] = normaliseStrings(object[key]);
  }
  return value;
}

const CANONICAL_INTEGER = /^-?(0|[1-9][0-9]*)$/;

interface SchemaNode {
  type?: string;
  items?: SchemaNode;
  properties?: Record<string, SchemaNode>;
  anyOf?: SchemaNode[];
}

const holdsInteger = (node: SchemaNode | undefined): boolean =>
  !!node &&
  (node.type === 'integer' ||
    (node.type === 'array' && holdsInteger(node.items)) ||
    (node.anyOf ?? []).some(holdsInteger));

/** The properties of a params or querystring schema whose values must be integers. */
function integerKeys(schema: unknown): string[] {
  const properties = (schema as SchemaNode).properties ?? {};
  return Object.keys(properties).filter((key) => holdsInteger(properties[key]));
}

/** The first key whose text is not a plain decimal integer, in Ajv's error shape; undefined when all are. */
function nonDecimalInteger(data: unknown, keys: string[]) {
  const values = (data ?? {}) as Record<string, unknown>;
  for (const key of keys) {
    const raw = values[key];
    const texts = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
    if (texts.some((t) => typeof t === 'string' && !CANONICAL_INTEGER.test(t)))
      return {
        instancePath: `/${key}`,
        schemaPath: `#/properties/${key}`,
        keyword: 'type',
        params: {},
        message: 'must be a whole number written in plain decimal digits',
      };
  }
  return undefined;
}

const ajvOptions = { allErrors: true, removeAdditional: false, useDefaults: true, strict: false } as const;
const bodyAjv = addFormats(new Ajv({ ...ajvOptions, coerceTypes: false }));
const textAjv = addFormats(new Ajv({ ...ajvOptions, coerceTypes: 'array' }));

/**
 * The validator compiler: query strings, params and headers arrive as text and are converted to their
 * schema types, after their integers are checked as plain decimal (Ajv's coercion would take "0x10" for
 * 16). JSON bodies are typed already, so a body is never coerced: `"last_name": 42` is an error, not "42".
 */
export function compileValidator({ schema, httpPart }: { schema: FastifySchema; httpPart?: string }) {
  if (httpPart === 'body') return bodyAjv.compile(schema);
  const validate = textAjv.compile(schema);
  const keys = integerKeys(schema);
  if (keys.length === 0) return validate;
  const checked = Object.assign(
    (data: unknown): boolean => {
      const error = nonDecimalInteger(data, keys);
      if (error) {
        checked.errors = [error];
        return false;
      }
      const valid = validate(data);
      checked.errors = validate.errors ?? null;
      return valid;
    },
    { errors: null as FastifySchemaValidationError[] | null },
  );
  return checked;
}
