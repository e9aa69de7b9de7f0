/**
 * Signs in a letterhead value (a seller's name, an address) that OCR, not the printer, made it:
 * each is evidence against the reading however sure OCR was of every piece, and the extractor
 * lowers the value's score when one shows (checks `whole_words`, `clean_marks`).
 */

/** A one-letter lower-case word between words (`Shel l ISNI PETRO`): OCR broke a word there. */
const LONE_SMALL_LETTER = /(?:^|\s)\p{Ll}(?=\s|$)/u;

/**
 * Marks a printed name or address does not hold (`$117`, `BERJUNTA}`, `HU]`, `O.1.¥.`): letters,
 * digits, spaces and the punctuation of house numbers and names (`, . / - & ( ) ' ’ # : ; + @ "`)
 * are what letterheads print; anything else is a misread letter or a speck.
 */
const STRAY_MARK = /[^\p{L}\p{N}\s,./\-&()'’#:;+@"]/u;

/**
 * Whether a name holds a lone small letter between its words; a name with no capitals at all is
 * not held to it (nothing sets its words apart).
 *
 * @example
 * ```ts
 * hasBrokenWord('Shel l ISNI PEIRO TRADING'); // true
 * hasBrokenWord('SHELL ISNI PETRO TRADING'); // false
 * ```
 */
export function hasBrokenWord(value: string): boolean {
  return /\p{Lu}/u.test(value) && LONE_SMALL_LETTER.test(value);
}

/**
 * Whether a value holds a mark print does not set in a name or address, or a bracket closed
 * without being opened or opened without being closed (`S7BS19537-X) AIT`).
 *
 * @example
 * ```ts
 * hasStrayMarks('$117, Second Floor'); // true
 * hasStrayMarks('99SPEED MART S7BS19537-X) AIT'); // true: `)` without `(`
 * hasStrayMarks('AEON CO. (M) BHD'); // false
 * ```
 */
export function hasStrayMarks(value: string): boolean {
  if (STRAY_MARK.test(value)) return true;
  let depth = 0;
  for (const char of value) {
    if (char === '(') depth++;
    else if (char === ')' && --depth < 0) return true;
  }
  return depth !== 0;
}
