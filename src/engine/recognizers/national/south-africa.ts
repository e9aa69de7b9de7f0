import type { Recognizer } from '../../types.js';
import { luhn } from '../../validators/checksums.js';
import { isRealTwoDigitYearDate } from '../../validators/national-checksums.js';
import { patternRecognizer } from '../pattern.js';
import { digitsAt, identifier, normalise } from './shape.js';

/**
 * South African identity number (Identification Act 68 of 1997): the birth date as YYMMDD, four
 * digits of sequence (0000–4999 women, 5000–9999 men), a citizenship digit (0 citizen, 1
 * permanent resident, 2 refugee), a digit formerly for race (now 8 or 9) and a Luhn check digit.
 *
 * @example
 * ```ts
 * isSouthAfricanId('800101 5009 087'); // true
 * ```
 */
export function isSouthAfricanId(value: string): boolean {
  const v = normalise(value);
  return (
    /^\d{10}[0-2]\d{2}$/.test(v) &&
    isRealTwoDigitYearDate(digitsAt(v, 0, 2), digitsAt(v, 2, 4), digitsAt(v, 4, 6)) &&
    luhn(v)
  );
}

/** Recognizers for identifiers issued in South Africa. */
export const SOUTH_AFRICA_RECOGNIZERS: readonly Recognizer[] = [
  patternRecognizer({
    name: 'za-id-number',
    entity: 'ZA_ID_NUMBER',
    patterns: [
      // A date, a citizenship digit and a Luhn digit leave about one thirteen-digit run in three
      // hundred: context confirms (a 13-digit card number passes Luhn too).
      { regex: identifier(String.raw`\d{6} \d{4} \d{3}`), score: 0.3 },
      { regex: identifier(String.raw`\d{13}`), score: 0.1 },
    ],
    validator: isSouthAfricanId,
    context: [
      'id number',
      'identity number',
      'south african id',
      'sa id',
      'rsa id',
      'id no',
      'identity document',
      'home affairs',
    ],
  }),
];
