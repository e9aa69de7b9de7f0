import type { FieldSpec, FieldType, FieldValue } from '../spec.js';
import { findBooleans, findEnums } from './choice.js';
import { findEmails, findPhones } from './contact.js';
import { findDates, findDateTimes } from './date.js';
import { findCards, findIbans, findNationalIds } from './identifiers.js';
import type { ValueFinder, ValueMatch } from './match.js';
import { findIntegers, findMoney, findNumbers } from './money.js';
import { findAddresses, findNames, findStrings } from './text.js';

export type { ValueFinder, ValueMatch } from './match.js';

/** The finder of each type. Free-text types (`string`, `name`, `address`) read a whole stretch, the others find values inside it. */
export const VALUE_FINDERS: Readonly<Record<FieldType, ValueFinder>> = {
  string: findStrings,
  name: findNames,
  address: findAddresses,
  date: findDates,
  datetime: findDateTimes,
  money: findMoney,
  number: findNumbers,
  integer: findIntegers,
  email: findEmails,
  phone: findPhones,
  iban: findIbans,
  card_number: findCards,
  national_id: findNationalIds,
  enum: findEnums,
  boolean: findBooleans,
};

/** Types whose value is a whole stretch of free text rather than a pattern found inside one. */
export const FREE_TEXT_TYPES: ReadonlySet<FieldType> = new Set(['string', 'name', 'address']);

/**
 * Parses a whole string as a value of the field's type, normalised, or null when it is not one
 * (for values the caller or a model supplies; documents go through the extractor).
 *
 * @example
 * ```ts
 * parseValue({ name: 'd', type: 'date' }, '12 Jan 2019')?.value; // '2019-01-12'
 * parseValue({ name: 't', type: 'money' }, 'RM 9.00')?.value;   // { amount: '9.00', currency: 'MYR' }
 * ```
 */
export function parseValue(spec: FieldSpec, text: string): ValueMatch | null {
  const trimmed = text.trim();
  const matches = VALUE_FINDERS[spec.type](trimmed, spec);
  if (FREE_TEXT_TYPES.has(spec.type)) return matches[0] ?? null;
  // The value must be the whole string, give or take surrounding punctuation.
  const whole = matches.find(
    (m) => /^[\s:;,.]*$/.test(trimmed.slice(0, m.start)) && /^[\s:;,.]*$/.test(trimmed.slice(m.end)),
  );
  return whole ?? null;
}

/**
 * Whether two normalised values of one field are the same value: strings without regard to case
 * and spacing, money by amount (and by currency when both name one).
 *
 * @example
 * ```ts
 * sameFieldValue({ amount: '9.00', currency: 'MYR' }, { amount: '9.00', currency: null }); // true
 * sameFieldValue('ACME  Trading', 'acme trading'); // true
 * ```
 */
export function sameFieldValue(a: FieldValue, b: FieldValue): boolean {
  if (typeof a === 'object' && typeof b === 'object')
    return a.amount === b.amount && (a.currency === null || b.currency === null || a.currency === b.currency);
  if (typeof a === 'string' && typeof b === 'string') return comparable(a) === comparable(b);
  return a === b;
}

function comparable(text: string): string {
  return text.replace(/\s+/g, ' ').trim().toLowerCase();
}
