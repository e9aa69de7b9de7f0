import type { Recognizer } from '../../types.js';
import { patternRecognizer } from '../pattern.js';
import { identifier, normalise } from './shape.js';

/**
 * National identification number (NIN, NIMC Act 2007): eleven digits, randomly assigned and
 * without a published check digit; only a run of one digit is ruled out.
 *
 * @example
 * ```ts
 * isNigerianNin('38012745613'); // true
 * ```
 */
export function isNigerianNin(value: string): boolean {
  const v = normalise(value);
  return /^\d{11}$/.test(v) && !/^(\d)\1{10}$/.test(v);
}

/** Recognizers for identifiers issued in Nigeria. */
export const NIGERIA_RECOGNIZERS: readonly Recognizer[] = [
  patternRecognizer({
    name: 'ng-nin',
    entity: 'NG_NIN',
    patterns: [{ regex: identifier(String.raw`\d{11}`), score: 0.05 }],
    validator: isNigerianNin,
    context: ['nin', 'national identification number', 'national identity number', 'nimc', 'nin slip'],
  }),
  patternRecognizer({
    name: 'ng-vehicle-registration',
    entity: 'NG_VEHICLE_REGISTRATION',
    // The 2011 format: three letters of the local government area, three digits and two letters
    // of the series ("ABC 123 DE"). No check character: context confirms.
    patterns: [{ regex: identifier(String.raw`[A-Z]{3}([ -]?)\d{3}\1[A-Z]{2}`), score: 0.1 }],
    context: ['plate', 'number plate', 'plate number', 'vehicle', 'registration', 'frsc', 'car'],
  }),
];
