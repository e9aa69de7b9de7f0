import type { Classes, DecodedChar, DecodedWord } from './paddle-decode.js';

/** One line's recognition output: `steps` rows of class probabilities, as the CTC model gives them. */
export interface CtcLine {
  readonly probabilities: Float32Array;
  readonly steps: number;
  readonly classes: Classes;
}

/** What {@link lexiconCorrected} and {@link numbersCorrected} take. */
export interface CorrectionOptions {
  /** Words (or a number's odd letter) read with at least this confidence (mean character probability) are kept as read. */
  readonly below: number;
  /**
   * An alternative replaces a reading when the model finds it at most this much less likely (natural
   * log of the ratio of their CTC probabilities): the prior odds of a known word or a number.
   */
  readonly margin: number;
}

/**
 * Steps on either side of a word's characters that its alternatives may use: a letter the greedy
 * reading dropped at a word's edge (`ahru` for `BAHRU`) lies in them. A character spans about
 * three steps at PP-OCR's input height.
 */
const EDGE_STEPS = 3;
/** Lexicon words this many letters longer or shorter than a reading are not tried. */
const MAX_LENGTH_CHANGE = 2;

/**
 * The natural log of the probability that the CTC model reads `text` in steps `from` (inclusive)
 * to `to` (exclusive) of a line, summed over every alignment (the forward algorithm). Letters are
 * read without regard to case (the probabilities of `A` and `a` add up), so a word the model read
 * in mixed case scores as its capitals would. `-Infinity` when a character is not in the model's
 * classes, the span is too short, or the likelihood falls below `floor` (the prefix's probability
 * only shrinks step by step, so a candidate below it is given up early).
 *
 * @example
 * ```ts
 * ctcLogLikelihood(line, 10, 24, 'JALAN'); // -0.42
 * ```
 */
export function ctcLogLikelihood(
  line: CtcLine,
  from: number,
  to: number,
  text: string,
  floor = -Infinity,
): number {
  const labels = classSets(line.classes, text);
  if (labels === undefined) return -Infinity;
  const width = line.classes.text.length;
  const probabilities = line.probabilities;
  // States: blank, label 1, blank, label 2, …, blank; scaled at each step to stay within floats.
  const states = 2 * labels.length + 1;
  let alpha = new Float64Array(states);
  let next = new Float64Array(states);
  let logScale = 0;
  for (let t = from; t < to; t++) {
    const row = t * width;
    let total = 0;
    for (let s = 0; s < states; s++) {
      const label = s % 2 === 0 ? undefined : labels[(s - 1) / 2]!;
      let sum: number;
      if (t === from) sum = s <= 1 ? 1 : 0;
      else {
        sum = alpha[s]! + (s > 0 ? alpha[s - 1]! : 0);
        // A label may follow the previous label straight away unless both are the same character.
        if (label !== undefined && s > 1 && labels[(s - 3) / 2]![0] !== label[0]) sum += alpha[s - 2]!;
      }
      let emitted = 0;
      if (sum !== 0)
        if (label === undefined) emitted = probabilities[row]!;
        else for (const c of label) emitted += probabilities[row + c]!;
      next[s] = sum * emitted;
      total += next[s]!;
    }
    if (total === 0) return -Infinity;
    logScale += Math.log(total);
    if (logScale < floor) return -Infinity;
    for (let s = 0; s < states; s++) next[s]! /= total;
    [alpha, next] = [next, alpha];
  }
  const end = alpha[states - 1]! + (states > 1 ? alpha[states - 2]! : 0);
  return end === 0 ? -Infinity : logScale + Math.log(end);
}

/** The classes each character of `text` may be read as (both cases of a letter), or nothing if one is missing. */
function classSets(classes: Classes, text: string): number[][] | undefined {
  let cache = setsOf.get(classes);
  if (cache === undefined) setsOf.set(classes, (cache = new Map()));
  if (cache.has(text)) return cache.get(text);
  const index = classIndex(classes);
  let sets: number[][] | undefined = [];
  for (const char of text) {
    const set = [...new Set([char, char.toUpperCase(), char.toLowerCase()])]
      .map((c) => index.get(c))
      .filter((c): c is number => c !== undefined);
    if (set.length === 0) {
      sets = undefined;
      break;
    }
    sets.push(set);
  }
  // Lexicon words come back line after line; readings seldom do, so the cache is bounded.
  if (cache.size < MAX_CACHED_TEXTS) cache.set(text, sets);
  return sets;
}

