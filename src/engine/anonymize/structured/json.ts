import { VeilError } from '../../../errors/veil-error.js';
import type { AnonymizedItem } from '../types.js';
import { formatPath, matchesPath, parseJsonPath, type PathSegment } from './json-path.js';
import { createFieldAnonymizer, type FieldRule, type StructuredOptions } from './rules.js';

/** An anonymisation item inside a JSON document: offsets are into the string at `path`. */
export interface JsonItem extends AnonymizedItem {
  readonly path: string;
}

/** The deepest nesting anonymised; deeper documents are refused rather than risk the stack. */
export const MAX_JSON_DEPTH = 256;

/**
 * Anonymises a parsed JSON value by path (rules whose name starts with `$`). A leaf takes the rule of the most specific path that
 * matches it or one of its ancestors (so `$.patient: detect` covers every field of the patient),
 * and `rules.others` when none does. A number or boolean with a type rule becomes a string once
 * anonymised; object keys are left as they are. The input is not modified.
 *
 * @example
 * ```ts
 * const out = await anonymizeJson({ patient: { name: 'Ann Lee' }, visits: [{ notes: 'Called Ann Lee' }] }, {
 *   plan: { default: { operator: 'replace' } },
 *   rules: { fields: { '$.patient.name': { type: 'PERSON' }, '$.visits[*].notes': 'detect' }, others: 'keep' },
 *   analyze: createAnalyzer(),
 * });
 * // out.value: { patient: { name: '<PERSON_1>' }, visits: [{ notes: 'Called <PERSON_1>' }] }
 * ```
 */
export async function anonymizeJson(
  value: unknown,
  options: StructuredOptions,
): Promise<{ value: unknown; items: JsonItem[] }> {
  const field = createFieldAnonymizer(options);
  // A policy names CSV columns and JSON paths in one map; only the paths (`$…`) apply here.
  const rules = Object.entries(options.rules.fields)
    .filter(([path]) => path.startsWith('$'))
    .map(([path, rule]) => ({ pattern: parseJsonPath(path), rule }));
  const others: FieldRule = options.rules.others ?? 'detect';
  const items: JsonItem[] = [];

  const ruleAt = (path: readonly (string | number)[]): FieldRule => {
    for (let length = path.length; length >= 0; length -= 1) {
      const prefix = path.slice(0, length);
      const hit = rules.find((r: { pattern: PathSegment[] }) => matchesPath(r.pattern, prefix));
      if (hit) return hit.rule;
    }
    return others;
  };

  const walk = async (node: unknown, path: (string | number)[]): Promise<unknown> => {
    if (path.length > MAX_JSON_DEPTH)
      throw new VeilError('VEIL_LIMIT_DEPTH', `structured: JSON nesting deeper than ${MAX_JSON_DEPTH}`);
    if (Array.isArray(node)) {
      const out: unknown[] = [];
      for (let i = 0; i < node.length; i += 1) out.push(await walk(node[i], [...path, i]));
      return out;
    }
    if (node !== null && typeof node === 'object') {
      const out: Record<string, unknown> = {};
      for (const [key, child] of Object.entries(node)) out[key] = await walk(child, [...path, key]);
      return out;
    }
    if (typeof node !== 'string' && typeof node !== 'number' && typeof node !== 'boolean') return node;
    const rule = ruleAt(path);
    if (rule === 'keep') return node;
    const text = String(node);
    const done = await field(text, rule);
    if (done.items.length === 0) return node;
    const where = formatPath(path);
    for (const item of done.items) items.push({ ...item, path: where });
    return done.text === text ? node : done.text;
  };

  return { value: await walk(value, []), items };
}
