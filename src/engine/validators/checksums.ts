/**
 * Check-digit algorithms used by identifier recognizers. Each takes the identifier with its
 * separators already removed and returns whether the check holds.
 */

/**
 * True when `value` is one or more ASCII digits (as `/^\d+$/` tells, without a regex call: the
 * validators ask it of every candidate).
 *
 * @example
 * ```ts
 * isAsciiDigits('0123'); // true
 * isAsciiDigits('12a'); // false
 * ```
 */
export function isAsciiDigits(value: string): boolean {
  if (value.length === 0) return false;
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code < 0x30 || code > 0x39) return false;
  }
  return true;
}

/**
 * Luhn (ISO/IEC 7812): credit cards, IMEI, Canadian SIN, NPI (with prefix).
 *
 * @example
 * ```ts
 * luhn('4111111111111111'); // true
 * ```
 */
export function luhn(digits: string): boolean {
  if (!isAsciiDigits(digits) || digits.length < 2) return false;
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

const VERHOEFF_D = [
  [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
  [1, 2, 3, 4, 0, 6, 7, 8, 9, 5],
  [2, 3, 4, 0, 1, 7, 8, 9, 5, 6],
  [3, 4, 0, 1, 2, 8, 9, 5, 6, 7],
  [4, 0, 1, 2, 3, 9, 5, 6, 7, 8],
  [5, 9, 8, 7, 6, 0, 4, 3, 2, 1],
  [6, 5, 9, 8, 7, 1, 0, 4, 3, 2],
  [7, 6, 5, 9, 8, 2, 1, 0, 4, 3],
  [8, 7, 6, 5, 9, 3, 2, 1, 0, 4],
  [9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
];
const VERHOEFF_P = [
  [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
  [1, 5, 7, 6, 2, 8, 3, 0, 9, 4],
  [5, 8, 0, 3, 7, 9, 6, 1, 4, 2],
  [8, 9, 1, 6, 0, 4, 3, 5, 2, 7],
  [9, 4, 5, 3, 1, 2, 6, 8, 7, 0],
  [4, 2, 8, 6, 5, 7, 3, 9, 0, 1],
  [2, 7, 9, 3, 8, 0, 6, 4, 1, 5],
  [7, 0, 4, 6, 9, 1, 3, 2, 5, 8],
];

/**
 * Verhoeff dihedral check: India's Aadhaar.
 *
 * @example
 * ```ts
 * verhoeff('2363'); // true
 * ```
 */
export function verhoeff(digits: string): boolean {
  if (!isAsciiDigits(digits)) return false;
  let c = 0;
  const reversed = digits.split('').reverse();
  for (let i = 0; i < reversed.length; i++) {
    const d = Number(reversed[i]);
    c = VERHOEFF_D[c]![VERHOEFF_P[i % 8]![d]!]!;
  }
  return c === 0;
}

/**
 * ISO 7064 mod 97-10 over an alphanumeric string (letters count as 10..35), as IBAN uses once
 * the country code and check digits are moved to the end.
 *
 * @example
 * ```ts
 * mod97('3214282912345698765432161182'); // true for the rearranged IBAN
 * ```
 */
export function mod97(alphanumeric: string): boolean {
  let remainder = 0;
  for (const char of alphanumeric.toUpperCase()) {
    const code = char.charCodeAt(0);
    const value = code >= 48 && code <= 57 ? code - 48 : code >= 65 && code <= 90 ? code - 55 : -1;
    if (value < 0) return false;
    remainder = value > 9 ? (remainder * 100 + value) % 97 : (remainder * 10 + value) % 97;
  }
  return remainder === 1;
}

/**
 * A weighted-sum check: `sum(digit[i] * weights[i]) mod modulus`, compared with `expected`
 * (a number, or a function of the remainder giving the check digit). Many national identifiers
 * are an instance of this.
 *
 * @example
 * ```ts
 * weightedSum('123456782', [9, 8, 7, 6, 5, 4, 3, 2, -1], 11) === 0; // Dutch BSN
 * ```
 */
export function weightedSum(digits: string, weights: readonly number[], modulus: number): number {
  let sum = 0;
  for (let i = 0; i < weights.length; i++) sum += (digits.charCodeAt(i) - 48) * weights[i]!;
  return ((sum % modulus) + modulus) % modulus;
}

/** Removes spaces, dashes, dots and slashes that people put inside identifiers. */
export function compact(value: string): string {
  return value.replace(/[\s\-./]/g, '');
}
