import type { Recognizer } from '../../types.js';
import { weightedSum } from '../../validators/checksums.js';
import { patternRecognizer } from '../pattern.js';
import { digitsAt, identifier, normalise, SEPARATOR } from './shape.js';

/** Tax file number: nine digits whose weighted sum (1, 4, 3, 7, 5, 8, 6, 9, 10) is 0 mod 11. */
export function isAustralianTfn(value: string): boolean {
  const v = normalise(value);
  return /^\d{9}$/.test(v) && weightedSum(v, [1, 4, 3, 7, 5, 8, 6, 9, 10], 11) === 0;
}

/**
 * Australian Business Number: one less on the first digit, weights 10, 1, 3, ..., 19, mod 89.
 * The leading pair is the check (11 + a remainder mod 89), so it is never below 11.
 */
export function isAustralianAbn(value: string): boolean {
  const v = normalise(value);
  if (!/^[1-9]\d{10}$/.test(v) || digitsAt(v, 0, 2) < 11) return false;
  const adjusted = String(digitsAt(v, 0, 1) - 1) + v.slice(1);
  return weightedSum(adjusted, [10, 1, 3, 5, 7, 9, 11, 13, 15, 17, 19], 89) === 0;
}

/** Australian Company Number: eight digits and a check `(10 − Σ(weights 8..1) mod 10) mod 10`. */
export function isAustralianAcn(value: string): boolean {
  const v = normalise(value);
  return /^\d{9}$/.test(v) && (10 - weightedSum(v, [8, 7, 6, 5, 4, 3, 2, 1], 10)) % 10 === digitsAt(v, 8, 9);
}

/**
 * Medicare card number: ten digits, the first 2–6, the ninth a check over weights 1, 3, 7, 9
 * (mod 10), the tenth the card's issue number.
 */
export function isAustralianMedicare(value: string): boolean {
  const v = normalise(value);
  return /^[2-6]\d{9}$/.test(v) && weightedSum(v, [1, 3, 7, 9, 1, 3, 7, 9], 10) === digitsAt(v, 8, 9);
}

/** Recognizers for identifiers issued in Australia. */
export const AUSTRALIA_RECOGNIZERS: readonly Recognizer[] = [
  patternRecognizer({
    name: 'au-tfn',
    entity: 'AU_TFN',
    patterns: [{ regex: identifier(String.raw`\d{3}${SEPARATOR}\d{3}\1\d{3}`), score: 0.05 }],
    validator: isAustralianTfn,
    validatedScore: 0.3,
    context: ['tfn', 'tax file number', 'tax file', 'australian taxation office', 'ato'],
  }),
  patternRecognizer({
    name: 'au-abn',
    entity: 'AU_ABN',
    patterns: [
      // The printed 2-3-3-3 grouping with a mod-89 check is distinctive; a bare run is not.
      { regex: identifier(String.raw`\d{2} \d{3} \d{3} \d{3}`), score: 0.5 },
      { regex: identifier(String.raw`\d{11}`), score: 0.3 },
    ],
    validator: isAustralianAbn,
    context: ['abn', 'australian business number', 'business number'],
  }),
  patternRecognizer({
    name: 'au-acn',
    entity: 'AU_ACN',
    patterns: [{ regex: identifier(String.raw`\d{3}${SEPARATOR}\d{3}\1\d{3}`), score: 0.05 }],
    validator: isAustralianAcn,
    validatedScore: 0.3,
    context: ['acn', 'australian company number', 'company number', 'asic'],
  }),
  patternRecognizer({
    name: 'au-medicare',
    entity: 'AU_MEDICARE',
    patterns: [{ regex: identifier(String.raw`[2-6]\d{3}${SEPARATOR}\d{5}\1\d`), score: 0.05 }],
    validator: isAustralianMedicare,
    validatedScore: 0.3,
    context: ['medicare', 'medicare card', 'medicare number'],
  }),
  patternRecognizer({
    name: 'au-passport',
    entity: 'AU_PASSPORT',
    // One or two letters and seven digits, no check digit: only context tells.
    patterns: [{ regex: identifier(String.raw`[A-Z]{1,2}\d{7}`), score: 0.05 }],
    context: ['passport', 'passport number', 'passport no', 'australian passport'],
  }),
];
