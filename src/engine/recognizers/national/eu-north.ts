import type { Recognizer } from '../../types.js';
import { luhn, weightedSum } from '../../validators/checksums.js';
import { isRealDate, isRealTwoDigitYearDate } from '../../validators/national-checksums.js';
import { patternRecognizer } from '../pattern.js';
import { digitsAt, identifier, normalise } from './shape.js';

/**
 * Swedish personal identity number (personnummer), also coordination numbers (day + 60):
 * [YY]YYMMDD, a separator (+ for people over 100), three digits and a Luhn digit over the
 * ten-digit form.
 */
export function isSwedishPersonnummer(value: string): boolean {
  const v = normalise(value).replace('+', '');
  if (!/^(?:\d{2})?\d{10}$/.test(v)) return false;
  const short = v.slice(-10);
  const rawDay = digitsAt(short, 4, 6);
  const day = rawDay > 60 ? rawDay - 60 : rawDay;
  const month = digitsAt(short, 2, 4);
  const dateOk =
    v.length === 12
      ? isRealDate(digitsAt(v, 0, 4), month, day)
      : isRealTwoDigitYearDate(digitsAt(short, 0, 2), month, day);
  return dateOk && luhn(short);
}

/**
 * Danish CPR number: DDMMYY and four digits whose first, with the year, gives the century.
 * The old mod-11 check was dropped in 2007, so only the date can be validated.
 */
export function isDanishCpr(value: string): boolean {
  const v = normalise(value);
  if (!/^\d{10}$/.test(v)) return false;
  const yy = digitsAt(v, 4, 6);
  const centuryDigit = digitsAt(v, 6, 7);
  const century =
    centuryDigit <= 3
      ? 1900
      : centuryDigit === 4 || centuryDigit === 9
        ? yy <= 36
          ? 2000
          : 1900
        : yy <= 57
          ? 2000
          : 1800;
  return isRealDate(century + yy, digitsAt(v, 2, 4), digitsAt(v, 0, 2));
}

const HETU_CHECK = '0123456789ABCDEFHJKLMNPRSTUVWXY';

/**
 * Finnish personal identity code (henkilötunnus): DDMMYY, a century sign (+ 1800s; - and
 * Y X W V U 1900s; A–F 2000s), an individual number 002–899 (900–999 are temporary) and a
 * check character: DDMMYYNNN mod 31 in a fixed alphabet.
 */
export function isFinnishIdentityCode(value: string): boolean {
  const v = value.toUpperCase();
  const match = /^(\d{6})([-+A-FU-Y])(\d{3})([0-9A-Y])$/.exec(v);
  if (!match) return false;
  const [, date = '', sign = '', individual = '', check = ''] = match;
  const century = sign === '+' ? 1800 : 'ABCDEF'.includes(sign) ? 2000 : 1900;
  if (!isRealDate(century + digitsAt(date, 4, 6), digitsAt(date, 2, 4), digitsAt(date, 0, 2))) return false;
  if (Number(individual) < 2) return false;
  return HETU_CHECK[Number(date + individual) % 31] === check;
}

/**
 * Estonian isikukood and Lithuanian asmens kodas share one structure: a sex/century digit
 * (1–2 1800s, 3–4 1900s, 5–6 2000s), YYMMDD, a serial and a two-stage mod-11 check digit.
 */
export function isBalticPersonalCode(value: string): boolean {
  const v = normalise(value);
  if (!/^[1-6]\d{10}$/.test(v)) return false;
  const century = 1800 + Math.floor((digitsAt(v, 0, 1) - 1) / 2) * 100;
  if (!isRealDate(century + digitsAt(v, 1, 3), digitsAt(v, 3, 5), digitsAt(v, 5, 7))) return false;
  let check = weightedSum(v, [1, 2, 3, 4, 5, 6, 7, 8, 9, 1], 11);
  if (check === 10) check = weightedSum(v, [3, 4, 5, 6, 7, 8, 9, 1, 2, 3], 11) % 10;
  return check === digitsAt(v, 10, 11);
}

/**
 * Latvian personal code (personas kods). Codes issued before July 2017 are DDMMYY, a century
 * digit (0 1800s, 1 1900s, 2 2000s), a serial and a check `(1101 − Σ) mod 11`; newer codes
 * start with 32 and carry neither date nor check.
 */
