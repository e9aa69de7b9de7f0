/**
 * A letter written right next to a digit (`A1`, `7B`): most identifiers made of letters and digits
 * have one (`SW1A 1AA`, `34ABC123`, `AB123456C`), and prose almost never does: on the benchmark's
 * paragraphs, 38 of the 2,626 that hold a digit have a capital next to a digit. A regular
 * expression's syntax tree tells whether every match holds such a pair; one scan of a text tells
 * whether it has one (`textRuns`); `analyze` skips a recognizer whose matches need a pair the text
 * lacks, without running its patterns.
 *
 * The answer is sound, never too strong: an element counts as a letter or a digit only when it can
 * match nothing else, two elements form a pair only when nothing that may match a character lies
 * between them (look-arounds match none), alternatives take the weakest of their answers, and
 * anything unknown (a back-reference, `\w`, a class of both letters and digits) ends the chain.
 */
import type { Alternative, Element, Node } from '@eslint-community/regexpp/ast';
import { parseRegex } from './regex-ast.js';

/** No pair is certain. */
export const NO_PAIR = 0;
/** Every match holds an ASCII letter (either case) next to an ASCII digit. */
export const LETTER_PAIR = 1;
/** Every match holds a capital `A`–`Z` next to an ASCII digit. */
export const CAPITAL_PAIR = 2;

/** What one end of an element is sure to be. */
const UNKNOWN = 0;
const DIGIT = 1;
/** `A`–`Z`, and (under the `i` flag) whatever else matches a letter: see `isLetterCode`. */
const LETTER = 2;
const CAPITAL = 3;

/** The surest pair every match of `regex` holds: `NO_PAIR`, `LETTER_PAIR` or `CAPITAL_PAIR`. */
interface Shape {
  /** Every match is at least one character long. */
  readonly nonEmpty: boolean;
  /** What its first and last characters are sure to be (meaningful when `nonEmpty`). */
  readonly first: number;
  readonly last: number;
  /** The surest pair inside every match. */
  readonly pair: number;
}

const OPAQUE: Shape = { nonEmpty: false, first: UNKNOWN, last: UNKNOWN, pair: NO_PAIR };

/**
 * The surest letter-and-digit pair every string `regex` matches holds.
 *
 * @example
 * ```ts
 * minLetterDigitPair(/(?<![\p{L}\p{N}])[A-Z]{2}\d{6}(?![\p{L}\p{N}])/u); // CAPITAL_PAIR (2)
 * minLetterDigitPair(/[A-Za-z]\d{7}/); // LETTER_PAIR (1)
 * minLetterDigitPair(/[A-Z]{2} ?\d{6}/); // NO_PAIR (0): a space may come between
 * ```
 */
export function minLetterDigitPair(regex: RegExp): number {
  const pattern = parseRegex(regex);
  if (pattern === undefined) return NO_PAIR;
  return alternativesShape(pattern.alternatives, regex.flags.includes('i')).pair;
}

/**
 * True when a UTF-16 code unit is one a letter class of a pattern can match: `A`–`Z`, `a`–`z`,
 * and the two that the `iu` flags fold onto them (U+017F long s, U+212A Kelvin sign).
 *
 * @example
 * ```ts
 * isLetterCode(0x61); // true ('a')
 * isLetterCode(0xe9); // false ('é')
 * ```
 */
export function isLetterCode(code: number): boolean {
  return (
    (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a) || code === 0x17f || code === 0x212a
  );
}

function alternativesShape(alternatives: readonly Alternative[], caseless: boolean): Shape {
  let shape: Shape | undefined;
  for (const alternative of alternatives) {
    const next = sequenceShape(alternative.elements, caseless);
    shape =
      shape === undefined
        ? next
        : {
            nonEmpty: shape.nonEmpty && next.nonEmpty,
            first: weaker(shape.first, next.first),
            last: weaker(shape.last, next.last),
            pair: Math.min(shape.pair, next.pair),
          };
  }
  return shape ?? OPAQUE;
}

