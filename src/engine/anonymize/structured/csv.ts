import type { AnonymizedItem } from '../types.js';
import { createFieldAnonymizer, type FieldRule, type StructuredOptions } from './rules.js';

/** Anonymises one CSV record; items are per cell, by column index. */
export type RowAnonymizer = (
  row: readonly string[],
) => Promise<{ row: string[]; items: (AnonymizedItem & { readonly column: number })[] }>;

/**
 * A row anonymiser for one CSV stream. Rules name columns by header; without a header, by
 * 0-based index (`"0"`, `"3"`). Columns no rule names take `rules.others` (detect by default).
 *
 * @example
 * ```ts
 * const row = createRowAnonymizer(['name', 'notes'], { plan, rules: { fields: { name: { type: 'PERSON' }, notes: 'detect' } }, analyze });
 * await row(['Ann Lee', 'called Ann Lee']); // { row: ['<PERSON_1>', 'called <PERSON_1>'], items: [...] }
 * ```
 */
export function createRowAnonymizer(
  header: readonly string[] | undefined,
  options: StructuredOptions,
): RowAnonymizer {
  const field = createFieldAnonymizer(options);
  const others: FieldRule = options.rules.others ?? 'detect';
  const { fields } = options.rules;
  const ruleOf = (column: number): FieldRule => {
    const name = header?.[column] ?? String(column);
    return Object.hasOwn(fields, name) ? fields[name]! : others;
  };
  const byColumn: FieldRule[] = [];
  return async (row) => {
    const out: string[] = [];
    const items: (AnonymizedItem & { column: number })[] = [];
    for (let column = 0; column < row.length; column += 1) {
      const rule = (byColumn[column] ??= ruleOf(column));
      const done = await field(row[column]!, rule);
      out.push(done.text);
      for (const item of done.items) items.push({ ...item, column });
    }
    return { row: out, items };
  };
}
