/**
 * Check-digit algorithms shared by several national identifiers. Each takes the identifier
 * with separators removed (see `compact`) and is total: malformed input returns false or NaN
 * rather than throwing, because recognizers call them on arbitrary regex matches.
 */
import { compact, isAsciiDigits } from './checksums.js';
import { registerValidator } from './index.js';

const ALPHANUMERIC = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';

/**
 * Whether year-month-day is a date on the proleptic Gregorian calendar. Identifiers that embed
 * a birth date are rejected when the date cannot exist, which removes most random digit runs.
 *
 * @example
 * ```ts
 * isRealDate(2024, 2, 29); // true
 * isRealDate(2023, 2, 29); // false
 * ```
 */
export function isRealDate(year: number, month: number, day: number): boolean {
  if (!Number.isInteger(year) || !Number.isInteger(month) || !Number.isInteger(day)) return false;
  if (month < 1 || month > 12 || day < 1) return false;
  return day <= daysInMonth(year, month);
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/**
 * Whether a day and month exist in some year ending in `yy` (a two-digit year whose century
 * the identifier does not say): 29 February passes when any century makes it a leap year.
 *
 * @example
 * ```ts
 * isRealTwoDigitYearDate(0, 2, 29); // true (2000)
 * isRealTwoDigitYearDate(1, 2, 29); // false
 * ```
 */
export function isRealTwoDigitYearDate(yy: number, month: number, day: number): boolean {
  return isRealDate(2000 + yy, month, day) || isRealDate(1900 + yy, month, day);
}

/**
 * ISO 7064 MOD 11,10 (a hybrid system): the German tax ID and the Croatian OIB end in it.
 *
 * @example
 * ```ts
 * iso7064Mod11x10('69435151530'); // true (a Croatian OIB)
 * ```
 */
export function iso7064Mod11x10(digits: string): boolean {
  if (!isAsciiDigits(digits) || digits.length < 2) return false;
  let product = 10;
  for (let i = 0; i < digits.length - 1; i++) {
    let sum = (digits.charCodeAt(i) - 48 + product) % 10;
    if (sum === 0) sum = 10;
    product = (sum * 2) % 11;
  }
  const check = (11 - product) % 10;
  return check === digits.charCodeAt(digits.length - 1) - 48;
}

/**
 * The ICAO 9303 machine-readable-zone check digit (weights 7, 3, 1; letters count 10..35, the
 * filler `<` counts 0): passports and European ID cards print it after the document number.
 *
 * @example
 * ```ts
 * icaoCheckDigit('T22000129'); // 3
 * ```
 */
export function icaoCheckDigit(value: string): number {
  const weights = [7, 3, 1];
  let sum = 0;
  for (let i = 0; i < value.length; i++) {
    const char = value[i]!;
    const v = char === '<' ? 0 : ALPHANUMERIC.indexOf(char);
    if (v < 0) return Number.NaN;
    sum += v * weights[i % 3]!;
  }
  return sum % 10;
}

/**
 * The check letter of a Spanish DNI/NIF: the number mod 23 indexes a fixed alphabet. NIE
 * numbers use it too after their X/Y/Z prefix is replaced by 0/1/2.
 *
 * @example
 * ```ts
 * spanishCheckLetter('12345678'); // 'Z'
 * ```
 */
export function spanishCheckLetter(digits: string): string {
  if (!isAsciiDigits(digits)) return '';
  return 'TRWAGMYFPDXBNJZSQVHLCKE'[Number(digits) % 23] ?? '';
}

/**
 * Whether the digits pass a weighted mod-11 check where the check digit is
 * `11 - (sum mod 11)`, a result of 11 or 10 mapping as the scheme says (`onTen`: the digit that
 * stands for 10, or undefined when such numbers are never issued).
 *
 * @example
 * ```ts
 * mod11CheckDigit('123456789', [9, 8, 7, 6, 5, 4, 3, 2], 0); // true (a Portuguese NIF)
 * ```
 */
export function mod11CheckDigit(
  digits: string,
  weights: readonly number[],
  onTen: number | undefined,
): boolean {
  if (!isAsciiDigits(digits) || digits.length !== weights.length + 1) return false;
  let sum = 0;
  for (let i = 0; i < weights.length; i++) sum += (digits.charCodeAt(i) - 48) * weights[i]!;
  let check = 11 - (sum % 11);
  if (check === 11) check = 0;
  if (check === 10) {
    if (onTen === undefined) return false;
    check = onTen;
  }
  return check === digits.charCodeAt(digits.length - 1) - 48;
}

/**
 * The check character of an Indian GSTIN: a Luhn mod 36 over the first 14 characters.
 *
 * @example
 * ```ts
 * luhnMod36CheckChar('27AAPFU0939F1Z'); // 'V'
 * ```
 */
export function luhnMod36CheckChar(value: string): string {
  let sum = 0;
  for (let i = 0; i < value.length; i++) {
    const v = ALPHANUMERIC.indexOf(value[i]!);
    if (v < 0) return '';
    const product = v * (i % 2 === 0 ? 1 : 2);
    sum += Math.floor(product / 36) + (product % 36);
  }
  return ALPHANUMERIC[(36 - (sum % 36)) % 36] ?? '';
}

/**
 * Whether the Italian fiscal-code check letter (position 16) is right: odd positions map
 * through a fixed table, even positions by value, and the sum mod 26 names the letter.
 *
 * @example
 * ```ts
 * italianFiscalCodeCheck('RSSMRA85T10A562S'); // true
 * ```
 */
export function italianFiscalCodeCheck(code: string): boolean {
  if (!/^[0-9A-Z]{16}$/.test(code)) return false;
  let sum = 0;
  for (let i = 0; i < 15; i++) {
    const v = ALPHANUMERIC.indexOf(code[i]!);
    // Digits and letters share values in both tables: '0' ≡ 'A', '1' ≡ 'B', ...
    const index = v < 10 ? v : v - 10;
    sum += i % 2 === 0 ? FISCAL_CODE_ODD[index]! : index;
  }
  return code.charCodeAt(15) - 65 === sum % 26;
}

const FISCAL_CODE_ODD = [
  1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23,
];

/**
 * A weighted sum of cross sums, mod 10: each digit is multiplied by its weight and the digits of
 * each product are added (14 counts 5), as German social and health insurance numbers do.
 *
 * @example
 * ```ts
 * crossSumMod10('0112345678', [1, 2, 1, 2, 1, 2, 1, 2, 1, 2]); // 0 (KVNR A123456780)
 * ```
 */
export function crossSumMod10(digits: string, weights: readonly number[]): number {
  if (!isAsciiDigits(digits) || digits.length < weights.length) return Number.NaN;
  let sum = 0;
  for (let i = 0; i < weights.length; i++) {
    const product = (digits.charCodeAt(i) - 48) * weights[i]!;
    sum += Math.floor(product / 10) + (product % 10);
  }
  return sum % 10;
}

/**
 * A letter as its two-digit place in the alphabet (A = 01, Z = 26), as German insurance numbers
 * write a letter before computing their check digit; '' for anything else.
 *
 * @example
 * ```ts
 * letterAsTwoDigits('K'); // '11'
 * ```
 */
export function letterAsTwoDigits(letter: string): string {
  const code = letter.charCodeAt(0) - 64;
  return letter.length === 1 && code >= 1 && code <= 26 ? String(code).padStart(2, '0') : '';
}

// Validators that a data-defined recognizer (policy file) can name. They take the matched text
// as written, so separators are removed first.
registerValidator('iso7064-mod11-10', (value) => iso7064Mod11x10(compact(value)));
registerValidator('es-nif', (value) => {
  const v = compact(value).toUpperCase();
  return /^\d{8}[A-Z]$/.test(v) && spanishCheckLetter(v.slice(0, 8)) === v[8];
});
registerValidator('it-fiscal-code', (value) => italianFiscalCodeCheck(compact(value).toUpperCase()));
registerValidator('gstin', (value) => {
  const v = compact(value).toUpperCase();
  return v.length === 15 && luhnMod36CheckChar(v.slice(0, 14)) === v[14];
});
registerValidator('icao-9303', (value) => {
  const v = compact(value).toUpperCase();
  return v.length >= 2 && icaoCheckDigit(v.slice(0, -1)) === v.charCodeAt(v.length - 1) - 48;
});
