import type { Recognizer } from '../../types.js';
import { luhn, verhoeff, weightedSum } from '../../validators/checksums.js';
import {
  icaoCheckDigit,
  isRealDate,
  isRealTwoDigitYearDate,
  iso7064Mod11x10,
} from '../../validators/national-checksums.js';
import { patternRecognizer } from '../pattern.js';
import { digitsAt, identifier, normalise } from './shape.js';

/**
 * German tax ID (Steuerliche Identifikationsnummer): eleven digits, no leading zero; in the
 * first ten exactly one digit occurs twice or three times (three never all adjacent) and the
 * rest at most once; the last is an ISO 7064 MOD 11,10 check.
 */
export function isGermanTaxId(value: string): boolean {
  const v = normalise(value);
  if (!/^[1-9]\d{10}$/.test(v) || !iso7064Mod11x10(v)) return false;
  const counts = new Array<number>(10).fill(0);
  for (let i = 0; i < 10; i++) counts[v.charCodeAt(i) - 48]! += 1;
  const repeated = counts.filter((count) => count > 1);
  if (repeated.length !== 1 || repeated[0]! > 3) return false;
  return !/(\d)\1\1/.test(v.slice(0, 10));
}

/**
 * German identity card (since November 2010) or passport (since March 2017) serial number: nine
 * characters from a 27-symbol alphabet without vowels, optionally followed by its ICAO 9303 check
 * digit as printed in the MRZ. The first letter tells the document: L, M, N, P, R, T, V, W, X or
 * Y an identity card, C, F, G, H, J or K a passport.
 */
export function isGermanIdCard(value: string): boolean {
  const v = normalise(value);
  if (!/\d/.test(v.slice(1, 9))) return false;
  return v.length === 9 || icaoCheckDigit(v.slice(0, 9)) === v.charCodeAt(9) - 48;
}

/**
 * French social security number (NIR / numéro INSEE): sex, year, month (01–12, or 20, 30–42
 * and 50–99 when the birth month is unknown), département (2A/2B for Corsica), commune, order
 * and a key `97 − (number mod 97)` where 2A counts as 19 and 2B as 18.
 */
export function isFrenchNir(value: string): boolean {
  const v = normalise(value);
  if (!/^[1-478]\d{4}(?:\d{2}|2[AB])\d{8}$/.test(v)) return false;
  const month = digitsAt(v, 3, 5);
  if (!((month >= 1 && month <= 12) || month === 20 || (month >= 30 && month <= 42) || month >= 50))
    return false;
  if (v.slice(5, 7) === '00' || v.slice(10, 13) === '000') return false;
  const number = Number(v.slice(0, 13).replace('2A', '19').replace('2B', '18'));
  return 97 - (number % 97) === digitsAt(v, 13, 15);
}

/** Dutch citizen service number (BSN): nine digits passing the "11-proef" (weights 9..2, −1). */
export function isDutchBsn(value: string): boolean {
  const v = normalise(value);
  return /^\d{9}$/.test(v) && v !== '000000000' && weightedSum(v, [9, 8, 7, 6, 5, 4, 3, 2, -1], 11) === 0;
}

/**
 * Belgian national register number: YYMMDD, a sequence and a mod-97 check over the first nine
 * digits, with a 2 prepended for people born from 2000. Month and day may be 0 when unknown;
 * BIS numbers add 20 or 40 to the month.
 */
export function isBelgianNationalNumber(value: string): boolean {
  const v = normalise(value);
  if (!/^\d{11}$/.test(v)) return false;
  const base = Number(v.slice(0, 9));
  const check = digitsAt(v, 9, 11);
  const century = 97 - (base % 97) === check ? 1900 : 97 - ((2_000_000_000 + base) % 97) === check ? 2000 : 0;
  if (century === 0) return false;
  const rawMonth = digitsAt(v, 2, 4);
  const month = rawMonth % 20;
  const day = digitsAt(v, 4, 6);
  if (rawMonth > 52 || month > 12 || day > 31) return false;
  return month === 0 || day === 0 || isRealDate(century + digitsAt(v, 0, 2), month, day);
}

