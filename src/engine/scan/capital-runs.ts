/**
 * Runs of capital letters and digits (`[A-Z0-9]`): most identifiers are written as one
 * (`1HGCM82633A004352`, `DE123456789`, `ABCDE1234F`), prose almost never holds a long one. A
 * regular expression's syntax tree gives the longest such run every match holds; one scan of a
 * text gives its longest run (`textRuns`); `analyze` skips a recognizer whose matches need a longer run than
 * the text has, without running its patterns.
 *
 * The bound is sound, never too high: only an element that can match nothing but `A`–`Z` and
 * `0`–`9` extends a run (with the `i` flag, digits only), optional ones add nothing, look-arounds
 * leave a run unbroken, and anything else ends it.
 */
import type { Alternative, Element, Node } from '@eslint-community/regexpp/ast';
import { parseRegex } from './regex-ast.js';

/**
 * The least, over the strings `regex` matches, of their longest run of `[A-Z0-9]`.
 *
 * @example
 * ```ts
 * minCapitalRun(/(?<![\p{L}\p{N}])[A-HJ-NPR-Z0-9]{17}(?![\p{L}\p{N}])/u); // 17
 * minCapitalRun(/[A-Z]{2}-?\d{4}/); // 4
 * minCapitalRun(/[a-z]{3}\d/i); // 1
 * ```
 */
export function minCapitalRun(regex: RegExp): number {
  const pattern = parseRegex(regex);
  if (pattern === undefined) return 0;
  return leastOver(pattern.alternatives, (elements) => runOfSequence(elements, regex.flags.includes('i')));
}

function leastOver(list: readonly Alternative[], valueOf: (elements: readonly Element[]) => number): number {
  let least = Infinity;
  for (const alternative of list) least = Math.min(least, valueOf(alternative.elements));
  return least === Infinity ? 0 : least;
}

function runOfSequence(elements: readonly Element[], caseless: boolean): number {
  let best = 0;
  let chain = 0;
  for (const element of elements) {
    if (element.type === 'Assertion') continue;
    const only = capitalsOnly(element, caseless);
    if (only !== undefined) {
      chain += only;
      continue;
    }
    best = Math.max(best, chain, runOf(element, caseless));
    chain = 0;
  }
  return Math.max(best, chain);
}

/** For an element that can match `[A-Z0-9]` characters only, the fewest it matches; otherwise undefined. */
function capitalsOnly(element: Element, caseless: boolean): number | undefined {
  switch (element.type) {
    case 'Quantifier': {
      const inner = capitalsOnly(element.element, caseless);
      return inner === undefined ? undefined : inner * element.min;
    }
    case 'Group':
    case 'CapturingGroup': {
      let least = Infinity;
      for (const alternative of element.alternatives) {
        let sum = 0;
        for (const inner of alternative.elements) {
          if (inner.type === 'Assertion') continue;
          const only = capitalsOnly(inner, caseless);
          if (only === undefined) return undefined;
          sum += only;
        }
        least = Math.min(least, sum);
      }
      return least === Infinity ? undefined : least;
    }
    case 'Character':
      return inClass(element.value, element.value, caseless) ? 1 : undefined;
    case 'CharacterSet':
      return element.kind === 'digit' && !element.negate ? 1 : undefined;
    case 'CharacterClass':
      return !element.negate &&
        !element.unicodeSets &&
        element.elements.length > 0 &&
        element.elements.every((inner) => classElementInClass(inner, caseless))
        ? 1
        : undefined;
    default:
      return undefined;
  }
}

function classElementInClass(node: Node, caseless: boolean): boolean {
  switch (node.type) {
    case 'Character':
      return inClass(node.value, node.value, caseless);
    case 'CharacterClassRange':
      return inClass(node.min.value, node.max.value, caseless);
    case 'CharacterSet':
      return node.kind === 'digit' && !node.negate;
    default:
      return false;
  }
}

/** True when every code point in `min..max` is a digit, or (without the `i` flag) a capital A–Z. */
function inClass(min: number, max: number, caseless: boolean): boolean {
  if (min >= 0x30 && max <= 0x39) return true;
  return !caseless && min >= 0x41 && max <= 0x5a;
}

function runOf(node: Node, caseless: boolean): number {
  switch (node.type) {
    case 'Group':
    case 'CapturingGroup':
      return leastOver(node.alternatives, (elements) => runOfSequence(elements, caseless));
    case 'Quantifier':
      return node.min > 0 ? runOf(node.element, caseless) : 0;
    default:
      return 0;
  }
}
