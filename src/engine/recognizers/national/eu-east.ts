import type { Recognizer } from '../../types.js';
import { weightedSum } from '../../validators/checksums.js';
import { isRealDate } from '../../validators/national-checksums.js';
import { patternRecognizer, type PatternDefinition } from '../pattern.js';
import { digitsAt, identifier, normalise } from './shape.js';

/**
 * Polish PESEL: YYMMDD with the century in the month (+80 1800s, +0 1900s, +20 2000s, +40
 * 2100s, +60 2200s), a serial and a check digit over weights 1, 3, 7, 9.
 */
export function isPolishPesel(value: string): boolean {
  const v = normalise(value);
  if (!/^\d{11}$/.test(v)) return false;
  const rawMonth = digitsAt(v, 2, 4);
  const offset = Math.floor(rawMonth / 20) * 20;
  const century = offset === 80 ? 1800 : 1900 + (offset / 20) * 100;
  if (!isRealDate(century + digitsAt(v, 0, 2), rawMonth - offset, digitsAt(v, 4, 6))) return false;
  const sum = 10 - weightedSum(v, [1, 3, 7, 9, 1, 3, 7, 9, 1, 3], 10);
  return sum % 10 === digitsAt(v, 10, 11);
}

/**
 * Czech and Slovak birth number (rodné číslo): YYMMDD with +50 on the month for women (+20 or
 * +70 when a day's numbers ran out, from 2004), then three digits (before 1954) or four, the
 * whole ten-digit number divisible by 11 (or its first nine leaving 10 and a final 0).
 */
export function isBirthNumber(value: string): boolean {
  const v = normalise(value);
  if (!/^\d{9,10}$/.test(v)) return false;
  const yy = digitsAt(v, 0, 2);
  const year = v.length === 9 ? (yy < 54 ? 1900 + yy : Number.NaN) : yy < 54 ? 2000 + yy : 1900 + yy;
  const rawMonth = digitsAt(v, 2, 4);
  const month =
    rawMonth > 70 ? rawMonth - 70 : rawMonth > 50 ? rawMonth - 50 : rawMonth > 20 ? rawMonth - 20 : rawMonth;
  if ((rawMonth > 20 && rawMonth <= 32) || rawMonth > 70) {
    if (year < 2004) return false;
  }
  if (!isRealDate(year, month, digitsAt(v, 4, 6))) return false;
  if (v.length === 9) return true;
  const remainder = Number(v.slice(0, 9)) % 11;
  return (remainder === 10 ? 0 : remainder) === digitsAt(v, 9, 10);
}

/** Hungarian social security number (TAJ): eight digits and a check over weights 3, 7. */
export function isHungarianTaj(value: string): boolean {
  const v = normalise(value);
  return /^\d{9}$/.test(v) && weightedSum(v, [3, 7, 3, 7, 3, 7, 3, 7], 10) === digitsAt(v, 8, 9);
}

/**
 * Romanian personal numeric code (CNP): sex/century digit, YYMMDD, county (01–52 or a
 * foreign-born code), a serial and a check over the weights 279146358279 (10 → 1).
 */
export function isRomanianCnp(value: string): boolean {
  const v = normalise(value);
  if (!/^[1-9]\d{12}$/.test(v)) return false;
  const s = digitsAt(v, 0, 1);
  const yy = digitsAt(v, 1, 3);
  const month = digitsAt(v, 3, 5);
  const day = digitsAt(v, 5, 7);
  // 7–9 are residents and foreigners: the century is not stated, so either must be possible.
  const years = s <= 2 ? [1900] : s <= 4 ? [1800] : s <= 6 ? [2000] : [1900, 2000];
  if (!years.some((c) => isRealDate(c + yy, month, day))) return false;
  const county = digitsAt(v, 7, 9);
  if (!((county >= 1 && county <= 52) || county === 70 || (county >= 80 && county <= 83))) return false;
  const check = weightedSum(v, [2, 7, 9, 1, 4, 6, 3, 5, 8, 2, 7, 9], 11);
  return (check === 10 ? 1 : check) === digitsAt(v, 12, 13);
}

