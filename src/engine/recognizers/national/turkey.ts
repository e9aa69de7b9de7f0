import type { Recognizer } from '../../types.js';
import { patternRecognizer } from '../pattern.js';
import { digitsAt, identifier, normalise } from './shape.js';

/**
 * Turkish identity number (T.C. Kimlik No, Population Services Law): eleven digits, the first not
 * 0. The tenth is `(7 × (d1 + d3 + d5 + d7 + d9) − (d2 + d4 + d6 + d8)) mod 10`, the eleventh the
 * sum of the first ten mod 10.
 *
 * @example
 * ```ts
 * isTurkishTckn('10000000146'); // true
 * ```
 */
export function isTurkishTckn(value: string): boolean {
  const v = normalise(value);
  if (!/^[1-9]\d{10}$/.test(v)) return false;
  const d = (i: number) => v.charCodeAt(i) - 48;
  const odd = d(0) + d(2) + d(4) + d(6) + d(8);
  const even = d(1) + d(3) + d(5) + d(7);
  if ((((7 * odd - even) % 10) + 10) % 10 !== d(9)) return false;
  return (odd + even + d(9)) % 10 === d(10);
}

/**
 * Turkish vehicle registration (Highway Traffic Regulation): a province code 01–81, one to three
 * letters of the Turkish alphabet without its accented letters, and digits: four or five after
 * one letter, three or four after two, two or three after three.
 *
 * @example
 * ```ts
 * isTurkishVehicleRegistration('34 ABC 123'); // true
 * ```
 */
export function isTurkishVehicleRegistration(value: string): boolean {
  const v = normalise(value);
  const province = digitsAt(v, 0, 2);
  return province >= 1 && province <= 81 && /^\d{2}(?:[A-Z]\d{4,5}|[A-Z]{2}\d{3,4}|[A-Z]{3}\d{2,3})$/.test(v);
}

/** Letters on Turkish plates: the Latin letters of the Turkish alphabet (no Q, W or X). */
const PLATE_LETTER = '[A-PR-VYZ]';

/** Recognizers for identifiers issued in Turkey (phone numbers are read by the phone recognizer). */
export const TURKEY_RECOGNIZERS: readonly Recognizer[] = [
  patternRecognizer({
    name: 'tr-tckn',
    entity: 'TR_TCKN',
    // Two check digits, yet one eleven-digit run in a hundred passes: context confirms.
    patterns: [{ regex: identifier(String.raw`[1-9]\d{10}`), score: 0.1 }],
    validator: isTurkishTckn,
    validatedScore: 0.3,
    context: [
      'tc kimlik',
      't.c. kimlik',
      'kimlik no',
      'kimlik numarası',
      'tckn',
      'tc no',
      'turkish id',
      'identity number',
      'national id',
    ],
  }),
  patternRecognizer({
    name: 'tr-vehicle-registration',
    entity: 'TR_VEHICLE_REGISTRATION',
    patterns: [
      {
        regex: identifier(
          String.raw`(?:0[1-9]|[1-7]\d|8[01]) (?:${PLATE_LETTER} \d{4,5}|${PLATE_LETTER}{2} \d{3,4}|${PLATE_LETTER}{3} \d{2,3})`,
        ),
        score: 0.2,
      },
      { regex: identifier(String.raw`(?:0[1-9]|[1-7]\d|8[01])${PLATE_LETTER}{1,3}\d{2,5}`), score: 0.05 },
    ],
    validator: isTurkishVehicleRegistration,
    context: [
      'plaka',
      'araç',
      'plate',
      'number plate',
      'licence plate',
      'license plate',
      'vehicle',
      'registration',
    ],
  }),
];
