import type { Recognizer } from '../../types.js';
import { weightedSum } from '../../validators/checksums.js';
import {
  crossSumMod10,
  isRealTwoDigitYearDate,
  letterAsTwoDigits,
} from '../../validators/national-checksums.js';
import { patternRecognizer } from '../pattern.js';
import { digitsAt, identifier, normalise } from './shape.js';

/**
 * Lifelong doctor number (LANR, Lebenslange Arztnummer, KBV): six digits, a check digit and two
 * digits of specialty. The check is `10 − (Σ digit × 4, 9, 4, 9, 4, 9) mod 10`, 10 counting 0.
 *
 * @example
 * ```ts
 * isGermanLanr('123456601'); // true
 * ```
 */
export function isGermanLanr(value: string): boolean {
  const v = normalise(value);
  return /^\d{9}$/.test(v) && (10 - weightedSum(v, [4, 9, 4, 9, 4, 9], 10)) % 10 === digitsAt(v, 6, 7);
}

/**
 * Regional associations of statutory-health-insurance physicians (Kassenärztliche
 * Vereinigungen) as the first two digits of a BSNR: Schleswig-Holstein 01, Hamburg 02, Bremen
 * 03, Niedersachsen 17, Westfalen-Lippe 20, Nordrhein 38, Hessen 46, Rheinland-Pfalz 51,
 * Baden-Württemberg 52, Bayern 71, Berlin 72, Saarland 73, Mecklenburg-Vorpommern 78,
 * Brandenburg 83, Sachsen-Anhalt 88, Thüringen 93, Sachsen 98.
 */
const KV_REGIONS = new Set([
  '01',
  '02',
  '03',
  '17',
  '20',
  '38',
  '46',
  '51',
  '52',
  '71',
  '72',
  '73',
  '78',
  '83',
  '88',
  '93',
  '98',
]);

/**
 * Practice site number (BSNR, Betriebsstättennummer): nine digits opening with the code of the
 * regional association that issued it. It has no check digit, so only context reports it.
 *
 * @example
 * ```ts
 * isGermanBsnr('721234500'); // true (Berlin)
 * ```
 */
export function isGermanBsnr(value: string): boolean {
  const v = normalise(value);
  return /^\d{9}$/.test(v) && KV_REGIONS.has(v.slice(0, 2));
}

/**
 * Health insurance number (KVNR, unchangeable part of the Krankenversichertennummer, §290 SGB V):
 * a letter, eight digits and a check digit. The letter becomes its place in the alphabet (two
 * digits); the ten digits are weighted 1, 2, 1, 2, … and the cross sums of the products, mod 10,
 * give the check digit.
 *
 * @example
 * ```ts
 * isGermanKvnr('A123456780'); // true
 * ```
 */
export function isGermanKvnr(value: string): boolean {
  const v = normalise(value);
  if (!/^[A-Z]\d{9}$/.test(v)) return false;
  const digits = letterAsTwoDigits(v[0]!) + v.slice(1, 9);
  return crossSumMod10(digits, [1, 2, 1, 2, 1, 2, 1, 2, 1, 2]) === digitsAt(v, 9, 10);
}

/**
 * Pension insurance number (RVNR, Rentenversicherungsnummer, also the social insurance number):
 * a two-digit area number, the birth date as DDMMYY, the birth name's initial, a two-digit serial
 * (00–49 men, 50–99 women) and a check digit. The letter becomes its place in the alphabet (two
 * digits); the twelve digits are weighted 2, 1, 2, 5, 7, 1, 2, 1, 2, 1, 2, 1 and the cross sums
 * of the products, mod 10, give the check digit. The birth date must exist.
 *
 * @example
 * ```ts
 * isGermanRvnr('12 150385 M 01 4'); // true
 * ```
 */
export function isGermanRvnr(value: string): boolean {
  const v = normalise(value);
  if (!/^\d{8}[A-Z]\d{3}$/.test(v)) return false;
  if (!isRealTwoDigitYearDate(digitsAt(v, 6, 8), digitsAt(v, 4, 6), digitsAt(v, 2, 4))) return false;
  const digits = v.slice(0, 8) + letterAsTwoDigits(v[8]!) + v.slice(9, 11);
  return crossSumMod10(digits, [2, 1, 2, 5, 7, 1, 2, 1, 2, 1, 2, 1]) === digitsAt(v, 11, 12);
}

/** Recognizers for German health and social insurance numbers. */
export const GERMANY_INSURANCE_RECOGNIZERS: readonly Recognizer[] = [
  patternRecognizer({
    name: 'de-lanr',
    entity: 'DE_LANR',
    // Nine digits with a one-digit check pass one time in ten: context has to confirm them.
    patterns: [{ regex: identifier(String.raw`\d{9}`), score: 0.05 }],
    validator: isGermanLanr,
    validatedScore: 0.1,
    context: ['lanr', 'arztnummer', 'lebenslange arztnummer', 'arzt nr', 'arzt-nr'],
  }),
  patternRecognizer({
    name: 'de-bsnr',
    entity: 'DE_BSNR',
    patterns: [{ regex: identifier(String.raw`\d{9}`), score: 0.05 }],
    validator: isGermanBsnr,
    context: ['bsnr', 'betriebsstättennummer', 'betriebsstätte', 'praxisnummer'],
  }),
  patternRecognizer({
    name: 'de-kvnr',
    entity: 'DE_KVNR',
    // A letter, nine digits and a checked last digit are distinctive, but still short.
    patterns: [{ regex: identifier(String.raw`[A-Z] ?\d{9}`), score: 0.1 }],
    validator: isGermanKvnr,
    validatedScore: 0.3,
    context: [
      'kvnr',
      'krankenversichertennummer',
      'versichertennummer',
      'versicherten nr',
      'krankenversicherung',
      'krankenkasse',
      'gesundheitskarte',
      'egk',
      'health insurance',
    ],
  }),
  patternRecognizer({
    name: 'de-rvnr',
    entity: 'DE_RVNR',
    patterns: [
      // A letter between digits, a real date and a check digit are distinctive in either form.
      { regex: identifier(String.raw`\d{2} \d{6} [A-Z] \d{3}|\d{2} \d{6} [A-Z] \d{2} \d`), score: 0.5 },
      { regex: identifier(String.raw`\d{8}[A-Z]\d{3}`), score: 0.4 },
    ],
    validator: isGermanRvnr,
    context: [
      'rvnr',
      'rentenversicherungsnummer',
      'rentenversicherung',
      'sozialversicherungsnummer',
      'sozialversicherung',
      'svnr',
      'versicherungsnummer',
      'social security',
      'social insurance',
    ],
  }),
];
