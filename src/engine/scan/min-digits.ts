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
import type { Alternative, Backreference, Element, Node } from '@eslint-community/regexpp/ast';
import { parseRegex as parse } from './regex-ast.js';

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
  const pattern = parse(regex);
  return pattern === undefined ? 0 : leastOver(pattern.alternatives, sequence);
}

/** The least of `valueOf` over the alternatives of a pattern or group (0 when there are none). */
function leastOver(list: readonly Alternative[], valueOf: (elements: readonly Element[]) => number): number {
  let least = Infinity;
  for (const alternative of list) least = Math.min(least, valueOf(alternative.elements));
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
      return leastOver(node.alternatives, sequence);
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

/**
 * A lower bound on the longest run of consecutive ASCII digits in any match: `\d{3}-\d{2}-\d{4}`
 * always holds a run of 4, `[1-9]\d{9}` one of 10. Elements that match digits only extend a run
 * (even optional ones: they add no non-digit), look-arounds leave it unbroken, and anything else
 * ends it.
 *
 * @example
 * ```ts
 * minDigitRun(/\d{3}-?\d{2}-?\d{4}/); // 4
 * minDigitRun(/DE\d{9}|\d{11}/); // 9
 * ```
 */
export function minDigitRun(regex: RegExp): number {
  const pattern = parse(regex);
  return pattern === undefined ? 0 : leastOver(pattern.alternatives, runOfSequence);
}

/**
 * The most UTF-16 code units a match can span, or Infinity when a repetition is unbounded; a
 * back-reference counts as long as its group. Without the `u` flag every character matches one code unit; with it, an
 * atom that may match an astral character (`.`, `\p{…}`, a negated class) counts 2, and `\d`,
 * `\s`, `\w` and classes of BMP characters count 1. Patterns with the `v` flag are unbounded
 * (a class may match a string).
 *
 * @example
 * ```ts
 * maxMatchLength(/\d{3}-\d{2}-\d{4}/); // 11
 * maxMatchLength(/\p{L}{2}/u); // 4
 * maxMatchLength(/\d+/); // Infinity
 * ```
 */
export function maxMatchLength(regex: RegExp): number {
  const pattern = parse(regex);
  if (pattern === undefined || regex.flags.includes('v')) return Infinity;
  return lengthOfAlternatives(pattern.alternatives, regex.flags.includes('u'));
}

function runOfSequence(elements: readonly Element[]): number {
  let best = 0;
  let chain = 0;
  for (const element of elements) {
    if (element.type === 'Assertion') continue;
    const digitsOnly = matchesDigitsOnly(element);
    if (digitsOnly !== undefined) {
      chain += digitsOnly;
      continue;
    }
    best = Math.max(best, chain, runOf(element));
    chain = 0;
  }
  return Math.max(best, chain);
}

/** For an element that can match digits only, the fewest it matches; otherwise undefined. */
function matchesDigitsOnly(element: Element): number | undefined {
  if (element.type === 'Quantifier') {
    const inner = matchesDigitsOnly(element.element as Element);
    return inner === undefined ? undefined : inner * element.min;
  }
  return count(element) === 1 &&
    (element.type === 'Character' || element.type === 'CharacterSet' || element.type === 'CharacterClass')
    ? 1
    : undefined;
}

function runOf(node: Node): number {
  switch (node.type) {
    case 'Group':
    case 'CapturingGroup':
      return leastOver(node.alternatives, runOfSequence);
    case 'Quantifier':
      return node.min > 0 ? runOf(node.element) : 0;
    default:
      return 0;
  }
}

function lengthOfAlternatives(list: readonly Alternative[], unicode: boolean): number {
  let most = 0;
  for (const alternative of list) {
    let sum = 0;
    for (const element of alternative.elements) sum += lengthOf(element, unicode);
    most = Math.max(most, sum);
  }
  return most;
}

function lengthOf(node: Node, unicode: boolean): number {
  switch (node.type) {
    case 'Group':
    case 'CapturingGroup':
      return lengthOfAlternatives(node.alternatives, unicode);
    case 'Quantifier':
      return node.max === Infinity ? Infinity : node.max * lengthOf(node.element, unicode);
    case 'Character':
      return unicode && node.value > 0xffff ? 2 : 1;
    case 'CharacterSet':
    case 'CharacterClass':
      return unicode && !onlyBmp(node) ? 2 : 1;
    case 'Assertion':
      return 0;
    case 'Backreference':
      return lengthOfBackreference(node, unicode);
    default:
      return Infinity;
  }
}

/**
 * A back-reference repeats what its group matched, so it is no longer than the group. Inside the
 * group it refers to (or in another iteration of it) the capture is not set yet and matches the
 * empty string.
 */
function lengthOfBackreference(node: Backreference, unicode: boolean): number {
  const groups = Array.isArray(node.resolved) ? node.resolved : [node.resolved];
  let most = 0;
  for (const group of groups) {
    if (containsNode(group, node)) continue;
    most = Math.max(most, lengthOfAlternatives(group.alternatives, unicode));
  }
  return most;
}

function containsNode(outer: Node, inner: Node): boolean {
  return inner.start >= outer.start && inner.end <= outer.end;
}

/** True when a set or class can match only characters of the Basic Multilingual Plane. */
function onlyBmp(node: Node): boolean {
  switch (node.type) {
    case 'Character':
      return node.value <= 0xffff;
    case 'CharacterClassRange':
      return node.max.value <= 0xffff;
    case 'CharacterSet':
      // `\d`, `\s` and `\w` are BMP sets; `.`, `\p{…}` and the negations reach astral planes.
      return (node.kind === 'digit' || node.kind === 'space' || node.kind === 'word') && !node.negate;
    case 'CharacterClass':
      return !node.negate && node.elements.every(onlyBmp);
    default:
      return false;
  }
}