const MAX_CACHED_TEXTS = 10_000;
const setsOf = new WeakMap<Classes, Map<string, number[][] | undefined>>();
const indices = new WeakMap<Classes, Map<string, number>>();

function classIndex(classes: Classes): Map<string, number> {
  let index = indices.get(classes);
  if (index === undefined) {
    index = new Map();
    for (const c of classes.allowed)
      if (c !== 0 && !index.has(classes.text[c]!)) index.set(classes.text[c]!, c);
    indices.set(classes, index);
  }
  return index;
}

/**
 * A line's words with each low-confidence word that is nearly a lexicon word replaced by it, when
 * the recognition model finds the lexicon word about as likely as what it read (within
 * `options.margin`, the prior odds of a known word): `Kawassn` becomes `KAWASAN` when the model
 * saw an `A` where it read an `s`, never because the letters are alike. Punctuation around a word
 * is kept; the replacement takes the reading's case (capitals, lower case or a capital first).
 * A word the model ran together with a number or punctuation (`7/4Kawassn`, `ahru,Johor`) is
 * checked run by run: each run of at least three letters read with low confidence is corrected
 * on its own steps.
 *
 * @example
 * ```ts
 * lexiconCorrected(words, line, new Set(['JALAN', 'KAWASAN']), { below: 0.9, margin: 4 }); // 'Kawassn' -> 'Kawasan'
 * ```
 */
export function lexiconCorrected(
  words: readonly DecodedWord[],
  line: CtcLine,
  lexicon: ReadonlySet<string>,
  options: CorrectionOptions,
): DecodedWord[] {
  return words.map((word, i) => {
    const core = coreOf(word.chars);
    if (core === undefined) return word;
    // Steps the word's alternatives may use: up to EDGE_STEPS beyond its characters, short of its neighbours'.
    const floor = i > 0 ? words[i - 1]!.last + 1 : 0;
    const ceiling = i + 1 < words.length ? words[i + 1]!.first : line.steps;
    if (word.confidence < options.below) {
      const best = bestLexiconWord(core.chars, line, lexicon, options, floor, ceiling);
      if (best !== undefined)
        return { ...word, text: `${core.before}${best}${afterWord(word, core, best, line, floor, ceiling)}` };
    }
    const runs = letterRuns(core.chars);
    if (runs.length === 1 && runs[0]!.length === core.chars.length) return word;
    let changed = false;
    const text = core.chars.map((c) => c.text);
    for (const run of runs) {
      const chars = run.map((k) => core.chars[k]!);
      const confidence = chars.reduce((sum, c) => sum + c.probability, 0) / chars.length;
      if (chars.length < MIN_LETTER_RUN || confidence >= options.below) continue;
      const before = core.chars[run[0]! - 1];
      const after = core.chars[run.at(-1)! + 1];
      const best = bestLexiconWord(
        chars,
        line,
        lexicon,
        options,
        before === undefined ? floor : before.last + 1,
        after === undefined ? ceiling : after.first,
      );
      if (best === undefined) continue;
      run.forEach((k, n) => (text[k] = n === 0 ? best : ''));
      changed = true;
    }
    return changed ? { ...word, text: `${core.before}${text.join('')}${core.after}` } : word;
  });
}

/**
 * The punctuation after a word's replacement: without its first character when the model finds
 * the lexicon word likelier alone than followed by it (a closing `I` read as `!` in `BERJUNTA!`
 * is the lexicon word's last letter, not a mark after it).
 */
function afterWord(
  word: DecodedWord,
  core: { chars: DecodedChar[]; after: string },
  best: string,
  line: CtcLine,
  floor: number,
  ceiling: number,
): string {
  if (core.after === '') return '';
  const mark = word.chars[word.chars.indexOf(core.chars.at(-1)!) + 1]!;
  const from = Math.max(floor, core.chars[0]!.first - EDGE_STEPS);
  const to = Math.min(ceiling, mark.last + 1 + EDGE_STEPS);
  const upper = best.toUpperCase();
  return ctcLogLikelihood(line, from, to, upper) > ctcLogLikelihood(line, from, to, upper + mark.text)
    ? core.after.slice(mark.text.length)
    : core.after;
}

/** The shortest run of letters inside a longer word that is checked against the lexicon on its own. */
const MIN_LETTER_RUN = 3;

