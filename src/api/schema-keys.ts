/**
 * The field names a route's request schema declares, so an error message can name a field of
 * Veil's own API and never a key the caller invented (a record key or a misspelt field may be
 * data).
 */
import type { FastifyRequest } from 'fastify';
import { supportedEntities } from '../engine/recognizers/index.js';

interface ZodLike {
  readonly _zod: { readonly def: Readonly<Record<string, unknown>> };
}

const isZod = (value: unknown): value is ZodLike =>
  typeof value === 'object' && value !== null && '_zod' in value;

/** Every object key declared anywhere inside a zod schema (objects, arrays, unions, wrappers). */
function collect(schema: ZodLike, into: Set<string>, seen: Set<ZodLike>): void {
  if (seen.has(schema)) return;
  seen.add(schema);
  const def = schema._zod.def;
  const shape = def['shape'];
  if (typeof shape === 'object' && shape !== null)
    for (const [key, inner] of Object.entries(shape)) {
      into.add(key);
      if (isZod(inner)) collect(inner, into, seen);
    }
  for (const [key, value] of Object.entries(def)) {
    if (key === 'shape') continue;
    if (isZod(value)) collect(value, into, seen);
    else if (Array.isArray(value)) for (const item of value) if (isZod(item)) collect(item, into, seen);
  }
}

/**
 * The field names a zod schema declares, at any depth.
 *
 * @example
 * ```ts
 * fieldNamesOf(z.object({ a: z.object({ b: z.string() }) })); // Set { 'a', 'b' }
 * ```
 */
export function fieldNamesOf(schema: unknown): ReadonlySet<string> {
  const names = new Set<string>();
  if (isZod(schema)) collect(schema, names, new Set());
  return names;
}

const cache = new WeakMap<object, ReadonlySet<string>>();

/** Veil's own words that requests use as keys: the entity types (and `DEFAULT`) of operator maps. */
let entityNames: readonly string[] | undefined;

/**
 * The names a message may show for the request's route: the field names of its schema (body,
 * querystring and params) and the entity types, cached per route.
 *
 * @example
 * ```ts
 * routeFieldNames(request).has('score_threshold'); // true on POST /v1/analyze
 * ```
 */
export function routeFieldNames(request: FastifyRequest): ReadonlySet<string> {
  const schema = request.routeOptions.schema as Readonly<Record<string, unknown>> | undefined;
  entityNames ??= [...supportedEntities(), 'DEFAULT'];
  if (schema === undefined) return new Set(entityNames);
  const cached = cache.get(schema);
  if (cached !== undefined) return cached;
  const names = new Set([
    ...entityNames,
    ...['body', 'querystring', 'params'].flatMap((part) => [...fieldNamesOf(schema[part])]),
  ]);
  cache.set(schema, names);
  return names;
}