/**
 * Bulgarian uniform civil number (EGN): YYMMDD with +20 on the month for the 1800s and +40
 * for the 2000s, three digits and a check over weights 2, 4, 8, 5, 10, 9, 7, 3, 6 (10 → 0).
 */
export function isBulgarianEgn(value: string): boolean {
  const v = normalise(value);
  if (!/^\d{10}$/.test(v)) return false;
  const rawMonth = digitsAt(v, 2, 4);
  const century = rawMonth > 40 ? 2000 : rawMonth > 20 ? 1800 : 1900;
  if (!isRealDate(century + digitsAt(v, 0, 2), rawMonth % 20, digitsAt(v, 4, 6))) return false;
  return weightedSum(v, [2, 4, 8, 5, 10, 9, 7, 3, 6], 11) % 10 === digitsAt(v, 9, 10);
}

// The slash form is how birth numbers are printed; bare digit runs are far more ambiguous.
const BIRTH_NUMBER_PATTERNS: readonly PatternDefinition[] = [
  { regex: identifier(String.raw`\d{6}/\d{4}`), score: 0.4 },
  { regex: identifier(String.raw`\d{6}/\d{3}`), score: 0.2 },
  { regex: identifier(String.raw`\d{10}`), score: 0.2 },
  { regex: identifier(String.raw`\d{9}`), score: 0.05 },
];
const BIRTH_NUMBER_CONTEXT = [
  'rodné číslo',
  'rodného čísla',
  'rodne cislo',
  'birth number',
  'personal number',
];

/** Recognizers for identifiers of Poland, Czechia, Slovakia, Hungary, Romania and Bulgaria. */
export const EU_EAST_RECOGNIZERS: readonly Recognizer[] = [
  patternRecognizer({
    name: 'pl-pesel',
    entity: 'PL_PESEL',
    patterns: [{ regex: identifier(String.raw`\d{11}`), score: 0.05 }],
    validator: isPolishPesel,
    validatedScore: 0.3,
    context: ['pesel', 'numer pesel', 'personal identification number', 'national identification number'],
  }),
  // Czech and Slovak birth numbers are the same scheme; only nearby words can tell them apart,
  // and on a tie the overlap rule keeps CZ_BIRTH_NUMBER.
  patternRecognizer({
    name: 'cz-birth-number',
    entity: 'CZ_BIRTH_NUMBER',
    patterns: BIRTH_NUMBER_PATTERNS,
    validator: isBirthNumber,
    context: [...BIRTH_NUMBER_CONTEXT, 'česk', 'czech', 'občanský průkaz'],
  }),
  patternRecognizer({
    name: 'sk-birth-number',
    entity: 'SK_BIRTH_NUMBER',
    patterns: BIRTH_NUMBER_PATTERNS,
    validator: isBirthNumber,
    context: [...BIRTH_NUMBER_CONTEXT, 'slovensk', 'slovak', 'občiansky preukaz'],
  }),
  patternRecognizer({
    name: 'hu-taj',
    entity: 'HU_TAJ',
    patterns: [{ regex: identifier(String.raw`\d{3}([ -]?)\d{3}\1\d{3}`), score: 0.05 }],
    validator: isHungarianTaj,
    validatedScore: 0.3,
    context: [
      'taj',
      'taj szám',
      'társadalombiztosítási azonosító jel',
      'társadalombiztosítási',
      'social security',
    ],
  }),
  patternRecognizer({
    name: 'ro-cnp',
    entity: 'RO_CNP',
    patterns: [{ regex: identifier(String.raw`[1-9]\d{12}`), score: 0.05 }],
    validator: isRomanianCnp,
    validatedScore: 0.3,
    context: ['cnp', 'cod numeric personal', 'codul numeric personal', 'personal numeric code'],
  }),
  patternRecognizer({
    name: 'bg-egn',
    entity: 'BG_EGN',
    patterns: [{ regex: identifier(String.raw`\d{10}`), score: 0.05 }],
    validator: isBulgarianEgn,
    validatedScore: 0.3,
    context: ['егн', 'единен граждански номер', 'egn', 'uniform civil number', 'personal number'],
  }),
];
