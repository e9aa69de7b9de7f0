/**
 * OCR's letter-for-digit and digit-for-letter confusions, undone where the surrounding characters
 * say which was meant. Every repair keeps the text's length, so offsets found in the repaired
 * text point at the same characters of the original.
 */

// Letters OCR prints for digits inside a number.
const DIGIT_FOR: Readonly<Record<string, string>> = {
  O: '0',
  o: '0',
  D: '0',
  Q: '0',
  l: '1',
  I: '1',
  '|': '1',
  S: '5',
  B: '8',
};
// Digits OCR prints for letters inside a word.
const LETTER_FOR: Readonly<Record<string, string>> = { '0': 'O', '1': 'I', '5': 'S', '8': 'B' };

const NUMBER_LIKE = /[\dOoDQlI|SB]+(?:[.,/_-][\dOoDQlI|SB]+)*/g;

/**
 * A number-shaped token with OCR's letters read as the digits they stand for (`6O.3O` as `60.30`,
 * `l4/O2/2019` as `14/02/2019`), and `_` between whole and cents read as the decimal point
 * (`14_10`). A token is repaired only when it has at least two digits and, split by a separator,
 * no more letters than digits, or whole, at least three digits and twice as many digits as letters;
 * so words (`SOLD`, `BOSS`) and codes stay as they are.
 *
 * @example
 * ```ts
 * repairNumbers('TOTAL RM 6O.3O'); // 'TOTAL RM 60.30'
 * repairNumbers('5.20 S');         // '5.20 S' (a tax code after an amount is a word of its own)
 * ```
 */
export function repairNumbers(text: string): string {
  return text.replace(NUMBER_LIKE, (token, offset: number) => {
    const before = text[offset - 1] ?? ' ';
    const after = text[offset + token.length] ?? ' ';
    if (/[\p{L}\d]/u.test(before) || /[\p{L}\d]/u.test(after)) return token;
    const digits = (token.match(/\d/g) ?? []).length;
    const letters = (token.match(/[A-Za-z|]/g) ?? []).length;
    if (letters === 0) return token.replace(/^(\d+)_(\d{2})$/, '$1.$2');
    // Split by a separator (`6O.3O`), a token may hold as many letters as digits; whole, it must be mostly digits.
    const separated = /[.,/_-]/.test(token);
    if (digits < 2 || (separated ? letters > digits : letters * 2 > digits || digits < 3)) return token;
    return [...token]
      .map((c) => DIGIT_FOR[c] ?? c)
      .join('')
      .replace(/^(\d+)_(\d{2})$/, '$1.$2');
  });
}

/**
 * A word with a digit OCR printed for one of its letters read as that letter (`SET1A` as `SETIA`,
 * `J0HOR` as `JOHOR`): only a lone digit with letters on both sides, in a word of four characters or
 * more, so house numbers and codes (`17-G`, `U13`, `1C`, `A4`) stay as printed.
 *
 * @example
 * ```ts
 * repairWords('JALAN SET1A INDAH, U13/X'); // 'JALAN SETIA INDAH, U13/X'
 * ```
 */
export function repairWords(text: string): string {
  return text.replace(/[\p{L}\d]{4,}/gu, (token) => {
    const digits = token.match(/\d/g) ?? [];
    if (digits.length !== 1) return token;
    const i = token.search(/\d/);
    const letter = LETTER_FOR[token[i]!];
    const isUpper = /\p{Lu}/u.test(token[i - 1] ?? '') || /\p{Lu}/u.test(token[i + 1] ?? '');
    if (!letter || i === 0 || i === token.length - 1) return token;
    return token.slice(0, i) + (isUpper ? letter : letter.toLowerCase()) + token.slice(i + 1);
  });
}
