import type { Recognizer } from '../../types.js';
import { luhn } from '../../validators/checksums.js';
import {
  isRealDate,
  isRealTwoDigitYearDate,
  iso7064Mod11x10,
  italianFiscalCodeCheck,
  mod11CheckDigit,
  spanishCheckLetter,
} from '../../validators/national-checksums.js';
import { patternRecognizer } from '../pattern.js';
import { digitsAt, identifier, normalise } from './shape.js';

/** Spanish DNI/NIF of a person: eight digits and the mod-23 check letter. */
export function isSpanishNif(value: string): boolean {
  const v = normalise(value);
  return /^\d{8}[A-Z]$/.test(v) && spanishCheckLetter(v.slice(0, 8)) === v[8];
}

/** Spanish foreigner number (NIE): X, Y or Z (read as 0, 1, 2), seven digits, the NIF letter. */
export function isSpanishNie(value: string): boolean {
  const v = normalise(value);
  if (!/^[XYZ]\d{7}[A-Z]$/.test(v)) return false;
  return spanishCheckLetter(String('XYZ'.indexOf(v[0]!)) + v.slice(1, 8)) === v[8];
}

// Digits of a fiscal code that collide with another person's are replaced by these letters
// ("omocodia"), so positions that hold digits may hold them instead.
const OMOCODE_LETTERS = 'LMNPQRSTUV';
const FISCAL_CODE_MONTHS = 'ABCDEHLMPRST';

/**
 * Italian fiscal code (codice fiscale) of a person: surname and name consonants, birth year,
 * month letter, day (+40 for women), municipality code, check letter. The date must exist.
 */
export function isItalianFiscalCode(value: string): boolean {
  const v = normalise(value);
  if (!italianFiscalCodeCheck(v)) return false;
  const digit = (i: number): number => {
    const c = v[i]!;
    const omocode = OMOCODE_LETTERS.indexOf(c);
    return omocode >= 0 ? omocode : c.charCodeAt(0) - 48;
  };
  const yy = digit(6) * 10 + digit(7);
  const month = FISCAL_CODE_MONTHS.indexOf(v[8]!) + 1;
  const dd = digit(9) * 10 + digit(10);
  return isRealTwoDigitYearDate(yy, month, dd > 40 ? dd - 40 : dd);
}

/**
 * Italian VAT number (partita IVA): seven digits of the taxpayer, a three-digit office code
 * (001–100, 120, 121, 888 or 999) and a Luhn check digit.
 */
export function isItalianVatCode(value: string): boolean {
  const v = normalise(value);
  if (!/^\d{11}$/.test(v) || /^0{7}/.test(v)) return false;
  const office = digitsAt(v, 7, 10);
  return (
    ((office >= 1 && office <= 100) ||
      office === 120 ||
      office === 121 ||
      office === 888 ||
      office === 999) &&
    luhn(v)
  );
}

/**
 * Portuguese tax number (NIF): nine digits whose first one or two name the holder's kind
 * (1–3 people, 45 non-resident people, 5 companies, 6 public bodies, 7x estates and funds,
 * 8 sole traders, 9x others) and a mod-11 check (10 → 0).
 */
export function isPortugueseNif(value: string): boolean {
  const v = normalise(value);
  return /^(?:[1235689]|45|7\d)\d{7}/.test(v) && mod11CheckDigit(v, [9, 8, 7, 6, 5, 4, 3, 2], 0);
}

/** Greek social security number (AMKA): the birth date as DDMMYY, five digits, Luhn. */
export function isGreekAmka(value: string): boolean {
  const v = normalise(value);
  return (
    /^\d{11}$/.test(v) &&
    isRealTwoDigitYearDate(digitsAt(v, 4, 6), digitsAt(v, 2, 4), digitsAt(v, 0, 2)) &&
    luhn(v)
  );
}

/** Croatian personal identification number (OIB): eleven digits, ISO 7064 MOD 11,10. */
export function isCroatianOib(value: string): boolean {
  const v = normalise(value);
  return /^\d{11}$/.test(v) && iso7064Mod11x10(v);
}

