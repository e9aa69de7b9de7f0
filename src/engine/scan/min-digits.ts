/**
 * The fewest ASCII digits any match of a regular expression must contain, read from its syntax
 * tree (@eslint-community/regexpp). `analyze` counts the digits of a window once and skips every
 * recognizer that needs more: a short text with one house number never runs the sixty national
 * identifier patterns.
 *
 * The bound is sound, never too high: only a class that can match nothing but `0`–`9` counts as a
 * digit (`\d`, `[0-9]`, `[1-9]`, a literal digit), so `\p{N}`, `\w` or `[0-9A-F]` count as zero;
 * alternatives take their minimum, repetitions their minimum count, and look-arounds and
 * back-references count as zero.
 */
import { RegExpParser } from '@eslint-community/regexpp';
import type { Alternative, Element, Node } from '@eslint-community/regexpp/ast';

const parser = new RegExpParser({ ecmaVersion: 2025 });
const ZERO = 0x30;
const NINE = 0x39;

/**
 * The least number of ASCII digits in any string `regex` matches.
 *
 * @example
 * ```ts
 * minDigits(/\d{3}-\d{2}-\d{4}/); // 9
 * minDigits(/[A-Z]{2}\d{2}|\d{6}/); // 2
 * minDigits(/\p{N}+/u); // 0
 * ```
 */
export function minDigits(regex: RegExp): number {
  const pattern = parser.parsePattern(regex.source, 0, regex.source.length, {
    unicode: regex.flags.includes('u'),
    unicodeSets: regex.flags.includes('v'),
  });
  return alternatives(pattern.alternatives);
}

function alternatives(list: readonly Alternative[]): number {
  let least = Infinity;
  for (const alternative of list) least = Math.min(least, sequence(alternative.elements));
  return least === Infinity ? 0 : least;
}

function sequence(elements: readonly Element[]): number {
  let sum = 0;
  for (const element of elements) sum += count(element);
  return sum;
}

function count(node: Node): number {
  switch (node.type) {
    case 'Group':
    case 'CapturingGroup':
      return alternatives(node.alternatives);
    case 'Quantifier':
      return node.min * count(node.element);
    case 'Character':
      return isDigitCode(node.value) ? 1 : 0;
    case 'CharacterSet':
      return node.kind === 'digit' && !node.negate ? 1 : 0;
    case 'CharacterClass':
      return !node.negate && node.elements.length > 0 && node.elements.every(onlyDigits) ? 1 : 0;
    default:
      // Assertions, back-references and anything newer than this function knows: no digits.
      return 0;
  }
}

function onlyDigits(node: Node): boolean {
  switch (node.type) {
    case 'Character':
      return isDigitCode(node.value);
    case 'CharacterClassRange':
      return node.min.value >= ZERO && node.max.value <= NINE;
    case 'CharacterSet':
      return node.kind === 'digit' && !node.negate;
    default:
      return false;
  }
}

function isDigitCode(code: number): boolean {
  return code >= ZERO && code <= NINE;
}
