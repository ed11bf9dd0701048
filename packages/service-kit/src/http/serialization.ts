// Response serialization: fast-json-stringify (Fastify's own), given a copy of each response schema in
// which a union that only says "this or null", or "one of these constants", becomes a plain nullable type
// or an enum. fast-json-stringify serializes an `anyOf` by validating the value against each branch (with
// its date-time format check) for every field of every item; on a week of shifts that was most of the cost
// of the answer. The JSON written is the same, and the schemas in OpenAPI and in validation stay as they
// are: only the serializer sees the copy. Responses come from our own code, so there is nothing to check.
//
// Timestamps (`format: date-time`) are written as they are, without escaping: they are always the ISO text
// our own code made (db/timestamps.ts, toISOString()), which holds no character JSON would escape. The
// TypeScript types of the responses say string, so a Date cannot reach the serializer.
import { SerializerSelector } from '@fastify/fast-json-stringify-compiler';
import type { FastifySerializerCompiler } from 'fastify';

type Schema = Record<string, unknown>;

const isSchema = (x: unknown): x is Schema => typeof x === 'object' && x !== null && !Array.isArray(x);
const isNull = (s: unknown) => isSchema(s) && s.type === 'null' && Object.keys(s).length === 1;

/** The schema with its `anyOf`s simplified for serialization (a deep copy; the original is untouched). */
export function forSerialization(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(forSerialization);
  if (!isSchema(schema)) return schema;
  const copy: Schema = {};
  for (const [key, value] of Object.entries(schema)) copy[key] = forSerialization(value);
  if (copy.type === 'string' && copy.format === 'date-time') copy.format = 'unsafe';
  const anyOf = copy.anyOf;
  if (!Array.isArray(anyOf)) return copy;
  const { anyOf: _, ...siblings } = copy;
  const others = anyOf.filter((branch) => !isNull(branch));
  const nullable = others.length < anyOf.length;
  const [only] = others;
  if (others.length === 1 && isSchema(only) && !only.anyOf && !only.oneOf)
    return { ...siblings, ...only, ...(nullable ? { nullable: true } : {}) };
  const constants = others.every((b) => isSchema(b) && 'const' in b);
  const types = new Set(others.map((b) => (isSchema(b) ? b.type : undefined)));
  if (constants && types.size === 1 && typeof [...types][0] === 'string')
    return {
      ...siblings,
      type: [...types][0],
      enum: others.map((b) => (b as Schema).const),
      ...(nullable ? { nullable: true } : {}),
    };
  return copy;
}

const build = SerializerSelector()();
/** One serializer per schema object: every route shares the problem schemas, many share User or Shift. */
const built = new WeakMap<object, (data: unknown) => string>();

/** Fastify's serializer compiler, fed the simplified schema. */
export const serializerCompiler: FastifySerializerCompiler<unknown> = (route) => {
  const key = isSchema(route.schema) ? route.schema : undefined;
  const known = key && built.get(key);
  if (known) return known;
  const serialize = build({
    ...route,
    httpStatus: route.httpStatus ?? '200',
    schema: forSerialization(route.schema),
  });
  if (key) built.set(key, serialize);
  return serialize;
};
