/**
 * Re-identification risk of a table: rows that share every quasi-identifier form an equivalence
 * class; k is the size of the smallest class (k-anonymity), the unique share is the share of rows
 * alone in their class, and l is the fewest distinct sensitive values in any class (distinct
 * l-diversity). Counts only: a report names columns and sizes, never a value.
 */
import { VeilError } from '../../errors/veil-error.js';

/** The risk figures of one table. */
export interface RiskReport {
  readonly rows: number;
  readonly quasi: readonly string[];
  readonly classes: number;
  /** The smallest equivalence class (0 for an empty table). */
  readonly k: number;
  /** Rows in a class of one, as a share of all rows. */
  readonly uniqueShare: number;
  /** Rows in classes smaller than `kTarget` when one was given. */
  readonly rowsBelowK?: number;
  readonly sensitive?: string;
  /** The fewest distinct values of the sensitive column in one class. */
  readonly l?: number;
  /** Classes whose sensitive values are all one value (l = 1): their members' value is disclosed. */
  readonly homogeneousClasses?: number;
}

/**
 * The column indices of `names` in `header`.
 *
 * @throws VeilError `VEIL_INVALID_OPTION` naming a column the header does not have.
 *
 * @example
 * ```ts
 * columnIndices(['age', 'zip', 'sex'], ['zip', 'age']); // [1, 0]
 * ```
 */
export function columnIndices(header: readonly string[], names: readonly string[]): number[] {
  return names.map((name) => {
    const index = header.indexOf(name);
    if (index < 0)
      throw new VeilError(
        'VEIL_INVALID_OPTION',
        `risk: the table has no column named ${JSON.stringify(name.slice(0, 64))}`,
      );
    return index;
  });
}

/** The key of a row's equivalence class: its quasi-identifier values, unambiguously joined. */
export function classKey(row: readonly string[], quasi: readonly number[]): string {
  return JSON.stringify(quasi.map((i) => row[i] ?? ''));
}

/**
 * Groups rows by their quasi-identifiers: class key → row indices.
 *
 * @example
 * ```ts
 * equivalenceClasses([['40', 'F'], ['40', 'F'], ['52', 'M']], [0, 1]).size; // 2
 * ```
 */
export function equivalenceClasses(
  rows: readonly (readonly string[])[],
  quasi: readonly number[],
): Map<string, number[]> {
  const classes = new Map<string, number[]>();
  rows.forEach((row, index) => {
    const key = classKey(row, quasi);
    const members = classes.get(key);
    if (members === undefined) classes.set(key, [index]);
    else members.push(index);
  });
  return classes;
}

/**
 * Measures k, the unique share and (with a sensitive column) l of a table.
 *
 * @example
 * ```ts
 * measureRisk(['age', 'zip', 'diagnosis'], rows, { quasi: ['age', 'zip'], sensitive: 'diagnosis' });
 * // { rows: 4, classes: 2, k: 2, uniqueShare: 0, l: 1, … }
 * ```
 */
export function measureRisk(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  options: { readonly quasi: readonly string[]; readonly sensitive?: string; readonly kTarget?: number },
): RiskReport {
  if (options.quasi.length === 0)
    throw new VeilError('VEIL_INVALID_OPTION', 'risk: name at least one quasi-identifier column');
  const quasi = columnIndices(header, options.quasi);
  const classes = equivalenceClasses(rows, quasi);
  const sizes = [...classes.values()].map((members) => members.length);
  const report: RiskReport = {
    rows: rows.length,
    quasi: [...options.quasi],
    classes: classes.size,
    k: sizes.length === 0 ? 0 : Math.min(...sizes),
    uniqueShare: rows.length === 0 ? 0 : sizes.filter((n) => n === 1).length / rows.length,
    ...(options.kTarget === undefined
      ? {}
      : { rowsBelowK: sizes.filter((n) => n < options.kTarget!).reduce((s, n) => s + n, 0) }),
  };
  if (options.sensitive === undefined) return report;
  const [sensitive] = columnIndices(header, [options.sensitive]);
  const diversity = [...classes.values()].map(
    (members) => new Set(members.map((i) => rows[i]![sensitive!] ?? '')).size,
  );
  return {
    ...report,
    sensitive: options.sensitive,
    l: diversity.length === 0 ? 0 : Math.min(...diversity),
    homogeneousClasses: diversity.filter((d) => d === 1).length,
  };
}
