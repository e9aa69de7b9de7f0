/**
 * The tagger's tokenizer: one pass over the characters, no regular expressions and no strings
 * allocated per token. Each token carries the hash of its lower-cased text, so word identity and
 * gazetteer membership never need a `slice`.
 */
import type { ScratchKind } from '../scratch.js';
import { lowerBound } from '../scan/lower-bound.js';

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
  else if (code >= 0xd800 && code <= 0xdfff)
    cls = LETTER; // astral letters: rare, keep words whole
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
 * The distinct hashes of `words`, sorted: what a `WordSet` searches.
 *
 * @example
 * ```ts
 * sortedWordHashes(['May', 'may']).length; // 1
 * ```
 */
export function sortedWordHashes(words: readonly string[]): Int32Array {
  return Int32Array.from(new Set(words.map(hashWord))).sort();
}

/**
 * A small fixed set of words, by hash. A sorted `Int32Array` searched by bisection: word hashes
 * are 32-bit, and a `Set<number>` boxes most of them on every lookup.
 *
 * @example
 * ```ts
 * new WordSet(['may', 'will']).has(hashWord('Will')); // true
 * ```
 */
export class WordSet {
  private readonly hashes: Int32Array;
  /** `words`, or their `sortedWordHashes` (a generated table's, which saves hashing at load). */
  constructor(words: readonly string[] | Int32Array) {
    this.hashes = words instanceof Int32Array ? words : sortedWordHashes(words);
  }
  has(hash: number): boolean {
    const hashes = this.hashes;
    let low = 0;
    let high = hashes.length - 1;
    while (low <= high) {
      const mid = (low + high) >> 1;
      const value = hashes[mid]!;
      if (value === hash) return true;
      if (value < hash) low = mid + 1;
      else high = mid - 1;
    }
    return false;
  }
}

/**
 * Reusable token arrays. A recognizer keeps one buffer and reuses it across calls, so memory
 * stays bounded by the largest window rather than growing per call.
 */
export class TokenBuffer {
  /** Tokens room is made for at first: small, since an analyzer made for one short text is common. */
  private static readonly INITIAL = 64;
  count = 0;
  start: Int32Array = new Int32Array(TokenBuffer.INITIAL);
  end: Int32Array = new Int32Array(TokenBuffer.INITIAL);
  hash: Int32Array = new Int32Array(TokenBuffer.INITIAL);
  flags: Int32Array = new Int32Array(TokenBuffer.INITIAL);

  /**
   * Makes room for `size` tokens. A slice of n code units never holds more than n tokens, so
   * the tokenizer reserves once per slice instead of testing the capacity per token.
   */
  reserve(size: number): void {
    if (size <= this.start.length) return;
    let capacity = this.start.length;
    while (capacity < size) capacity *= 2;
    const grow = (old: Int32Array): Int32Array => {
      const next = new Int32Array(capacity);
      next.set(old.subarray(0, this.count));
      return next;
    };
    this.start = grow(this.start);
    this.end = grow(this.end);
    this.hash = grow(this.hash);
    this.flags = grow(this.flags);
  }

  /** Shrinks the arrays back after an unusually large window, so one huge call is not kept. */
  release(): void {
    if (this.start.length > 1 << 17) {
      this.start = new Int32Array(TokenBuffer.INITIAL);
      this.end = new Int32Array(TokenBuffer.INITIAL);
      this.hash = new Int32Array(TokenBuffer.INITIAL);
      this.flags = new Int32Array(TokenBuffer.INITIAL);
    }
    this.count = 0;
  }
}

/** The class of a code unit, filling the table on first sight. */
function classOf(code: number): number {
  const cls = classes[code]!;
  return cls === 0 ? classify(code) : cls;
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
  out.reserve(to - from + 1);
  // Locals, not `out.x[...]`: the loop below is the hottest code of the tagger.
  const starts = out.start;
  const ends = out.end;
  const hashes = out.hash;
  const flagsOut = out.flags;
  const cls = classes;
  const low = lowers;
  let n = 0;
  let pending = 0; // F_NEWLINE_BEFORE / F_SPACE_BEFORE / F_PARAGRAPH_BEFORE for the next token
  let newlines = 0;
  let i = from;
  while (i < to) {
    const code = text.charCodeAt(i);
    let k = cls[code]!;
    if (k === 0) k = classify(code);
    if (k === SPACE) {
      pending |= F_SPACE_BEFORE;
      i++;
      continue;
    }
    if (k === NEWLINE) {
      pending |= F_NEWLINE_BEFORE;
      if (code === 10 && ++newlines >= 2) pending |= F_PARAGRAPH_BEFORE;
      i++;
      continue;
    }
    newlines = 0;
    starts[n] = i;
    if (k === PUNCT || k === JOINER || k === MARK) {
      ends[n] = i + 1;
      hashes[n] = Math.imul(0x811c9dc5 ^ code, 0x01000193) | 0;
      flagsOut[n++] = pending;
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
      k = cls[c]!;
      if (k === 0) k = classify(c);
      if (k === LOWER) {
        lowersSeen++;
        hash = Math.imul(hash ^ c, 0x01000193);
        i++;
        continue;
      }
      if (k === JOINER) {
        // A joiner stays inside the word only between two word characters.
        const nk = i + 1 < to ? classOf(text.charCodeAt(i + 1)) : SPACE;
        if (nk < UPPER || nk > MARK) break;
        flags |= F_JOINED;
      } else if (k < UPPER || k > MARK) break;
      else if (k === UPPER) {
        if (i === begin) flags |= F_FIRST_UPPER;
        else if (lowersSeen > 0) flags |= F_INNER_UPPER;
        uppers++;
      } else if (k === DIGIT) digits++;
      else if (k === LETTER) letters++;
      hash = Math.imul(hash ^ low[c]!, 0x01000193);
      i++;
    }
    letters += uppers + lowersSeen;
    if (lowersSeen > 0) flags |= F_HAS_LOWER;
    if (uppers > 0 && lowersSeen === 0) flags |= F_ALL_UPPER;
    if (digits > 0) flags |= F_HAS_DIGIT;
    if (digits > 0 && letters === 0) flags |= F_ALL_DIGIT;
    if (letters > 0 && uppers === 0 && lowersSeen === 0) flags |= F_UNCASED;
    ends[n] = i;
    hashes[n] = hash | 0;
    flagsOut[n++] = flags;
  }
  out.count = n;
}

