/**
 * Words that every match of a regular expression contains, read from its syntax tree: a date in
 * words holds a month name (`Jan`, `Feb`, ... `Dec`), a period "between" or "from". A pattern
 * recognizer looks for them with `includes` before running the pattern: a window holding none of
 * them cannot hold a match, and a dozen string searches cost less than a pass of a pattern that
 * opens with a Unicode look-behind.
 *
 * The answer is sound: only characters matched one after another, outside any optional element
 * and any repetition allowing zero, make a word; a look-around or anything else ends it; an
 * alternation requires the words of all its alternatives (the union), and a pattern under the `i`
 * flag gives none (its words have other cases).
 */
import type { Alternative, Element } from '@eslint-community/regexpp/ast';
import { parseRegex } from './regex-ast.js';

/** Shorter words are in nearly every window: looking for them saves nothing. */
const MIN_WORD = 3;
/** More words cost more searches than a pattern pass saves. */
const MAX_WORDS = 16;

/**
 * Words of which every match of `regex` contains at least one, or undefined when none are known
 * (or too many, or too short to be worth a search).
 *
 * @example
 * ```ts
 * requiredWords(/(?:between|from)\s\d{4}/u); // ['between', 'from']
 * requiredWords(/\d{1,2} (?:Jan|Feb)\.? \d{4}/); // ['Jan', 'Feb']
 * requiredWords(/\d{1,2} (?:Jan|Feb)\.? \d{4}/i); // undefined
 * ```
 */
export function requiredWords(regex: RegExp): readonly string[] | undefined {
  if (regex.flags.includes('i') || regex.flags.includes('v')) return undefined;
  const pattern = parseRegex(regex);
  if (pattern === undefined) return undefined;
  const words = ofAlternatives(pattern.alternatives);
  return words === undefined ? undefined : [...words];
}

/**
 * True when `text` holds one of `words`.
 *
 * @example
 * ```ts
 * holdsAnyWord('on 3 May 2001', ['Jan', 'May']); // true
 * ```
 */
export function holdsAnyWord(text: string, words: readonly string[]): boolean {
  for (let k = 0; k < words.length; k++) if (text.includes(words[k]!)) return true;
  return false;
}

/** Every alternative holds a word of its own set, so every match one of their union. */
function ofAlternatives(alternatives: readonly Alternative[]): Set<string> | undefined {
  const union = new Set<string>();
  for (const alternative of alternatives) {
    const words = ofSequence(alternative.elements);
    if (words === undefined) return undefined;
    for (const word of words) union.add(word);
  }
  return union.size === 0 || union.size > MAX_WORDS ? undefined : union;
}

/** The best set any element or run of literal characters of the sequence gives. */
function ofSequence(elements: readonly Element[]): Set<string> | undefined {
  let best: Set<string> | undefined;
  let run = '';
  const endRun = (): void => {
    if (run.length >= MIN_WORD) best = better(best, new Set([run]));
    run = '';
  };
  for (const element of elements) {
    if (element.type === 'Character') {
      run += String.fromCodePoint(element.value);
      continue;
    }
    endRun();
    if (element.type === 'Group' || element.type === 'CapturingGroup')
      best = better(best, ofAlternatives(element.alternatives));
    else if (element.type === 'Quantifier' && element.min > 0) {
      const inner = element.element;
      if (inner.type === 'Group' || inner.type === 'CapturingGroup')
        best = better(best, ofAlternatives(inner.alternatives));
    }
  }
  endRun();
  return best;
}

/** The better of two sets: the fewer words, then the longer shortest word. */
function better(a: Set<string> | undefined, b: Set<string> | undefined): Set<string> | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  if (a.size !== b.size) return a.size < b.size ? a : b;
  return shortest(a) >= shortest(b) ? a : b;
}

function shortest(words: Set<string>): number {
  let least = Infinity;
  for (const word of words) least = Math.min(least, word.length);
  return least;
}