function sequenceShape(elements: readonly Element[], caseless: boolean): Shape {
  let pair = NO_PAIR;
  let nonEmpty = false;
  let first = UNKNOWN;
  let seen = false;
  // What the character just before the next element is sure to be (UNKNOWN if it may be absent).
  let before = UNKNOWN;
  for (const element of elements) {
    // Look-arounds, `\b`, `^` and `$` match no character: the chain runs on through them.
    if (element.type === 'Assertion') continue;
    const shape = elementShape(element, caseless);
    if (!seen) first = shape.nonEmpty ? shape.first : UNKNOWN;
    seen = true;
    pair = Math.max(pair, shape.pair);
    if (shape.nonEmpty) {
      pair = Math.max(pair, pairOf(before, shape.first));
      before = shape.last;
      nonEmpty = true;
    } else before = UNKNOWN;
  }
  return { nonEmpty, first, last: before, pair };
}

function elementShape(node: Node, caseless: boolean): Shape {
  switch (node.type) {
    case 'Group':
    case 'CapturingGroup':
      return alternativesShape(node.alternatives, caseless);
    case 'Quantifier': {
      if (node.min === 0) return OPAQUE;
      const inner = elementShape(node.element, caseless);
      return inner.nonEmpty ? inner : { ...inner, nonEmpty: false, first: UNKNOWN, last: UNKNOWN };
    }
    case 'Character': {
      const kind = rangeKind(node.value, node.value, caseless);
      return { nonEmpty: true, first: kind, last: kind, pair: NO_PAIR };
    }
    case 'CharacterSet': {
      const kind = node.kind === 'digit' && !node.negate ? DIGIT : UNKNOWN;
      return { nonEmpty: true, first: kind, last: kind, pair: NO_PAIR };
    }
    case 'CharacterClass': {
      let kind = UNKNOWN;
      if (!node.negate && !node.unicodeSets && node.elements.length > 0) {
        kind = classElementKind(node.elements[0]!, caseless);
        for (const inner of node.elements) kind = weaker(kind, classElementKind(inner, caseless));
      }
      return { nonEmpty: true, first: kind, last: kind, pair: NO_PAIR };
    }
    default:
      // Back-references (possibly empty) and anything newer than this function knows.
      return OPAQUE;
  }
}

function classElementKind(node: Node, caseless: boolean): number {
  switch (node.type) {
    case 'Character':
      return rangeKind(node.value, node.value, caseless);
    case 'CharacterClassRange':
      return rangeKind(node.min.value, node.max.value, caseless);
    case 'CharacterSet':
      return node.kind === 'digit' && !node.negate ? DIGIT : UNKNOWN;
    default:
      return UNKNOWN;
  }
}

/** The kind of every code point in `min..max`; a capital is only a capital without the `i` flag. */
function rangeKind(min: number, max: number, caseless: boolean): number {
  if (min >= 0x30 && max <= 0x39) return DIGIT;
  if (min >= 0x41 && max <= 0x5a) return caseless ? LETTER : CAPITAL;
  if (min >= 0x61 && max <= 0x7a) return LETTER;
  return UNKNOWN;
}

/** What both of two ends are sure to be. */
function weaker(a: number, b: number): number {
  if (a === b) return a;
  if ((a === LETTER && b === CAPITAL) || (a === CAPITAL && b === LETTER)) return LETTER;
  return UNKNOWN;
}

/** The pair two adjacent characters of these kinds are sure to make. */
function pairOf(a: number, b: number): number {
  if (a === DIGIT) return b === CAPITAL ? CAPITAL_PAIR : b === LETTER ? LETTER_PAIR : NO_PAIR;
  if (b === DIGIT) return a === CAPITAL ? CAPITAL_PAIR : a === LETTER ? LETTER_PAIR : NO_PAIR;
  return NO_PAIR;
}
