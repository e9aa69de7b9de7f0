/**
 * The tagger's tokenizer: one pass over the characters, no regular expressions and no strings
 * allocated per token. Each token carries the hash of its lower-cased text, so word identity and
 * gazetteer membership never need a `slice`.
 */

/** Character classes. */
const SPACE = 1;
const NEWLINE = 2;
const UPPER = 3;
const LOWER = 4;
const LETTER = 5; // a letter without case (CJK, Arabic, ...)
const DIGIT = 6;
const MARK = 7; // combining marks stay inside the word they follow
const JOINER = 8; // apostrophes and hyphens join "O'Neil" and "Smith-Jones" when between letters
const PUNCT = 9;

/** Token flags (bits of `TokenBuffer.flags`). */
export const F_WORD = 1;
export const F_FIRST_UPPER = 2;
export const F_ALL_UPPER = 4;
export const F_HAS_LOWER = 8;
export const F_HAS_DIGIT = 16;
export const F_ALL_DIGIT = 32;
export const F_NEWLINE_BEFORE = 64;
export const F_JOINED = 128;
export const F_SPACE_BEFORE = 256;
export const F_PARAGRAPH_BEFORE = 512;
export const F_UNCASED = 1024;
export const F_INNER_UPPER = 2048;

// Classes and lower-case forms are computed on first sight of a code unit: the full Unicode
// table is not needed for Latin text, and a lookup beats a Unicode-property regex per character.
const classes = new Uint8Array(65536);
const lowers = new Uint16Array(65536);
const LETTER_RE = /\p{L}/u;
const MARK_RE = /\p{M}/u;
const DIGIT_RE = /\p{Nd}/u;

function classify(code: number): number {
  const char = String.fromCharCode(code);
  let cls: number;
  if (code === 10 || code === 13 || code === 0x2028 || code === 0x2029) cls = NEWLINE;
  else if (/\s/.test(char) || code === 0) cls = SPACE;
  else if (code >= 0xd800 && code <= 0xdfff) cls = LETTER; // astral letters: rare, keep words whole
  else if (LETTER_RE.test(char)) {
    const lower = char.toLowerCase();
    const upper = char.toUpperCase();
    cls = lower !== char ? UPPER : upper !== char ? LOWER : LETTER;
  } else if (MARK_RE.test(char)) cls = MARK;
  else if (DIGIT_RE.test(char)) cls = DIGIT;
  else if (char === "'" || char === '’' || char === '-' || char === '‐') cls = JOINER;
  else cls = PUNCT;
  classes[code] = cls;
  const lower = char.toLowerCase();
  lowers[code] = lower.length === 1 ? lower.charCodeAt(0) : code;
  return cls;
}

for (let code = 0; code < 128; code++) classify(code);

/** Lower-cased form of a UTF-16 code unit (identity when it has none or expands). */
export function lowerCode(code: number): number {
  if (classes[code] === 0) classify(code);
  return lowers[code]!;
}

/** FNV-1a over lower-cased code units; the same function hashes gazetteer words at load. */
export function hashWord(word: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < word.length; i++) hash = Math.imul(hash ^ lowerCode(word.charCodeAt(i)), 0x01000193);
  return hash | 0;
}

/**
 * Growable, reusable token arrays. A recognizer keeps one buffer and reuses it across calls, so
 * memory stays bounded by the largest window rather than growing per call.
 */
export class TokenBuffer {
  count = 0;
  start: Int32Array = new Int32Array(1024);
  end: Int32Array = new Int32Array(1024);
  hash: Int32Array = new Int32Array(1024);
  flags: Int32Array = new Int32Array(1024);

  /** Makes room for one more token. */
  ensure(): void {
    if (this.count < this.start.length) return;
    const size = this.start.length * 2;
    const grow = (old: Int32Array): Int32Array => {
      const next = new Int32Array(size);
      next.set(old);
      return next;
    };
    this.start = grow(this.start);
    this.end = grow(this.end);
    this.hash = grow(this.hash);
    this.flags = grow(this.flags);
  }