/**
 * Luxembourg national identification number (matricule): YYYYMMDD, three digits, then a Luhn
 * digit and a Verhoeff digit, both computed over the first eleven.
 */
export function isLuxembourgMatricule(value: string): boolean {
  const v = normalise(value);
  if (!/^\d{13}$/.test(v)) return false;
  const body = v.slice(0, 11);
  return (
    isRealDate(digitsAt(v, 0, 4), digitsAt(v, 4, 6), digitsAt(v, 6, 8)) &&
    luhn(body + v[11]) &&
    verhoeff(body + v[12])
  );
}

/**
 * Austrian social insurance number (Versicherungsnummer): a three-digit serial, a check digit
 * (weights 3, 7, 9, ·, 5, 8, 4, 2, 1, 6, mod 11, never 10) and the birth date as DDMMYY.
 */
export function isAustrianSvnr(value: string): boolean {
  const v = normalise(value);
  if (!/^[1-9]\d{9}$/.test(v)) return false;
  const check = weightedSum(v, [3, 7, 9, 0, 5, 8, 4, 2, 1, 6], 11);
  return (
    check === digitsAt(v, 3, 4) &&
    isRealTwoDigitYearDate(digitsAt(v, 8, 10), digitsAt(v, 6, 8), digitsAt(v, 4, 6))
  );
}

/**
 * Irish Personal Public Service Number: seven digits, a check letter (mod 23 over weights
 * 8..2, plus 9 × the second letter's position for numbers issued since 2013) and an optional
 * second letter (W for older numbers carries no weight).
 */
export function isIrishPpsn(value: string): boolean {
  const v = normalise(value);
  if (!/^\d{7}[A-W][A-IW]?$/.test(v)) return false;
  let sum = weightedSum(v, [8, 7, 6, 5, 4, 3, 2], 23);
  const second = v[8];
  if (second !== undefined && second !== 'W') sum += 9 * (second.charCodeAt(0) - 64);
  return 'WABCDEFGHIJKLMNOPQRSTUV'[sum % 23] === v[7];
}

