import type { Recognizer } from '../../types.js';
import { weightedSum } from '../../validators/checksums.js';
import { isRealDate } from '../../validators/national-checksums.js';
import { patternRecognizer } from '../pattern.js';
import { digitsAt, identifier, normalise } from './shape.js';

/** The century each seventh digit of a registration number gives: 9/0 1800s, 1, 2, 5, 6 1900s, 3, 4, 7, 8 2000s. */
const CENTURY = [1800, 1900, 1900, 2000, 2000, 1900, 1900, 2000, 2000, 1800] as const;
const RRN_WEIGHTS = [2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5];

/**
 * Numbers issued since October 2020 have random digits after the seventh, so no check digit:
 * a number is checked only when its holder was born before then.
 */
function bornBeforeRandomNumbers(year: number, month: number): boolean {
  return year < 2020 || (year === 2020 && month < 10);
}

/**
 * The birth date and the weighted sum of a Korean registration number (YYMMDD, a digit for sex
 * and century, six digits), or undefined when the shape or the date is wrong. `sexDigits` are
 * the seventh digits allowed: 1–4, 9, 0 for citizens, 5–8 for foreigners.
 */
function registrationNumber(
  value: string,
  sexDigits: RegExp,
): { checked: boolean; sum: number; check: number } | undefined {
  const v = normalise(value);
  if (!/^\d{13}$/.test(v) || !sexDigits.test(v[6]!)) return undefined;
  const year = CENTURY[digitsAt(v, 6, 7)]! + digitsAt(v, 0, 2);
  const month = digitsAt(v, 2, 4);
  if (!isRealDate(year, month, digitsAt(v, 4, 6))) return undefined;
  return {
    checked: bornBeforeRandomNumbers(year, month),
    sum: weightedSum(v, RRN_WEIGHTS, 11),
    check: digitsAt(v, 12, 13),
  };
}

/**
 * Resident registration number (주민등록번호, Resident Registration Act): the birth date as
 * YYMMDD, a digit for sex and century (1–4, or 9 and 0 for the 1800s), five digits and a check
 * digit `(11 − Σ digit × 2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5 mod 11) mod 10`. Numbers issued from
 * October 2020 are random after the seventh digit, so people born since then are not checked.
 *
 * @example
 * ```ts
 * isKoreanRrn('900101-1234568'); // true
 * ```
 */
export function isKoreanRrn(value: string): boolean {
  const parts = registrationNumber(value, /[0-49]/);
  return parts !== undefined && (!parts.checked || (11 - parts.sum) % 10 === parts.check);
}

/**
 * Foreigner registration number (외국인등록번호, Immigration Act): as the resident registration
 * number, with 5–8 as the seventh digit, and a check digit `(13 − sum mod 11) mod 10` before
 * October 2020.
 *
 * @example
 * ```ts
 * isKoreanFrn('900101-5234561'); // true
 * ```
 */
export function isKoreanFrn(value: string): boolean {
  const parts = registrationNumber(value, /[5-8]/);
  return parts !== undefined && (!parts.checked || (13 - parts.sum) % 10 === parts.check);
}

/**
 * Business registration number (사업자등록번호, National Tax Service): three digits of the tax
 * office, two of the kind of business, four of serial and a check digit. The first nine are
 * weighted 1, 3, 7, 1, 3, 7, 1, 3, 5, the tens of the last product added again; the check is
 * `(10 − sum mod 10) mod 10`.
 *
 * @example
 * ```ts
 * isKoreanBrn('123-45-67891'); // true
 * ```
 */
export function isKoreanBrn(value: string): boolean {
  const v = normalise(value);
  if (!/^\d{10}$/.test(v) || digitsAt(v, 0, 3) < 101) return false;
  const sum = weightedSum(v, [1, 3, 7, 1, 3, 7, 1, 3, 5], 10) + Math.floor((digitsAt(v, 8, 9) * 5) / 10);
  return (10 - (sum % 10)) % 10 === digitsAt(v, 9, 10);
}

/**
 * Driver's licence number (Road Traffic Act): a two-digit region of issue (11–26 or 28), the
 * two-digit year of issue, a six-digit serial and two check digits, written 11-17-174133-01.
 * The check digits' algorithm is not published, so the region is what is checked.
 *
 * @example
 * ```ts
 * isKoreanDriverLicense('11-17-174133-01'); // true
 * ```
 */
export function isKoreanDriverLicense(value: string): boolean {
  const v = normalise(value);
  const region = digitsAt(v, 0, 2);
  return /^\d{12}$/.test(v) && ((region >= 11 && region <= 26) || region === 28);
}

/** Recognizers for identifiers issued in the Republic of Korea. */
export const KOREA_RECOGNIZERS: readonly Recognizer[] = [
  patternRecognizer({
    name: 'kr-rrn',
    entity: 'KR_RRN',
    patterns: [
      { regex: identifier(String.raw`\d{6}-[0-49]\d{6}`), score: 0.6 },
      { regex: identifier(String.raw`\d{6}[0-49]\d{6}`), score: 0.3 },
    ],
    validator: isKoreanRrn,
    context: ['주민등록번호', '주민번호', '주민등록', 'resident registration', 'registration number', 'rrn'],
  }),
  patternRecognizer({
    name: 'kr-frn',
    entity: 'KR_FRN',
    patterns: [
      { regex: identifier(String.raw`\d{6}-[5-8]\d{6}`), score: 0.6 },
      { regex: identifier(String.raw`\d{6}[5-8]\d{6}`), score: 0.3 },
    ],
    validator: isKoreanFrn,
    context: [
      '외국인등록번호',
      '외국인등록',
      '외국인번호',
      'foreigner registration',
      'alien registration',
      'registration number',
      'frn',
    ],
  }),
  patternRecognizer({
    name: 'kr-brn',
    entity: 'KR_BRN',
    patterns: [
      // The printed 3-2-5 grouping with a check digit is distinctive; a bare run is not.
      { regex: identifier(String.raw`\d{3}-\d{2}-\d{5}`), score: 0.4 },
      { regex: identifier(String.raw`\d{10}`), score: 0.05 },
    ],
    validator: isKoreanBrn,
    context: ['사업자등록번호', '사업자번호', '사업자', 'business registration', 'brn'],
  }),
  patternRecognizer({
    name: 'kr-passport',
    entity: 'KR_PASSPORT',
    // A letter for the kind of passport and eight digits, or since December 2021 three digits, a
    // letter and four digits; no check digit outside the machine-readable zone.
    patterns: [{ regex: identifier(String.raw`[MSRODG](?:\d{8}|\d{3}[A-Z]\d{4})`), score: 0.05 }],
    context: ['여권번호', '여권', 'passport', 'passport number', 'passport no'],
  }),
  patternRecognizer({
    name: 'kr-driver-license',
    entity: 'KR_DRIVER_LICENSE',
    patterns: [
      { regex: identifier(String.raw`\d{2}-\d{2}-\d{6}-\d{2}`), score: 0.3 },
      { regex: identifier(String.raw`\d{12}`), score: 0.05 },
    ],
    validator: isKoreanDriverLicense,
    context: [
      '운전면허번호',
      '운전면허',
      '면허번호',
      'driver license',
      'driver licence',
      'driving licence',
      'driving license',
      'licence number',
      'license number',
    ],
  }),
];