export function isLatvianPersonalCode(value: string): boolean {
  const v = normalise(value);
  if (!/^\d{11}$/.test(v)) return false;
  if (v.startsWith('32')) return true;
  const centuryDigit = digitsAt(v, 6, 7);
  if (centuryDigit > 2) return false;
  if (!isRealDate(1800 + centuryDigit * 100 + digitsAt(v, 4, 6), digitsAt(v, 2, 4), digitsAt(v, 0, 2)))
    return false;
  const weights = [1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  let sum = 0;
  for (let i = 0; i < 10; i++) sum += (v.charCodeAt(i) - 48) * weights[i]!;
  return (1101 - sum) % 11 === digitsAt(v, 10, 11);
}

const BALTIC_PATTERN = [{ regex: identifier(String.raw`[1-6]\d{10}`), score: 0.05 }];

/**
 * Swedish organisation number (organisationsnummer, Skatteverket): ten digits whose third and
 * fourth digits are 20 or more (so it never reads as a birth date), the first the kind of legal
 * person (1–9), the last a Luhn digit over all ten; written NNNNNN-NNNN, sometimes with the
 * prefix 16.
 *
 * @example
 * ```ts
 * isSwedishOrganisationNumber('556036-0793'); // true
 * ```
 */
export function isSwedishOrganisationNumber(value: string): boolean {
  const v = normalise(value).replace(/^16(?=\d{10}$)/, '');
  return /^[1-9]\d{9}$/.test(v) && digitsAt(v, 2, 4) >= 20 && luhn(v);
}

/** Recognizers for identifiers of Sweden, Denmark, Finland and the Baltic states. */
export const EU_NORTH_RECOGNIZERS: readonly Recognizer[] = [
  patternRecognizer({
    name: 'se-personnummer',
    entity: 'SE_PERSONNUMMER',
    patterns: [
      // A birth date, a separator and a Luhn digit: distinctive in the written form.
      { regex: identifier(String.raw`(?:\d{2})?\d{6}[-+]\d{4}`), score: 0.5 },
      { regex: identifier(String.raw`\d{10}|\d{12}`), score: 0.3 },
    ],
    validator: isSwedishPersonnummer,
    context: [
      'personnummer',
      'personnr',
      'samordningsnummer',
      'personal identity number',
      'social security',
      'id number',
    ],
  }),
  patternRecognizer({
    name: 'se-organisationsnummer',
    entity: 'SE_ORGANISATIONSNUMMER',
    patterns: [
      // One random digit run in about twelve passes: context has to confirm even the written form.
      { regex: identifier(String.raw`(?:16)?[1-9]\d{5}-\d{4}`), score: 0.3 },
      { regex: identifier(String.raw`(?:16)?[1-9]\d{9}`), score: 0.05 },
    ],
    validator: isSwedishOrganisationNumber,
    context: [
      'organisationsnummer',
      'org nr',
      'orgnr',
      'org.nr',
      'organisation number',
      'organization number',
      'bolagsverket',
    ],
  }),
  patternRecognizer({
    name: 'dk-cpr',
    entity: 'DK_CPR',
    // No check digit since 2007: a date and four digits need context.
    patterns: [
      { regex: identifier(String.raw`\d{6}-\d{4}`), score: 0.3 },
      { regex: identifier(String.raw`\d{10}`), score: 0.05 },
    ],
    validator: isDanishCpr,
    context: [
      'cpr',
      'cpr nummer',
      'cpr nr',
      'personnummer',
      'sundhedskort',
      'personal identification number',
      'civil registration',
    ],
  }),
  patternRecognizer({
    name: 'fi-personal-identity-code',
    entity: 'FI_PERSONAL_IDENTITY_CODE',
    patterns: [{ regex: identifier(String.raw`\d{6}[-+A-FU-Y]\d{3}[0-9A-Y]`), score: 0.3 }],
    validator: isFinnishIdentityCode,
    validatedScore: 0.7,
    context: ['henkilötunnus', 'hetu', 'personbeteckning', 'personal identity code', 'identity code', 'sotu'],
  }),
  patternRecognizer({
    name: 'ee-isikukood',
    entity: 'EE_ISIKUKOOD',
    patterns: BALTIC_PATTERN,
    validator: isBalticPersonalCode,
    validatedScore: 0.3,
    context: [
      'isikukood',
      'isikukoodi',
      'personal code',
      'personal identification code',
      'estonian id',
      'eesti',
    ],
  }),
  patternRecognizer({
    name: 'lt-asmens-kodas',
    entity: 'LT_ASMENS_KODAS',
    patterns: BALTIC_PATTERN,
    validator: isBalticPersonalCode,
    validatedScore: 0.3,
    context: ['asmens kodas', 'asmens kodo', 'personal code', 'lithuanian id', 'lietuvos'],
  }),
  patternRecognizer({
    name: 'lv-personas-kods',
    entity: 'LV_PERSONAS_KODS',
    patterns: [
      { regex: identifier(String.raw`\d{6}-\d{5}`), score: 0.3 },
      { regex: identifier(String.raw`\d{11}`), score: 0.05 },
    ],
    validator: isLatvianPersonalCode,
    context: ['personas kods', 'personas koda', 'personal code', 'latvian id', 'latvijas'],
  }),
];