/** Recognizers for identifiers of Germany, France, the Benelux, Austria and Ireland. */
export const EU_WEST_RECOGNIZERS: readonly Recognizer[] = [
  patternRecognizer({
    name: 'de-tax-id',
    entity: 'DE_TAX_ID',
    patterns: [
      { regex: identifier(String.raw`[1-9]\d{10}`), score: 0.1 },
      { regex: identifier(String.raw`[1-9]\d \d{3} \d{3} \d{3}`), score: 0.1 },
    ],
    validator: isGermanTaxId,
    validatedScore: 0.3,
    context: [
      'steuer id',
      'steuerid',
      'steuer idnr',
      'steueridentifikationsnummer',
      'identifikationsnummer',
      'idnr',
      'tax id',
      'tin',
      'tax identification',
    ],
  }),
  patternRecognizer({
    name: 'de-id-card',
    entity: 'DE_ID_CARD',
    patterns: [
      // With the MRZ check digit the value is self-checking; without it only context tells.
      { regex: identifier('[LMNPRTVWXY][CFGHJKLMNPRTVWXYZ0-9]{8}\\d'), score: 0.5 },
      { regex: identifier('[LMNPRTVWXY][CFGHJKLMNPRTVWXYZ0-9]{8}'), score: 0.1 },
    ],
    validator: isGermanIdCard,
    context: [
      'personalausweis',
      'ausweis',
      'ausweisnummer',
      'identity card',
      'id card',
      'dokumentennummer',
      'document number',
    ],
  }),
  patternRecognizer({
    name: 'de-passport',
    entity: 'DE_PASSPORT',
    patterns: [
      { regex: identifier('[CFGHJK][CFGHJKLMNPRTVWXYZ0-9]{8}\\d'), score: 0.5 },
      { regex: identifier('[CFGHJK][CFGHJKLMNPRTVWXYZ0-9]{8}'), score: 0.1 },
    ],
    validator: isGermanIdCard,
    context: [
      'reisepass',
      'passnummer',
      'pass nr',
      'passport',
      'passport number',
      'dokumentennummer',
      'document number',
    ],
  }),
  patternRecognizer({
    name: 'fr-nir',
    entity: 'FR_NIR',
    // Fifteen characters with a birth month, a département and a two-digit key: distinctive.
    patterns: [
      {
        regex: identifier(String.raw`[1-478] ?\d{2} ?\d{2} ?(?:\d{2}|2[AB]) ?\d{3} ?\d{3} ?\d{2}`),
        score: 0.2,
      },
    ],
    validator: isFrenchNir,
    validatedScore: 0.5,
    context: [
      'nir',
      'insee',
      'sécurité sociale',
      'securite sociale',
      'numéro de sécu',
      'carte vitale',
      'social security',
      'social insurance',
    ],
  }),
  patternRecognizer({
    name: 'nl-bsn',
    entity: 'NL_BSN',
    patterns: [
      { regex: identifier(String.raw`\d{9}`), score: 0.05 },
      { regex: identifier(String.raw`\d{4}\.\d{2}\.\d{3}`), score: 0.1 },
    ],
    validator: isDutchBsn,
    validatedScore: 0.3,
    context: ['bsn', 'burgerservicenummer', 'sofinummer', 'sofi', 'citizen service number', 'persoonsnummer'],
  }),
  patternRecognizer({
    name: 'be-national-number',
    entity: 'BE_NATIONAL_NUMBER',
    patterns: [
      // The printed form YY.MM.DD-SSS.CC is distinctive; eleven bare digits are not.
      { regex: identifier(String.raw`\d{2}\.\d{2}\.\d{2}[- ]\d{3}\.\d{2}`), score: 0.5 },
      { regex: identifier(String.raw`\d{6}[- ]?\d{3}[- ]?\d{2}`), score: 0.3 },
    ],
    validator: isBelgianNationalNumber,
    context: [
      'rijksregisternummer',
      'rijksregister',
      'numéro national',
      'registre national',
      'national number',
      'national register',
      'nationalnummer',
      'insz',
      'niss',
      'bis',
    ],
  }),
  patternRecognizer({
    name: 'lu-matricule',
    entity: 'LU_MATRICULE',
    // A real date and two independent check digits (Luhn and Verhoeff) rarely pass by chance.
    patterns: [{ regex: identifier(String.raw`\d{4} ?\d{2} ?\d{2} ?\d{3} ?\d{2}`), score: 0.1 }],
    validator: isLuxembourgMatricule,
    validatedScore: 0.5,
    context: [
      'matricule',
      'numéro d identification',
      'identifiant national',
      'sozialversicherungsnummer',
      'national identification',
      'cns',
      'luxembourg',
    ],
  }),
  patternRecognizer({
    name: 'at-svnr',
    entity: 'AT_SVNR',
    patterns: [{ regex: identifier(String.raw`\d{4} ?\d{6}`), score: 0.1 }],
    validator: isAustrianSvnr,
    validatedScore: 0.3,
    context: [
      'sozialversicherungsnummer',
      'versicherungsnummer',
      'svnr',
      'sv nummer',
      'sv nr',
      'e card',
      'social security',
      'social insurance',
    ],
  }),
  patternRecognizer({
    name: 'ie-ppsn',
    entity: 'IE_PPSN',
    patterns: [{ regex: identifier(String.raw`\d{7}[A-W][A-IW]?`), score: 0.2 }],
    validator: isIrishPpsn,
    validatedScore: 0.5,
    context: [
      'ppsn',
      'pps',
      'pps number',
      'personal public service',
      'uimhir pps',
      'social welfare',
      'revenue',
    ],
  }),
];
