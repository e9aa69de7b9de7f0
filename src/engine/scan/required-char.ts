/**
 * A punctuation character that every match of a regular expression contains, read from its syntax
 * tree (@eslint-community/regexpp): `\d{4}\/\d{2}` always holds a `/`, an IPv4 address a `.`. A
 * pattern recognizer asks `includes` for it before running the pattern: a window without it cannot
 * hold a match, and one string search is much cheaper than a regex pass that finds nothing.
 *
 * Only ASCII punctuation is reported: it has no other case under the `i` flag, and letters and
 * digits are in nearly every window anyway. The answer is sound: a character counts only when it is
 * matched outside any optional element, repetition allowing zero or look-around, in every
 * alternative.
 */
import type { Alternative, Element } from '@eslint-community/regexpp/ast';
import { parseRegex } from './regex-ast.js';

/**
 * The ASCII punctuation characters that never match anything but themselves, with or without the
 * `i` and `u` flags (checked over every code point by `test/engine/required-char.test.ts`).
 */
export const CASELESS_PUNCTUATION = '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~';

/**
 * A character every match of `regex` contains, the one that is rarest in prose when there are
 * several, or undefined when no such punctuation character is known.
 *
 * @example
 * ```ts
 * requiredChar(/\d{4,6}\/\d{2}/); // '/'
 * requiredChar(/\d{3}-\d{2}-\d{4}|\d{9}/); // undefined
 * ```
 */
export function requiredChar(regex: RegExp): string | undefined {
  if (regex.flags.includes('v')) return undefined;
  const pattern = parseRegex(regex);
  if (pattern === undefined) return undefined;
  const required = ofAlternatives(pattern.alternatives);
  let best: string | undefined;
  for (const char of required)
    if (best === undefined || PROSE_ORDER.indexOf(char) < PROSE_ORDER.indexOf(best)) best = char;
  return best;
}

/** Punctuation from rarest to most common in prose: a rarer one skips more windows. */
const PROSE_ORDER = '@#~^`|\\{}[]<>=_+*&%$!?;/:"()\'-,.';

function ofAlternatives(alternatives: readonly Alternative[]): Set<string> {
  let common: Set<string> | undefined;
  for (const alternative of alternatives) {
    const required = ofSequence(alternative.elements);
    common = common === undefined ? required : new Set([...common].filter((c) => required.has(c)));
    if (common.size === 0) break;
  }
  return common ?? new Set();
}

function ofSequence(elements: readonly Element[]): Set<string> {
  const required = new Set<string>();
  for (const element of elements) for (const char of ofElement(element)) required.add(char);
  return required;
}

function ofElement(element: Element): Set<string> {
  switch (element.type) {
    case 'Character': {
      const char = String.fromCharCode(element.value);
      return element.value < 0x80 && CASELESS_PUNCTUATION.includes(char) ? new Set([char]) : new Set();
    }
    case 'CharacterClass': {
      // A class of one character ("[/]") is that character.
      const only = element.elements.length === 1 ? element.elements[0]! : undefined;
      return !element.negate && only?.type === 'Character' ? ofElement(only) : new Set();
    }
    case 'Group':
    case 'CapturingGroup':
      return ofAlternatives(element.alternatives);
    case 'Quantifier':
      return element.min > 0 ? ofElement(element.element) : new Set();
    default:
      // Look-arounds, back-references, sets and anything newer: nothing is known to be matched.
      return new Set();
  }
}
