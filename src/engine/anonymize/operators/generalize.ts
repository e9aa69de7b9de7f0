import { VeilError } from '../../../errors/veil-error.js';
import { parseDate } from '../date-format.js';
import type { GeneralizeConfig, Operator } from '../types.js';

/**
 * Three-digit ZIP prefixes whose area held 20,000 people or fewer in the 2000 census; HIPAA's
 * Safe Harbor method (45 CFR 164.514(b)(2)(i)(B)) requires them to be written as 000.
 */
const SPARSE_ZIP3 = new Set([
  '036',
  '059',
  '063',
  '102',
  '203',
  '556',
  '692',
  '790',
  '821',
  '823',
  '830',
  '831',
  '878',
  '879',
  '884',
  '890',
  '893',
]);

const KIND_BY_TYPE: Readonly<Record<string, 'age' | 'zip' | 'date'>> = {
  AGE: 'age',
  ZIP_CODE: 'zip',
  US_ZIP_CODE: 'zip',
  DATE_TIME: 'date',
  DATE: 'date',
  DATE_OF_BIRTH: 'date',
};

function ageBand(age: number, width: number, top: number): string {
  if (age >= top) return `${top}+`;
  const low = Math.floor(age / width) * width;
  return `${low}-${Math.min(low + width - 1, top - 1)}`;
}

function generalised(
  value: string,
  kind: 'age' | 'zip' | 'date',
  config: GeneralizeConfig,
): string | undefined {
  if (kind === 'age') {
    // Only the number changes, so "42 years old" becomes "40-49 years old".
    const m = /\d{1,3}/.exec(value);
    return m
      ? value.slice(0, m.index) +
          ageBand(Number(m[0]), config.bandWidth ?? 10, config.topAge ?? 90) +
          value.slice(m.index + m[0].length)
      : undefined;
  }
  if (kind === 'zip') {
    const m = /(?<!\d)\d{5}(?:-\d{4})?(?!\d)/.exec(value);
    if (!m) return undefined;
    const zip3 = m[0].slice(0, 3);
    return SPARSE_ZIP3.has(zip3) ? '000' : zip3;
  }
  const parsed = parseDate(value, 'mdy');
  if (parsed) return String(parsed.date.year);
  return /(?<!\d)(1[89]\d\d|20\d\d)(?!\d)/.exec(value)?.[1];
}

/**
 * Coarsens a value so it stops singling a person out: an age to a band (`40-49`, `90+`), a US ZIP
 * code to its first three digits (000 for sparse areas), a date to its year. A value it cannot
 * read gets a tag instead (item `replace`).
 */
export const generalizeOperator: Operator<GeneralizeConfig> = {
  name: 'generalize',
  needs: [],
  validate(config, path) {
    if (config.kind !== undefined && !['age', 'zip', 'date'].includes(config.kind))
      throw new VeilError('VEIL_INVALID_OPTION', `${path}.kind: expected age, zip or date`);
    for (const key of ['bandWidth', 'topAge'] as const) {
      const v = config[key];
      if (v !== undefined && !(Number.isInteger(v) && v >= 1 && v <= 150))
        throw new VeilError('VEIL_INVALID_OPTION', `${path}.${key}: expected a whole number from 1 to 150`);
    }
  },
  apply(value, config, env) {
    const kind = config.kind ?? KIND_BY_TYPE[env.type];
    const out = kind === undefined ? undefined : generalised(value, kind, config);
    return out ?? { text: env.tags.tagFor(env.type, value), operator: 'replace' };
  },
};
