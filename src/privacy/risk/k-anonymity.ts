/**
 * Making a table k-anonymous by generalisation and suppression, in the manner of Sweeney's
 * Datafly: while some class is smaller than k, either suppress the few rows left in small classes
 * (when they are within the suppression limit) or raise the generalisation of the quasi-identifier
 * with the most distinct values one step up its ladder. Each step of a ladder is the engine's
 * generalize operator (age bands, ZIP3, year) or, at the top, `*`; so the output is as coarse as
 * it has to be and no coarser along that greedy path.
 */
import { generalizeOperator } from '../../engine/anonymize/operators/generalize.js';
import { TagScope } from '../../engine/anonymize/tag-scope.js';
import type { GeneralizeConfig, OperatorEnv } from '../../engine/anonymize/types.js';
import { VeilError } from '../../errors/veil-error.js';
import { columnIndices, equivalenceClasses } from './measure.js';

/** What a quasi-identifier is, which picks its generalisation ladder. */
export type QuasiKind = 'age' | 'zip' | 'date' | 'category';

/** The written-out value of a suppressed or fully generalised cell. */
export const SUPPRESSED = '*';

/** What {@link enforceKAnonymity} takes. */
export interface KAnonymityOptions {
  readonly k: number;
  readonly quasi: readonly string[];
  /** The largest share of rows that may be suppressed rather than generalised further (default 0.05). */
  readonly maxSuppression?: number;
  /** The kind of each quasi column; inferred from its name and values when absent. */
  readonly kinds?: Readonly<Record<string, QuasiKind>>;
}

/** What was done, in counts: no value. */
export interface KAnonymityResult {
  readonly rows: string[][];
  readonly k: number;
  /** The ladder step each quasi column ended on (0 = as it was). */
  readonly levels: Readonly<Record<string, number>>;
  readonly suppressedRows: number;
}

const LADDERS: Readonly<Record<QuasiKind, ReadonlyArray<GeneralizeConfig | null>>> = {
  age: [
    { operator: 'generalize', kind: 'age', bandWidth: 5 },
    { operator: 'generalize', kind: 'age', bandWidth: 10 },
    { operator: 'generalize', kind: 'age', bandWidth: 20 },
    null,
  ],
  zip: [{ operator: 'generalize', kind: 'zip' }, null],
  date: [{ operator: 'generalize', kind: 'date' }, null],
  category: [null],
};

/**
 * The kind of a quasi column: by its name (age, zip/postcode, date/dob/birth), else by its values
 * (all ages, all US ZIP codes, all dates), else a category.
 *
 * @example
 * ```ts
 * inferKind('zip', ['02139', '02141']); // 'zip'
 * ```
 */
export function inferKind(name: string, values: readonly string[]): QuasiKind {
  const lower = name.toLowerCase();
  if (/\bage\b|^age/.test(lower)) return 'age';
  if (/zip|postcode|postal/.test(lower)) return 'zip';
  if (/date|dob|birth/.test(lower)) return 'date';
  const filled = values.filter((v) => v !== '');
  if (filled.length === 0) return 'category';
  if (filled.every((v) => /^\d{1,3}$/.test(v) && Number(v) <= 150)) return 'age';
  if (filled.every((v) => /^\d{5}(?:-\d{4})?$/.test(v))) return 'zip';
  if (filled.every((v) => /^\d{4}-\d{2}-\d{2}$|^\d{1,2}\/\d{1,2}\/\d{4}$/.test(v))) return 'date';
  return 'category';
}

function generalise(value: string, step: GeneralizeConfig | null, env: OperatorEnv): string {
  if (step === null || value === SUPPRESSED) return SUPPRESSED;
  const out = generalizeOperator.apply(value, step, env) as string | { text: string; operator?: string };
  // A value the operator cannot read comes back as a replace tag: here it is suppressed instead.
  return typeof out === 'string' ? out : SUPPRESSED;
}