/**
 * Slovenian EMŠO (the Yugoslav JMBG structure): DDMMYYY (YYY ≥ 800 means 1YYY, else 2YYY),
 * a register region, a serial and a mod-11 check digit (remainders 0 and 1 both give 0).
 */
export function isSlovenianEmso(value: string): boolean {
  const v = normalise(value);
  if (!/^\d{13}$/.test(v)) return false;
  const yyy = digitsAt(v, 4, 7);
  const year = yyy + (yyy >= 800 ? 1000 : 2000);
  return (
    isRealDate(year, digitsAt(v, 2, 4), digitsAt(v, 0, 2)) &&
    mod11CheckDigit(v, [7, 6, 5, 4, 3, 2, 7, 6, 5, 4, 3, 2], 0)
  );
}

const CYPRUS_ODD = [1, 0, 5, 7, 9, 13, 15, 17, 19, 21];

/**
 * Cyprus tax identification code (TIC, also the VAT number): eight digits (never starting
 * with 12) and a check letter: odd positions through a fixed table, even ones by value, mod 26.
 */
export function isCyprusTic(value: string): boolean {
  const v = normalise(value);
  if (!/^[0-59]\d{7}[A-Z]$/.test(v) || v.startsWith('12')) return false;
  let sum = 0;
  for (let i = 0; i < 8; i++) {
    const d = v.charCodeAt(i) - 48;
    sum += i % 2 === 0 ? CYPRUS_ODD[d]! : d;
  }
  return String.fromCharCode(65 + (sum % 26)) === v[8];
}