/**
 * The lexicon word (in the reading's case) the model finds likeliest in the steps of `chars`,
 * widened by up to EDGE_STEPS on either side within `floor` and `ceiling`, if one is within
 * `options.margin` of the reading; nothing when the reading is itself a lexicon word or holds no letter.
 */
function bestLexiconWord(
  chars: readonly DecodedChar[],
  line: CtcLine,
  lexicon: ReadonlySet<string>,
  options: CorrectionOptions,
  floor: number,
  ceiling: number,
): string | undefined {
  const read = chars.map((c) => c.text).join('');
  const upper = read.toUpperCase();
  if (lexicon.has(upper) || !/\p{L}/u.test(upper)) return undefined;
  const from = Math.max(floor, chars[0]!.first - EDGE_STEPS);
  const to = Math.min(ceiling, chars.at(-1)!.last + 1 + EDGE_STEPS);
  const own = ctcLogLikelihood(line, from, to, upper);
  let best: { text: string; score: number } | undefined;
  for (const candidate of lexicon) {
    if (Math.abs(candidate.length - upper.length) > MAX_LENGTH_CHANGE) continue;
    const bar = Math.max(own - options.margin, best?.score ?? -Infinity);
    const score = ctcLogLikelihood(line, from, to, candidate, bar);
    if (score > -Infinity && score >= own - options.margin && (best === undefined || score > best.score))
      best = { text: candidate, score };
  }
  return best === undefined ? undefined : inCaseOf(read, best.text);
}

/** The indices of each run of letters in a word's characters. */
function letterRuns(chars: readonly DecodedChar[]): number[][] {
  return runsOf(chars, (c) => /^\p{L}$/u.test(c.text));
}

/** A word's letters and digits between its leading and trailing punctuation. */
function coreOf(
  chars: readonly DecodedChar[],
): { chars: DecodedChar[]; before: string; after: string } | undefined {
  const alnum = (c: DecodedChar): boolean => /^[\p{L}\p{N}]+$/u.test(c.text);
  const start = chars.findIndex(alnum);
  if (start < 0) return undefined;
  let end = chars.length - 1;
  while (!alnum(chars[end]!)) end--;
  const text = (list: readonly DecodedChar[]): string => list.map((c) => c.text).join('');
  return {
    chars: chars.slice(start, end + 1),
    before: text(chars.slice(0, start)),
    after: text(chars.slice(end + 1)),
  };
}

/** `word` (capitals) written in the case of `read`: lower case, a capital first, or capitals. */
function inCaseOf(read: string, word: string): string {
  const letters = read.replace(/[^\p{L}]/gu, '');
  if (letters !== '' && letters === letters.toLowerCase()) return word.toLowerCase();
  const first = letters[0] ?? '';
  const rest = letters.slice(1);
  if (first === first.toUpperCase() && rest !== '' && rest === rest.toLowerCase())
    return word[0]! + word.slice(1).toLowerCase();
  return word;
}

/** A run of letters and digits this long with one letter among digits is read as a number (`8110O`, `B1750`). */
const MIN_NUMBER_RUN = 4;

/**
 * A line's words with the one letter of a long run of digits (a postcode read `8110O` or `B1750`)
 * replaced by the digit the model found likeliest in its place, when the letter was read with a
 * probability below `options.below` and the model finds the all-digit reading about as likely
 * (within `options.margin`, natural log).
 *
 * @example
 * ```ts
 * numbersCorrected(words, line, { below: 0.9, margin: 4 }); // '8110O' -> '81100'
 * ```
 */
export function numbersCorrected(
  words: readonly DecodedWord[],
  line: CtcLine,
  options: CorrectionOptions,
): DecodedWord[] {
  const index = classIndex(line.classes);
  const digits = [...'0123456789'].map((d) => index.get(d)).filter((c): c is number => c !== undefined);
  const width = line.classes.text.length;
  return words.map((word) => {
    const chars = [...word.chars];
    let changed = false;
    for (const run of alnumRuns(chars)) {
      const letters = run.filter((i) => /\p{L}/u.test(chars[i]!.text));
      if (run.length < MIN_NUMBER_RUN || letters.length !== 1) continue;
      const at = letters[0]!;
      const letter = chars[at]!;
      if (letter.probability >= options.below) continue;
      let best = { digit: -1, p: 0 };
      for (let t = letter.first; t <= letter.last; t++)
        for (const d of digits) {
          const p = line.probabilities[t * width + d]!;
          if (p > best.p) best = { digit: d, p };
        }
      if (best.digit < 0) continue;
      const from = Math.max(0, chars[run[0]!]!.first - 1);
      const to = Math.min(line.steps, chars[run.at(-1)!]!.last + 2);
      const read = run.map((i) => chars[i]!.text).join('');
      const digit = line.classes.text[best.digit]!;
      const candidate = run.map((i) => (i === at ? digit : chars[i]!.text)).join('');
      if (
        ctcLogLikelihood(line, from, to, candidate) <
        ctcLogLikelihood(line, from, to, read) - options.margin
      )
        continue;
      chars[at] = { ...letter, text: digit, probability: best.p };
      changed = true;
    }
    return changed ? { ...word, text: chars.map((c) => c.text).join(''), chars } : word;
  });
}

