import type { Recognizer } from '../../types.js';
import { weightedSum } from '../../validators/checksums.js';
import { patternRecognizer } from '../pattern.js';
import { digitsAt, identifier, normalise } from './shape.js';

/**
 * Thai national identification number (เลขประจำตัวประชาชน, Civil Registration Act): thirteen
 * digits, the first the kind of registration (1–8), the last a check digit
 * `(11 − Σ digit × 13, 12, …, 2 mod 11) mod 10`; written 1-2345-67890-12-1.
 *
 * @example
 * ```ts
 * isThaiTnin('1-2345-67890-12-1'); // true
 * ```
 */
export function isThaiTnin(value: string): boolean {
  const v = normalise(value);
  return (
    /^[1-8]\d{12}$/.test(v) &&
    (11 - weightedSum(v, [13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2], 11)) % 10 === digitsAt(v, 12, 13)
  );
}

/** Recognizers for identifiers issued in Thailand. */
export const THAILAND_RECOGNIZERS: readonly Recognizer[] = [
  patternRecognizer({
    name: 'th-tnin',
    entity: 'TH_TNIN',
    patterns: [
      // The printed 1-4-5-2-1 grouping with a check digit is distinctive; a bare run is not.
      { regex: identifier(String.raw`[1-8]([ -])\d{4}\1\d{5}\1\d{2}\1\d`), score: 0.5 },
      { regex: identifier(String.raw`[1-8]\d{12}`), score: 0.1 },
    ],
    validator: isThaiTnin,
    context: [
      'เลขประจำตัวประชาชน',
      'บัตรประชาชน',
      'เลขบัตร',
      'thai id',
      'national id',
      'id card',
      'identification number',
      'tnin',
    ],
  }),
];