/**
 * Generalises and suppresses the quasi columns of `rows` until every class has at least `k` rows.
 *
 * @throws VeilError `VEIL_K_ANONYMITY_UNMET` when the table has fewer than `k` rows (no
 *   generalisation can make a class of k), naming k reached and k required only.
 *
 * @example
 * ```ts
 * const { rows: safe, levels } = enforceKAnonymity(header, rows, { k: 5, quasi: ['age', 'zip', 'sex'] });
 * ```
 */
export function enforceKAnonymity(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  options: KAnonymityOptions,
): KAnonymityResult {
  if (!Number.isInteger(options.k) || options.k < 1)
    throw new VeilError('VEIL_INVALID_OPTION', 'k-anonymity: k must be a whole number of at least 1');
  const maxSuppression = options.maxSuppression ?? 0.05;
  const quasi = columnIndices(header, options.quasi);
  const original = rows.map((row) => [...row]);
  if (original.length > 0 && original.length < options.k)
    throw new VeilError(
      'VEIL_K_ANONYMITY_UNMET',
      `k-anonymity: the table has ${original.length} rows, fewer than k = ${options.k}`,
    );
  const kinds = quasi.map(
    (i, n) =>
      options.kinds?.[options.quasi[n]!] ??
      inferKind(
        header[i]!,
        original.map((row) => row[i] ?? ''),
      ),
  );
  const levels = quasi.map(() => 0);
  const env: OperatorEnv = {
    type: 'QUASI_IDENTIFIER',
    keys: undefined,
    vault: undefined,
    tenant: 'local',
    scope: 'k-anonymity',
    subject: undefined,
    tags: new TagScope(),
  };
  // Each column's values at each level, computed once per level reached.
  const current = original.map((row) => [...row]);
  const raise = (n: number): void => {
    levels[n]! += 1;
    const step = LADDERS[kinds[n]!][levels[n]! - 1]!;
    const column = quasi[n]!;
    for (let r = 0; r < current.length; r++)
      current[r]![column] = generalise(original[r]![column] ?? '', step, env);
  };
  for (;;) {
    const classes = [...equivalenceClasses(current, quasi).values()];
    const small = classes.filter((members) => members.length < options.k);
    if (small.length === 0) return finish(current, quasi, options.k, options.quasi, levels, 0);
    const smallRows = small.reduce((s, members) => s + members.length, 0);
    if (smallRows <= maxSuppression * current.length) {
      // Suppressed rows form one class of their own (all `*`), which must itself hold k rows.
      const trial = current.map((row) => [...row]);
      for (const members of small)
        for (const r of members) for (const column of quasi) trial[r]![column] = SUPPRESSED;
      if ([...equivalenceClasses(trial, quasi).values()].every((members) => members.length >= options.k))
        return finish(trial, quasi, options.k, options.quasi, levels, smallRows);
    }
    // Raise the column with the most distinct values that can still go up.
    let best = -1;
    let bestDistinct = -1;
    quasi.forEach((column, n) => {
      if (levels[n]! >= LADDERS[kinds[n]!].length) return;
      const distinct = new Set(current.map((row) => row[column])).size;
      if (distinct > bestDistinct) [best, bestDistinct] = [n, distinct];
    });
    // Every column is `*`: one class of all rows, which holds k since rows ≥ k.
    if (best < 0) return finish(current, quasi, options.k, options.quasi, levels, 0);
    raise(best);
  }
}

function finish(
  rows: string[][],
  quasi: readonly number[],
  k: number,
  names: readonly string[],
  levels: readonly number[],
  suppressedRows: number,
): KAnonymityResult {
  const sizes = [...equivalenceClasses(rows, quasi).values()].map((m) => m.length);
  const reached = sizes.length === 0 ? 0 : Math.min(...sizes);
  if (rows.length > 0 && reached < k)
    throw new VeilError(
      'VEIL_K_ANONYMITY_UNMET',
      `k-anonymity: reached k = ${reached}, the policy requires k = ${k}`,
    );
  return {
    rows,
    k: reached,
    levels: Object.fromEntries(names.map((name, n) => [name, levels[n]!])),
    suppressedRows,
  };
}
