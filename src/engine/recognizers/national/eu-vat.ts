import type { Recognizer } from '../../types.js';
import { isAsciiDigits, luhn, mod97, weightedSum } from '../../validators/checksums.js';
import { iso7064Mod11x10, mod11CheckDigit } from '../../validators/national-checksums.js';
import { patternRecognizer } from '../pattern.js';
import { isBirthNumber } from './eu-east.js';
import { isLatvianPersonalCode } from './eu-north.js';
import { isCyprusTic, isItalianVatCode, isPortugueseNif, isSpanishNie, isSpanishNif } from './eu-south.js';
import { isDutchBsn, isIrishPpsn } from './eu-west.js';
import { identifier, normalise } from './shape.js';

/** The Luhn sum of `digits` mod 10, with the rightmost digit undoubled (0 means Luhn-valid). */
function luhnRemainder(digits: string): number {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return sum % 10;
}

const isDigits = (n: string, min: number, max = min): boolean =>
  n.length >= min && n.length <= max && isAsciiDigits(n);

/**
 * The check of each member state's VAT number, given the part after the country prefix.
 * Countries whose published algorithm covers only some forms check those and accept the
 * structure of the others (the country prefix already makes the value distinctive).
 */
const VAT_CHECKS: Readonly<Record<string, (n: string) => boolean>> = {
  AT: (n) => /^U\d{8}$/.test(n) && (16 - luhnRemainder(n.slice(1, 8))) % 10 === Number(n[8]),
  BE: (n) => /^[01]\d{9}$/.test(n) && 97 - (Number(n.slice(0, 8)) % 97) === Number(n.slice(8)),
  BG: (n) =>
    n.length === 9
      ? isDigits(n, 9) &&
        twoStageMod11(
          n,
          (i) => i + 1,
          (i) => i + 3,
        )
      : isDigits(n, 10),
  CY: (n) => isCyprusTic(n),
  CZ: (n) => (n.length === 8 ? isCzechLegalEntity(n) : n.length === 10 ? isBirthNumber(n) : isDigits(n, 9)),
  DE: (n) => /^[1-9]\d{8}$/.test(n) && iso7064Mod11x10(n),
  DK: (n) => /^[1-9]\d{7}$/.test(n) && weightedSum(n, [2, 7, 6, 5, 4, 3, 2, 1], 11) === 0,
  EE: (n) => /^10\d{7}$/.test(n) && weightedSum(n, [3, 7, 1, 3, 7, 1, 3, 7, 1], 10) === 0,
  EL: (n) => isDigits(n, 9) && weightedSum(n, [256, 128, 64, 32, 16, 8, 4, 2], 11) % 10 === Number(n[8]),
  ES: (n) => isSpanishNif(n) || isSpanishNie(n) || /^[A-HJNP-SUVW]\d{7}[0-9A-J]$/.test(n),
  FI: (n) => isDigits(n, 8) && mod11CheckDigit(n, [7, 9, 10, 5, 8, 4, 2], undefined),
  FR: (n) =>
    /^[0-9A-HJ-NP-Z]{2}\d{9}$/.test(n) &&
    (!/^\d\d/.test(n) ||
      (luhn(n.slice(2)) && (12 + 3 * (Number(n.slice(2)) % 97)) % 97 === Number(n.slice(0, 2)))),
  HR: (n) => isDigits(n, 11) && iso7064Mod11x10(n),
  HU: (n) => isDigits(n, 8) && weightedSum(n, [9, 7, 3, 1, 9, 7, 3, 1], 10) === 0,
  IE: (n) => isIrishPpsn(n) || /^\d[A-Z+*]\d{5}[A-W]$/.test(n),
  IT: (n) => isItalianVatCode(n),
  LT: (n) =>
    ((isDigits(n, 9) && n[7] === '1') || (isDigits(n, 12) && n[10] === '1')) &&
    twoStageMod11(
      n,
      (i) => 1 + (i % 9),
      (i) => 1 + ((i + 2) % 9),
    ),
  LU: (n) => isDigits(n, 8) && Number(n.slice(0, 6)) % 89 === Number(n.slice(6)),
  LV: (n) =>
    isDigits(n, 11) &&
    (n[0]! > '3' ? weightedSum(n, [9, 1, 4, 8, 3, 10, 2, 5, 7, 6, 1], 11) === 3 : isLatvianPersonalCode(n)),
  MT: (n) => /^[1-9]\d{7}$/.test(n) && weightedSum(n, [3, 4, 6, 7, 8, 9, 10, 1], 37) === 0,
  NL: (n) => /^\d{9}B\d{2}$/.test(n) && (isDutchBsn(n.slice(0, 9)) || mod97(`NL${n}`)),
  PL: (n) => isDigits(n, 10) && weightedSum(n, [6, 5, 7, 2, 3, 4, 5, 6, 7], 11) === Number(n[9]),
  PT: (n) => isPortugueseNif(n),
  RO: (n) => isDigits(n, 6, 10) && isRomanianCui(n),
  SE: (n) => isDigits(n, 12) && n.endsWith('01') && luhn(n.slice(0, 10)),
  SI: (n) => /^[1-9]\d{7}$/.test(n) && isSlovenianTaxNumber(n),
  SK: (n) => /^[1-9]\d[2-47-9]\d{7}$/.test(n) && Number(n) % 11 === 0,
};