/**
 * The tokens of one whole text as the tagger read them (`tokenize(text, 0, text.length)`), kept
 * for the rest of one analysis so the address grammar can read its regions from them instead of
 * tokenizing them again (see `copyTokens`). `text` is undefined when none are kept; the arrays are
 * the tagger's own, valid until it tokenizes again, which clears `text` first.
 */
export interface WholeTextTokens {
  text: string | undefined;
  count: number;
  start: Int32Array;
  end: Int32Array;
  hash: Int32Array;
  flags: Int32Array;
}

/** An analyzer's record of the whole text's tokens (see `WholeTextTokens`). */
export const WHOLE_TEXT_TOKENS: ScratchKind<WholeTextTokens> = {
  create: () => ({
    text: undefined,
    count: 0,
    start: new Int32Array(0),
    end: new Int32Array(0),
    hash: new Int32Array(0),
    flags: new Int32Array(0),
  }),
};

/** No token holds a character on both sides of `at`: one of them is white space, or `at` is an end. */
function tokenBoundary(text: string, at: number): boolean {
  if (at <= 0 || at >= text.length) return true;
  const before = classOf(text.charCodeAt(at - 1));
  const after = classOf(text.charCodeAt(at));
  return before === SPACE || before === NEWLINE || after === SPACE || after === NEWLINE;
}

/**
 * Writes into `out` what `tokenize(text, from, to, out)` writes, read from `whole`, the tokens of
 * all of `text`, and returns true; returns false, writing nothing, when `whole` holds another
 * text's tokens or a token of the whole text crosses `from` or `to`.
 *
 * Why it is the same: a token never holds white space, so with white space on one side of `from`
 * and of `to` every token of `text[from, to)` is a token of the whole text, with the same
 * characters, hash and case flags (the one character read past a token, after a joiner, is inside
 * the region or is that white space). Only the first token's white-space flags can differ: the
 * whole text counts the spaces and newlines before `from` too, so they are counted again here from
 * `from`, as `tokenize` counts them. `test/engine/ner/shared-tokens.test.ts` compares the two on
 * generated texts and regions.
 *
 * @example
 * ```ts
 * const whole = WHOLE_TEXT_TOKENS.create();
 * const tokens = new TokenBuffer();
 * tokenize('a b\n\nc', 0, 6, tokens);
 * Object.assign(whole, { text: 'a b\n\nc', count: tokens.count }, tokens);
 * copyTokens(whole, 'a b\n\nc', 3, 6, new TokenBuffer()); // true: one token, "c", after a paragraph break
 * ```
 */
export function copyTokens(
  whole: WholeTextTokens,
  text: string,
  from: number,
  to: number,
  out: TokenBuffer,
): boolean {
  if (whole.text !== text || !tokenBoundary(text, from) || !tokenBoundary(text, to)) return false;
  const starts = whole.start;
  const first = lowerBound(whole.count, (i) => starts[i]! < from);
  const last = lowerBound(whole.count, (i) => starts[i]! < to);
  out.count = 0;
  out.reserve(to - from + 1);
  out.start.set(starts.subarray(first, last));
  out.end.set(whole.end.subarray(first, last));
  out.hash.set(whole.hash.subarray(first, last));
  out.flags.set(whole.flags.subarray(first, last));
  const n = last - first;
  if (n > 0) {
    let pending = 0;
    let newlines = 0;
    for (let i = from; i < starts[first]!; i++) {
      const code = text.charCodeAt(i);
      if (classOf(code) === SPACE) pending |= F_SPACE_BEFORE;
      else {
        pending |= F_NEWLINE_BEFORE;
        if (code === 10 && ++newlines >= 2) pending |= F_PARAGRAPH_BEFORE;
      }
    }
    out.flags[0] = (out.flags[0]! & ~(F_SPACE_BEFORE | F_NEWLINE_BEFORE | F_PARAGRAPH_BEFORE)) | pending;
  }
  out.count = n;
  return true;
}