/** A word with at least this many letters and one digit among them is read as a word (`0.I.Y.`). */
const MIN_WORD_LETTERS = 2;

/**
 * A line's words with the one digit among letters (`0.I.Y.` for `D.I.Y.`) replaced by the letter
 * the model found likeliest in its place, when the digit was read with a probability below
 * `options.below`, the model's letters together outweigh its digits at that step (it saw a letter,
 * only not which), and it finds the lettered word about as likely (within `options.margin`,
 * natural log). A word with two digits or more is a number or a code, and is left alone.
 *
 * @example
 * ```ts
 * lettersCorrected(words, line, { below: 0.9, margin: 4 }); // '0.I.Y.' -> 'D.I.Y.'
 * ```
 */
export function lettersCorrected(
  words: readonly DecodedWord[],
  line: CtcLine,
  options: CorrectionOptions,
): DecodedWord[] {
  const width = line.classes.text.length;
  const isLetter = (c: number): boolean => /^\p{L}$/u.test(line.classes.text[c]!);
  const isDigit = (c: number): boolean => /^\p{N}$/u.test(line.classes.text[c]!);
  return words.map((word) => {
    const digits = word.chars.flatMap((c, i) => (/^\p{N}$/u.test(c.text) ? [i] : []));
    const letterCount = word.chars.filter((c) => /^\p{L}$/u.test(c.text)).length;
    if (digits.length !== 1 || letterCount < MIN_WORD_LETTERS) return word;
    const at = digits[0]!;
    const digit = word.chars[at]!;
    if (digit.probability >= options.below) return word;
    // The step where the model was surest of the digit: the letters' share is judged there.
    const own = classIndex(line.classes).get(digit.text)!;
    let peak = digit.first;
    for (let t = digit.first + 1; t <= digit.last; t++)
      if (line.probabilities[t * width + own]! > line.probabilities[peak * width + own]!) peak = t;
    let letters = 0;
    let numbers = 0;
    let best = { letter: -1, p: 0 };
    for (const c of line.classes.allowed) {
      const p = line.probabilities[peak * width + c]!;
      if (isDigit(c)) numbers += p;
      else if (isLetter(c)) {
        letters += p;
        if (p > best.p) best = { letter: c, p };
      }
    }
    if (letters <= numbers || best.letter < 0) return word;
    const from = Math.max(0, word.first - 1);
    const to = Math.min(line.steps, word.last + 2);
    const letter = line.classes.text[best.letter]!;
    const chars = word.chars.map((c, i) => (i === at ? { ...c, text: letter, probability: best.p } : c));
    const candidate = chars.map((c) => c.text).join('');
    if (
      ctcLogLikelihood(line, from, to, candidate) <
      ctcLogLikelihood(line, from, to, word.text) - options.margin
    )
      return word;
    return { ...word, text: candidate, chars };
  });
}

/** The indices of each run of letters and digits in a word's characters. */
function alnumRuns(chars: readonly DecodedChar[]): number[][] {
  return runsOf(chars, (c) => /^[\p{L}\p{N}]$/u.test(c.text));
}

/** The indices of each run of characters `inRun` accepts. */
function runsOf(chars: readonly DecodedChar[], inRun: (c: DecodedChar) => boolean): number[][] {
  const runs: number[][] = [];
  let run: number[] = [];
  chars.forEach((c, i) => {
    if (inRun(c)) run.push(i);
    else if (run.length > 0) {
      runs.push(run);
      run = [];
    }
  });
  if (run.length > 0) runs.push(run);
  return runs;
}