/** Recognizers for identifiers of Spain, Italy, Portugal, Greece, Croatia, Slovenia, Cyprus and Malta. */
export const EU_SOUTH_RECOGNIZERS: readonly Recognizer[] = [
  patternRecognizer({
    name: 'es-nif',
    entity: 'ES_NIF',
    patterns: [{ regex: identifier(String.raw`\d{8}-?[A-Z]`), score: 0.2 }],
    validator: isSpanishNif,
    validatedScore: 0.6,
    context: [
      'dni',
      'nif',
      'documento nacional de identidad',
      'identificación fiscal',
      'identity card',
      'national identity',
      'tax id',
    ],
  }),
  patternRecognizer({
    name: 'es-nie',
    entity: 'ES_NIE',
    patterns: [{ regex: identifier(String.raw`[XYZ]-?\d{7}-?[A-Z]`), score: 0.3 }],
    validator: isSpanishNie,
    validatedScore: 0.7,
    context: [
      'nie',
      'número de identidad de extranjero',
      'identidad de extranjero',
      'foreigner',
      'residence permit',
      'tie',
    ],
  }),
  patternRecognizer({
    name: 'es-passport',
    entity: 'ES_PASSPORT',
    // Three letters and six digits (two letters on books issued before 2006), no check digit
    // outside the machine-readable zone: only context tells.
    patterns: [{ regex: identifier(String.raw`[A-Z]{2,3}\d{6}`), score: 0.05 }],
    context: ['pasaporte', 'número de pasaporte', 'passport', 'passport number'],
  }),
  patternRecognizer({
    name: 'it-fiscal-code',
    entity: 'IT_FISCAL_CODE',
    patterns: [
      {
        regex: identifier(
          '[A-Z]{6}[0-9LMNPQRSTUV]{2}[ABCDEHLMPRST][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z]',
        ),
        score: 0.3,
      },
    ],
    validator: isItalianFiscalCode,
    validatedScore: 0.8,
    context: ['codice fiscale', 'cod fisc', 'c f', 'fiscal code', 'tax code', 'tessera sanitaria'],
  }),
  patternRecognizer({
    name: 'it-vat-code',
    entity: 'IT_VAT_CODE',
    patterns: [{ regex: identifier(String.raw`\d{11}`), score: 0.05 }],
    validator: isItalianVatCode,
    validatedScore: 0.3,
    context: ['partita iva', 'p iva', 'piva', 'iva', 'vat', 'vat number', 'codice iva'],
  }),
  patternRecognizer({
    name: 'it-passport',
    entity: 'IT_PASSPORT',
    // Two letters and seven digits, no check digit: context decides.
    patterns: [{ regex: identifier(String.raw`[A-Z]{2}\d{7}`), score: 0.1 }],
    context: ['passaporto', 'passport', 'numero passaporto', 'passport number'],
  }),
  patternRecognizer({
    name: 'it-identity-card',
    entity: 'IT_IDENTITY_CARD',
    patterns: [
      // Electronic card (CIE) numbers have letters at both ends; paper cards are AA 1234567.
      { regex: identifier(String.raw`C[A-Z]\d{5}[A-Z]{2}`), score: 0.2 },
      { regex: identifier(String.raw`[A-Z]{2} ?\d{7}`), score: 0.05 },
    ],
    context: [
      'carta identità',
      'carta di identità',
      'carta d identità',
      'cie',
      'identity card',
      'id card',
      'documento di identità',
    ],
  }),
  patternRecognizer({
    name: 'it-driver-license',
    entity: 'IT_DRIVER_LICENSE',
    patterns: [{ regex: identifier(String.raw`[A-Z]{2}\d{7}[A-Z]|U1[A-Z0-9]{7}[A-Z]`), score: 0.2 }],
    context: ['patente', 'patente di guida', 'driving licence', 'driving license', 'driver license'],
  }),
  patternRecognizer({
    name: 'pt-nif',
    entity: 'PT_NIF',
    patterns: [{ regex: identifier(String.raw`\d{3} ?\d{3} ?\d{3}`), score: 0.05 }],
    validator: isPortugueseNif,
    validatedScore: 0.3,
    context: [
      'nif',
      'contribuinte',
      'número de contribuinte',
      'identificação fiscal',
      'tax number',
      'taxpayer',
    ],
  }),
  patternRecognizer({
    name: 'gr-amka',
    entity: 'GR_AMKA',
    patterns: [{ regex: identifier(String.raw`\d{11}`), score: 0.05 }],
    validator: isGreekAmka,
    validatedScore: 0.3,
    context: [
      'amka',
      'αμκα',
      'αριθμός μητρώου κοινωνικής ασφάλισης',
      'κοινωνικής ασφάλισης',
      'social security',
    ],
  }),
  patternRecognizer({
    name: 'hr-oib',
    entity: 'HR_OIB',
    patterns: [{ regex: identifier(String.raw`\d{11}`), score: 0.05 }],
    validator: isCroatianOib,
    validatedScore: 0.3,
    context: [
      'oib',
      'osobni identifikacijski broj',
      'identifikacijski broj',
      'personal identification number',
    ],
  }),
  patternRecognizer({
    name: 'si-emso',
    entity: 'SI_EMSO',
    patterns: [{ regex: identifier(String.raw`\d{13}`), score: 0.05 }],
    validator: isSlovenianEmso,
    validatedScore: 0.3,
    context: [
      'emšo',
      'emso',
      'enotna matična številka občana',
      'matična številka',
      'jmbg',
      'personal number',
    ],
  }),
  patternRecognizer({
    name: 'cy-tic',
    entity: 'CY_TIC',
    patterns: [{ regex: identifier(String.raw`\d{8}-?[A-Z]`), score: 0.1 }],
    validator: isCyprusTic,
    validatedScore: 0.4,
    context: ['tic', 'tax identification code', 'φορολογικού', 'φορολογικής ταυτότητας', 'αφμ', 'tax id'],
  }),
  patternRecognizer({
    name: 'mt-id',
    entity: 'MT_ID',
    // Up to seven digits and a letter, no check: only context tells it from "250M".
    patterns: [{ regex: identifier(String.raw`\d{3,7}[MGAPLHBZ]`), score: 0.05 }],
    context: [
      'identity card',
      'id card',
      'karta tal identità',
      'identità',
      'id number',
      'maltese id',
      'identity number',
    ],
  }),
];
