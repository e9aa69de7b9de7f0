import type { Recognizer } from '../../types.js';
import { mod11CheckDigit, isRealTwoDigitYearDate } from '../../validators/national-checksums.js';
import { patternRecognizer } from '../pattern.js';
import { digitsAt, identifier, normalise, SEPARATOR } from './shape.js';

/**
 * NHS number (England, Wales, Isle of Man): ten digits, the last a mod-11 check over weights
 * 10..2 where a remainder giving 10 is never issued.
 */
export function isUkNhsNumber(value: string): boolean {
  const v = normalise(value);
  return !/^(\d)\1{9}$/.test(v) && mod11CheckDigit(v, [10, 9, 8, 7, 6, 5, 4, 3, 2], undefined);
}

/**
 * National Insurance number: two prefix letters (D, F, I, Q, U, V never used; O never second;
 * BG, GB, KN, NK, NT, TN and ZZ never allocated), six digits and a suffix A–D.
 */
export function isUkNino(value: string): boolean {
  const v = normalise(value);
  return /^[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]\d{6}[A-D]$/.test(v) && !NINO_UNALLOCATED.has(v.slice(0, 2));
}

const NINO_UNALLOCATED = new Set(['BG', 'GB', 'KN', 'NK', 'NT', 'TN', 'ZZ']);

/**
 * Driving licence number (Great Britain): surname (5, padded with 9), the birth date as
 * decade, month (+50 for women), day and year digit, two initials (padded with 9), an
 * arbitrary digit and two computer check characters. The embedded date must exist.
 */
export function isUkDrivingLicence(value: string): boolean {
  const v = normalise(value);
  if (!/^[A-Z]{1,5}9{0,4}\d{6}[A-Z][A-Z9]\d[A-Z0-9]{2}$/.test(v) || v.length !== 16) return false;
  const rawMonth = digitsAt(v, 6, 8);
  const month = rawMonth > 50 ? rawMonth - 50 : rawMonth;
  const yy = digitsAt(v, 5, 6) * 10 + digitsAt(v, 10, 11);
  return isRealTwoDigitYearDate(yy, month, digitsAt(v, 8, 10));
}

/**
 * Unique Taxpayer Reference: ten digits whose first is a check over the other nine (weights
 * 6, 7, 8, 9, 10, 5, 4, 3, 2, mod 11, mapped through a fixed table); a trailing K is allowed.
 */
export function isUkUtr(value: string): boolean {
  const v = normalise(value).replace(/K$/, '');
  if (!/^\d{10}$/.test(v)) return false;
  const weights = [6, 7, 8, 9, 10, 5, 4, 3, 2];
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += (v.charCodeAt(i + 1) - 48) * weights[i]!;
  return '21987654321'[sum % 11] === v[0];
}

/**
 * Current-style vehicle registration (since September 2001): area letters, a two-digit age
 * identifier (March: the year, 02 onwards; September: the year + 50, 51 onwards), three letters.
 */
export function isUkVehicleRegistration(value: string): boolean {
  const age = digitsAt(normalise(value), 2, 4);
  return (age >= 2 && age <= 49) || (age >= 51 && age <= 99);
}

/**
 * A UK postcode as Royal Mail's Programmers' Guide (BS 7666) defines it: an outward code of an
 * area (one or two letters, never Q, V or X first, never I, J or Z second) and a district (a
 * digit, two digits, or a digit and a letter: A–H, J, K, P, S–U or W after one area letter; A, B,
 * E, H, M, N, P, R, V–Y after two), a space, and an inward code of a digit and two letters
 * (never C, I, K, M, O or V). GIR 0AA is the one exception.
 */
const UK_POSTCODE_OUTWARD = '[A-PR-UWYZ](?:\\d[\\dA-HJKPSTUW]?|[A-HK-Y]\\d[\\dABEHMNPRV-Y]?)';
const UK_POSTCODE_INWARD = '\\d[ABD-HJLNP-UW-Z]{2}';

/** Recognizers for identifiers issued in the United Kingdom. */
export const UK_RECOGNIZERS: readonly Recognizer[] = [
  patternRecognizer({
    name: 'uk-nhs',
    entity: 'UK_NHS',
    // Ten digits with a mod-11 check are common by chance: context has to confirm them.
    patterns: [{ regex: identifier(String.raw`\d{3}${SEPARATOR}\d{3}\1\d{4}`), score: 0.1 }],
    validator: isUkNhsNumber,
    validatedScore: 0.3,
    context: [
      'nhs',
      'national health service',
      'health service',
      'health authority',
      'patient',
      'gig',
      'rhif gig',
    ],
  }),
  patternRecognizer({
    name: 'uk-nino',
    entity: 'UK_NINO',
    patterns: [{ regex: identifier(String.raw`[A-Z]{2} ?\d{2} ?\d{2} ?\d{2} ?[A-D]`), score: 0.3 }],
    validator: isUkNino,
    validatedScore: 0.6,
    context: ['national insurance', 'nino', 'ni number', 'ni no', 'insurance number', 'yswiriant gwladol'],
  }),
  patternRecognizer({
    name: 'uk-passport',
    entity: 'UK_PASSPORT',
    // Nine digits and no check digit outside the machine-readable zone: only context tells.
    patterns: [{ regex: identifier(String.raw`\d{9}`), score: 0.05 }],
    context: ['passport', 'passport number', 'passport no', 'hm passport', 'pasbort'],
  }),
  patternRecognizer({
    name: 'uk-driving-licence',
    entity: 'UK_DRIVING_LICENCE',
    patterns: [{ regex: identifier(String.raw`[A-Z][A-Z9]{4}\d{6}[A-Z][A-Z9]\d[A-Z0-9]{2}`), score: 0.3 }],
    validator: isUkDrivingLicence,
    validatedScore: 0.6,
    context: [
      'driving licence',
      'driving license',
      'driver licence',
      'dvla',
      'licence number',
      'trwydded yrru',
    ],
  }),
  patternRecognizer({
    name: 'uk-utr',
    entity: 'UK_UTR',
    patterns: [{ regex: identifier(String.raw`\d{5} ?\d{5}K?`), score: 0.1 }],
    validator: isUkUtr,
    validatedScore: 0.3,
    context: [
      'utr',
      'unique taxpayer reference',
      'taxpayer reference',
      'self assessment',
      'hmrc',
      'tax reference',
    ],
  }),
  patternRecognizer({
    name: 'uk-vehicle-registration',
    entity: 'UK_VEHICLE_REGISTRATION',
    // Seven characters of a common shape and no check character: context confirms.
    patterns: [{ regex: identifier(String.raw`[A-HK-PRSVWY][A-HJ-PR-Y]\d{2} ?[A-HJ-PR-Z]{3}`), score: 0.2 }],
    validator: isUkVehicleRegistration,
    validatedScore: 0.35,
    context: [
      'registration',
      'reg',
      'number plate',
      'licence plate',
      'vehicle',
      'car',
      'vrm',
      'dvla',
      'cofrestru',
    ],
  }),
  patternRecognizer({
    name: 'uk-postcode',
    entity: 'UK_POSTCODE',
    patterns: [
      // Written with its space, the grammar alone is distinctive; run together it needs context.
      { regex: identifier(`${UK_POSTCODE_OUTWARD} ${UK_POSTCODE_INWARD}|GIR 0AA`), score: 0.4 },
      { regex: identifier(`${UK_POSTCODE_OUTWARD}${UK_POSTCODE_INWARD}|GIR0AA`), score: 0.1 },
    ],
    context: ['postcode', 'post code', 'postal code', 'cod post'],
  }),
];
