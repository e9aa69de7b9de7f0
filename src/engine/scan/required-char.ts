/**
 * Punctuation that every match of a regular expression contains, read from its syntax tree
 * (@eslint-community/regexpp): `\d{4}\/\d{2}` always holds a `/`, an IPv4 address a `.`, a
 * numeric date one of `/.-`. A pattern recognizer asks `includes` for them before running the
 * pattern: a window without any cannot hold a match, and a string search or two is much cheaper
 * than a regex pass that finds nothing.
 *
 * Only ASCII punctuation is reported: it has no other case under the `i` flag, and letters and
 * digits are in nearly every window anyway. The answer is sound: a character counts only when it is
 * matched outside any optional element, repetition allowing zero or look-around, and an
 * alternation gives the union of what its alternatives require.
 */
import type { Alternative, Element } from '@eslint-community/regexpp/ast';
import { parseRegex } from './regex-ast.js';

/**
 * The ASCII punctuation characters that never match anything but themselves, with or without the
 * `i` and `u` flags (checked over every code point by `test/engine/required-char.test.ts`).
 */
export const CASELESS_PUNCTUATION = '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~';

/**
 * Characters of which every match of `regex` contains at least one, as a string (most often one
 * character: `\d{4}\/\d{2}` gives `/`; `\d\d([/.-])\d\d` gives `/.-`), or undefined when no
 * such punctuation is known. Of several such sets the smallest is given, then the rarest in prose.
 *
 * @example
 * ```ts
 * requiredChars(/\d{4,6}\/\d{2}/); // '/'
 * requiredChars(/\d{1,2}[/.-]\d{1,2}/); // '/-.' (in order of rarity)
 * requiredChars(/\d{3}-\d{2}-\d{4}|\d{9}/); // undefined
 * ```
 */
export function requiredChars(regex: RegExp): string | undefined {
  if (regex.flags.includes('v')) return undefined;
  const pattern = parseRegex(regex);
  if (pattern === undefined) return undefined;
  const required = ofAlternatives(pattern.alternatives);
  return required === undefined ? undefined : [...required].sort(byRarity).join('');
}

/** Punctuation from rarest to most common in prose: a rarer one skips more windows. */
const PROSE_ORDER = '@#~^`|\\{}[]<>=_+*&%$!?;/:"()\'-,.';

function byRarity(a: string, b: string): number {
  return PROSE_ORDER.indexOf(a) - PROSE_ORDER.indexOf(b);
}

/** The better of two sets: the smaller, then the one whose rarest character is rarer. */
function better(a: Set<string> | undefined, b: Set<string> | undefined): Set<string> | undefined {
  if (a === undefined) return b;
  if (b === undefined || a.size < b.size) return a;
  if (b.size < a.size) return b;
  return byRarity([...a].sort(byRarity)[0]!, [...b].sort(byRarity)[0]!) <= 0 ? a : b;
}

/** Every alternative holds a character of its own set, so every match one of their union. */
function ofAlternatives(alternatives: readonly Alternative[]): Set<string> | undefined {
  const union = new Set<string>();
  for (const alternative of alternatives) {
    const required = ofSequence(alternative.elements);
    if (required === undefined) return undefined;
    for (const char of required) union.add(char);
  }
  return union.size === 0 ? undefined : union;
}

function ofSequence(elements: readonly Element[]): Set<string> | undefined {
  let best: Set<string> | undefined;
  for (const element of elements) best = better(best, ofElement(element));
  return best;
}

function ofElement(element: Element): Set<string> | undefined {
  switch (element.type) {
    case 'Character':
      return isCaseless(element.value) ? new Set([String.fromCharCode(element.value)]) : undefined;
    case 'CharacterClass': {
      // A class of punctuation characters only ("[/.-]"): a match holds one of them.
      if (element.negate || element.elements.length === 0) return undefined;
      const chars = new Set<string>();
      for (const member of element.elements) {
        if (member.type !== 'Character' || !isCaseless(member.value)) return undefined;
        chars.add(String.fromCharCode(member.value));
      }
      return chars;
    }
    case 'Group':
    case 'CapturingGroup':
      return ofAlternatives(element.alternatives);
    case 'Quantifier':
      return element.min > 0 ? ofElement(element.element) : undefined;
    default:
      // Look-arounds, back-references, sets and anything newer: nothing is known to be matched.
      return undefined;
  }
}

function isCaseless(code: number): boolean {
  return code < 0x80 && CASELESS_PUNCTUATION.includes(String.fromCharCode(code));
}