/**
 * The Bulgarian and Lithuanian scheme: a weighted sum mod 11 over all but the last digit,
 * recomputed with shifted weights when it is 10, and a final 10 written as 0.
 */
function twoStageMod11(n: string, first: (i: number) => number, second: (i: number) => number): boolean {
  const sum = (weight: (i: number) => number): number => {
    let total = 0;
    for (let i = 0; i < n.length - 1; i++) total += (n.charCodeAt(i) - 48) * weight(i);
    return total % 11;
  };
  let check = sum(first);
  if (check === 10) check = sum(second);
  return check % 10 === Number(n[n.length - 1]);
}

/** Czech legal entity (IČO-based DIČ): weights 8..2; a check of 11 is written 1 and 10 as 0. */
function isCzechLegalEntity(n: string): boolean {
  if (!/^[0-8]\d{7}$/.test(n)) return false;
  const check = (11 - weightedSum(n, [8, 7, 6, 5, 4, 3, 2], 11)) % 11;
  return (check === 0 ? 1 : check) % 10 === Number(n[7]);
}

/** Slovenian tax number: weights 8..2; a check of 10 is written 0 and 11 is never issued. */
function isSlovenianTaxNumber(n: string): boolean {
  const check = 11 - weightedSum(n, [8, 7, 6, 5, 4, 3, 2], 11);
  return check !== 11 && check % 10 === Number(n[7]);
}

/** Romanian CUI/CIF: weights 7, 5, 3, 2, 1, 7, 5, 3, 2 aligned right; check = 10·Σ mod 11 mod 10. */
function isRomanianCui(n: string): boolean {
  const padded = n.padStart(10, '0');
  const sum = weightedSum(padded, [7, 5, 3, 2, 1, 7, 5, 3, 2], 11);
  return ((sum * 10) % 11) % 10 === Number(padded[9]);
}

/**
 * An EU VAT identification number: the country prefix (EL for Greece) and the national part,
 * whose check digit is verified where one exists.
 *
 * @example
 * ```ts
 * isEuVatNumber('DE 136695976'); // true
 * ```
 */
export function isEuVatNumber(value: string): boolean {
  const v = normalise(value);
  const check = VAT_CHECKS[v.slice(0, 2)];
  return check !== undefined && check(v.slice(2));
}

// One alternative per country, each a fixed prefix and a bounded body, so the alternation is
// decided by its first two letters and matching stays linear.
const VAT_SHAPES = [
  String.raw`ATU\d{8}`,
  String.raw`BE ?[01]\d{3}\.?\d{3}\.?\d{3}`,
  String.raw`BG ?\d{9,10}`,
  String.raw`CY ?\d{8}[A-Z]`,
  String.raw`CZ ?\d{8,10}`,
  String.raw`DE ?\d{9}`,
  String.raw`DK ?\d{2} ?\d{2} ?\d{2} ?\d{2}`,
  String.raw`EE ?\d{9}`,
  String.raw`EL ?\d{9}`,
  String.raw`ES ?[0-9A-Z]\d{7}[0-9A-Z]`,
  String.raw`FI ?\d{8}`,
  String.raw`FR ?[0-9A-Z]{2} ?\d{3} ?\d{3} ?\d{3}`,
  String.raw`HR ?\d{11}`,
  String.raw`HU ?\d{8}`,
  String.raw`IE ?\d[0-9A-Z+*]\d{5}[A-W][A-IW]?`,
  String.raw`IT ?\d{11}`,
  String.raw`LT ?\d{9}(?:\d{3})?`,
  String.raw`LU ?\d{8}`,
  String.raw`LV ?\d{11}`,
  String.raw`MT ?\d{8}`,
  String.raw`NL ?\d{9}B\d{2}`,
  String.raw`PL ?\d{3}-?\d{3}-?\d{2}-?\d{2}`,
  String.raw`PT ?\d{9}`,
  String.raw`RO ?\d{6,10}`,
  String.raw`SE ?\d{12}`,
  String.raw`SI ?\d{8}`,
  String.raw`SK ?\d{10}`,
];

/** The EU VAT number recognizer: every member state's format in one pattern. */
export const EU_VAT_RECOGNIZERS: readonly Recognizer[] = [
  patternRecognizer({
    name: 'eu-vat-number',
    entity: 'EU_VAT_NUMBER',
    // The country prefix plus a checked body is distinctive on its own.
    patterns: [{ regex: identifier(VAT_SHAPES.join('|')), score: 0.6 }],
    validator: isEuVatNumber,
    context: [
      'vat',
      'vat number',
      'vat no',
      'vat id',
      'ust idnr',
      'umsatzsteuer',
      'tva',
      'btw',
      'iva',
      'partita iva',
      'nif',
      'moms',
      'alv',
      'dph',
      'dič',
      'ddv',
      'pdv',
      'áfa',
      'φπα',
      'ддс',
      'käibemaks',
      'pvm',
      'pvn',
    ],
  }),
];