  /** Shrinks the arrays back after an unusually large window, so one huge call is not kept. */
  release(): void {
    if (this.start.length > 1 << 16) {
      this.start = new Int32Array(1024);
      this.end = new Int32Array(1024);
      this.hash = new Int32Array(1024);
      this.flags = new Int32Array(1024);
    }
    this.count = 0;
  }
}

/**
 * Splits `text[from, to)` into word and punctuation tokens, written into `out` (which is reset).
 * Words are runs of letters, digits and marks, with single inner apostrophes and hyphens.
 * Whitespace is not a token; a newline shows up as a flag on the next token.
 *
 * @example
 * ```ts
 * const buffer = new TokenBuffer();
 * tokenize("Mr O'Neil.", 0, 10, buffer); // tokens "Mr", "O'Neil", "."
 * ```
 */
export function tokenize(text: string, from: number, to: number, out: TokenBuffer): void {
  out.count = 0;
  let pending = 0; // F_NEWLINE_BEFORE / F_SPACE_BEFORE / F_PARAGRAPH_BEFORE for the next token
  let newlines = 0;
  let i = from;
  while (i < to) {
    const code = text.charCodeAt(i);
    let cls = classes[code]!;
    if (cls === 0) cls = classify(code);
    if (cls === SPACE) {
      pending |= F_SPACE_BEFORE;
      i++;
      continue;
    }
    if (cls === NEWLINE) {
      pending |= F_NEWLINE_BEFORE;
      if (code === 10 && ++newlines >= 2) pending |= F_PARAGRAPH_BEFORE;
      i++;
      continue;
    }
    newlines = 0;
    out.ensure();
    const n = out.count++;
    out.start[n] = i;
    if (cls === PUNCT || cls === JOINER || cls === MARK) {
      out.end[n] = i + 1;
      out.hash[n] = Math.imul(0x811c9dc5 ^ code, 0x01000193) | 0;
      out.flags[n] = pending;
      pending = 0;
      i++;
      continue;
    }
    let flags = pending | F_WORD;
    pending = 0;
    let uppers = 0;
    let lowersSeen = 0;
    let digits = 0;
    let letters = 0;
    let hash = 0x811c9dc5;
    const begin = i;
    while (i < to) {
      const c = text.charCodeAt(i);
      let k = classes[c]!;
      if (k === 0) k = classify(c);
      if (k === JOINER) {
        // A joiner stays inside the word only between two word characters.
        const next = i + 1 < to ? text.charCodeAt(i + 1) : 0;
        let nk = classes[next]!;
        if (nk === 0) nk = classify(next);
        if (nk < UPPER || nk > MARK) break;
        flags |= F_JOINED;
      } else if (k < UPPER || k > MARK) break;
      else if (k === UPPER) {
        if (i === begin) flags |= F_FIRST_UPPER;
        else if (lowersSeen > 0) flags |= F_INNER_UPPER;
        uppers++;
        letters++;
      } else if (k === LOWER) {
        lowersSeen++;
        letters++;
      } else if (k === DIGIT) digits++;
      else if (k === LETTER) letters++;
      hash = Math.imul(hash ^ lowers[c]!, 0x01000193);
      i++;
    }
    if (lowersSeen > 0) flags |= F_HAS_LOWER;
    if (uppers > 0 && lowersSeen === 0) flags |= F_ALL_UPPER;
    if (digits > 0) flags |= F_HAS_DIGIT;
    if (digits > 0 && letters === 0) flags |= F_ALL_DIGIT;
    if (letters > 0 && uppers === 0 && lowersSeen === 0) flags |= F_UNCASED;
    out.end[n] = i;
    out.hash[n] = hash | 0;
    out.flags[n] = flags;
  }
}
