/**
 * The lengths of a whole run of ASCII digits that every match of a regular expression holds,
 * read from its syntax tree (@eslint-community/regexpp): `(?<!\w)\d{9}(?!\w)` holds a run of
 * exactly nine digits with no digit on either side, so a text whose digit runs are all of other
 * lengths holds no match. The longest-run gate (`minDigitRun`) lets a 10-digit phone number open
 * the 9-digit identifiers; this one does not. A pattern recognizer compares the answer with the
 * lengths of its window's runs (`TextRuns.runLengths` for the whole text, `runLengthsWithin` for
 * joined windows) before running the pattern.
 *
 * Lengths are kept as a mask: bit `n - 1` stands for a run of `n` digits, and bit 30 for every
 * run of 31 digits or more. The answer is sound: a stretch counts only when each of its elements
 * matches nothing but digits (`\d`, `[0-9]`, a literal digit, groups of those), it is bounded
 * before by a look-behind that refuses a digit, a word boundary, `^` or an element whose last
 * character is never a digit, and after by a look-ahead that refuses a digit, a word boundary, `$`
 * or an element whose first character is never a digit (an element that may match empty passes
 * the question on to the next); every alternative must have one, and anything this function does
 * not know gives no answer.
 */
import type { Alternative, Element, Node } from '@eslint-community/regexpp/ast';
import type { TextWindow } from '../types.js';
import { parseRegex } from './regex-ast.js';

/** The bit of the longest runs: every run of this many digits or more sets it. */
const LONG = 31;
/** Alternatives a pattern may expand into when its groups are distributed; more give no answer. */
const MAX_SEQUENCES = 64;

/**
 * The mask of run lengths every match of `regex` holds one of, or 0 when nothing is known.
 *
 * @example
 * ```ts
 * digitRunLengths(/(?<!\w)\d{9}(?!\w)/); // 1 << 8
 * digitRunLengths(/\b\d{3}-\d{4}\b/); // 1 << 3 (the rarer of the two runs)
 * digitRunLengths(/\d{9}/); // 0
 * ```
 */
export function digitRunLengths(regex: RegExp): number {
  // Classes of strings (`v`) may match empty strings; this reading does not know them.
  if (regex.flags.includes('v')) return 0;
  const pattern = parseRegex(regex);
  if (pattern === undefined) return 0;
  const sequences = expand(pattern.alternatives.map((alternative) => alternative.elements));
  if (sequences === undefined) return 0;
  let mask = 0;
  for (const sequence of sequences) {
    const lengths = ofSequence(sequence);
    if (lengths === 0) return 0;
    mask |= lengths;
  }
  return mask;
}

/**
 * The mask of the lengths of the whole digit runs of `text` (see `digitRunLengths`).
 *
 * @example
 * ```ts
 * runLengthMask('call 555 0100'); // (1 << 2) | (1 << 3)
 * ```
 */
export function runLengthMask(text: string): number {
  let mask = 0;
  let run = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 0x30 && code <= 0x39) run++;
    else if (run > 0) {
      mask |= lengthBit(run);
      run = 0;
    }
  }
  return run > 0 ? mask | lengthBit(run) : mask;
}

/**
 * The mask of the lengths of the whole digit runs of the windows of a text laid end to end
 * (`joinWindows`), read from the text's digit runs: a run of the joined text is a run of the text
 * cut by the window it lies in. One step per run and window, where `runLengthMask` reads every
 * character of the joined text.
 *
 * @example
 * ```ts
 * runLengthsWithin([0, 3, 10, 14], [{ start: 0, end: 12 }]); // (1 << 2) | (1 << 1)
 * ```
 */
export function runLengthsWithin(digitRuns: readonly number[], windows: readonly TextWindow[]): number {
  let mask = 0;
  let w = 0;
  for (let k = 0; k < digitRuns.length; k += 2) {
    const start = digitRuns[k]!;
    const end = digitRuns[k + 1]!;
    while (w < windows.length && windows[w]!.end <= start) w++;
    for (let v = w; v < windows.length && windows[v]!.start < end; v++) {
      const length = Math.min(end, windows[v]!.end) - Math.max(start, windows[v]!.start);
      if (length > 0) mask |= lengthBit(length);
    }
  }
  return mask;
}

/**
 * The bit of a run of `length` digits.
 *
 * @example
 * ```ts
 * lengthBit(9); // 1 << 8
 * lengthBit(40); // 1 << 30
 * ```
 */
export function lengthBit(length: number): number {
  return 1 << (Math.min(length, LONG) - 1);
}

/** The bits of every length in `[min, max]` (`max` may be Infinity). */
function lengthBits(min: number, max: number): number {
  let mask = 0;
  for (let length = Math.min(min, LONG); length <= Math.min(max, LONG); length++) mask |= lengthBit(length);
  return mask;
}

/**
 * The sequences of elements the alternatives stand for once every unquantified group is opened
 * (a group of several alternatives gives one sequence per alternative), or undefined past
 * `MAX_SEQUENCES`.
 */
function expand(alternatives: readonly (readonly Element[])[]): (readonly Element[])[] | undefined {
  const done: (readonly Element[])[] = [];
  const pending = [...alternatives];
  while (pending.length > 0) {
    const sequence = pending.pop()!;
    const at = sequence.findIndex((e) => e.type === 'Group' || e.type === 'CapturingGroup');
    if (at < 0) {
      done.push(sequence);
      if (done.length > MAX_SEQUENCES) return undefined;
      continue;
    }
    const group = sequence[at] as Element & { alternatives: readonly Alternative[] };
    for (const alternative of group.alternatives)
      pending.push([...sequence.slice(0, at), ...alternative.elements, ...sequence.slice(at + 1)]);
    if (pending.length + done.length > MAX_SEQUENCES) return undefined;
  }
  return done;
}

/**
 * The most selective bounded stretch of the sequence (the fewest lengths, then the longest), as
 * a mask, or 0 when it has none.
 */
function ofSequence(elements: readonly Element[]): number {
  let best = 0;
  let bestCount = Infinity;
  for (let start = 0; start < elements.length; start++) {
    if (digitSpan(elements[start]!) === undefined || !boundedBefore(elements, start)) continue;
    let min = 0;
    let max = 0;
    let end = start;
    for (; end < elements.length; end++) {
      const span = digitSpan(elements[end]!);
      if (span === undefined) break;
      min += span[0];
      max += span[1];
    }
    if (min === 0 || !boundedAfter(elements, end)) continue;
    const mask = lengthBits(min, max);
    const count = bitCount(mask);
    // Of two stretches as selective, the longer runs are the rarer in text.
    if (count < bestCount || (count === bestCount && mask > best)) {
      best = mask;
      bestCount = count;
    }
  }
  return best;
}

/** True when the character before `elements[at]` is never a digit. */
function boundedBefore(elements: readonly Element[], at: number): boolean {
  for (let k = at - 1; k >= 0; k--) {
    const element = elements[k]!;
    if (element.type === 'Assertion') {
      if (element.kind === 'start' || (element.kind === 'word' && !element.negate)) return true;
      if (element.kind === 'lookbehind' && element.negate && refusesDigit(element.alternatives)) return true;
      if (element.kind === 'lookbehind' && !element.negate && element.alternatives.every(endsWithNonDigit))
        return true;
      // A look-ahead consumes nothing: the character before is still the one before it.
      if (element.kind === 'lookahead') continue;
      return false;
    }
    if (!edgeNonDigit(element, false)) return false;
    // An element ending in a non-digit decides; an empty match of it leaves it to the one before.
    if (minLength(element) > 0) return true;
  }
  return false;
}

/** True when the character after `elements[at - 1]` is never a digit (or there is none). */
function boundedAfter(elements: readonly Element[], at: number): boolean {
  for (let k = at; k < elements.length; k++) {
    const element = elements[k]!;
    if (element.type === 'Assertion') {
      if (element.kind === 'end' || (element.kind === 'word' && !element.negate)) return true;
      if (element.kind === 'lookahead' && element.negate && refusesDigit(element.alternatives)) return true;
      if (element.kind === 'lookahead' && !element.negate && element.alternatives.every(startsWithNonDigit))
        return true;
      if (element.kind === 'lookbehind') continue;
      return false;
    }
    if (!edgeNonDigit(element, true)) return false;
    // An element starting with a non-digit decides; an empty match of it leaves it to the next.
    if (minLength(element) > 0) return true;
  }
  return false;
}

/** True when a negative look-around of these alternatives refuses every digit next to it. */
function refusesDigit(alternatives: readonly Alternative[]): boolean {
  return alternatives.some((a) => a.elements.length === 1 && matchesEveryDigit(a.elements[0]!));
}

/** True when the alternative consumes a character and its first is never a digit. */
function startsWithNonDigit(alternative: Alternative): boolean {
  return sequenceMinLength(alternative.elements) > 0 && sequenceEdgeNonDigit(alternative.elements, true);
}

/** True when the alternative consumes a character and its last is never a digit. */
function endsWithNonDigit(alternative: Alternative): boolean {
  return sequenceMinLength(alternative.elements) > 0 && sequenceEdgeNonDigit(alternative.elements, false);
}

/**
 * True when no non-empty match of `node` starts (`first`) or ends (otherwise) with a digit.
 * Unknown nodes (back-references among them) answer false.
 */
function edgeNonDigit(node: Node, first: boolean): boolean {
  switch (node.type) {
    case 'Character':
    case 'CharacterSet':
    case 'CharacterClass':
      return !mayBeDigit(node);
    case 'Quantifier':
      return edgeNonDigit(node.element, first);
    case 'Group':
    case 'CapturingGroup':
      return node.alternatives.every((alternative) => sequenceEdgeNonDigit(alternative.elements, first));
    default:
      return false;
  }
}

/**
 * True when the first (or last) character a sequence consumes is never a digit: elements that
 * may match empty pass the question on to the next; a sequence that may consume nothing passes.
 */
function sequenceEdgeNonDigit(elements: readonly Element[], first: boolean): boolean {
  for (let n = 0; n < elements.length; n++) {
    const element = elements[first ? n : elements.length - 1 - n]!;
    if (element.type === 'Assertion') continue;
    if (!edgeNonDigit(element, first)) return false;
    if (minLength(element) > 0) return true;
  }
  return true;
}

/** The fewest characters `node` consumes (0 for assertions and back-references). */
function minLength(node: Node): number {
  switch (node.type) {
    case 'Character':
      return 1;
    case 'CharacterSet':
    case 'CharacterClass':
      // A class of strings (the `v` flag) may match the empty string.
      return 'strings' in node && node.strings ? 0 : 1;
    case 'Quantifier':
      return node.min * minLength(node.element);
    case 'Group':
    case 'CapturingGroup':
      return Math.min(...node.alternatives.map((alternative) => sequenceMinLength(alternative.elements)));
    default:
      return 0;
  }
}

function sequenceMinLength(elements: readonly Element[]): number {
  let length = 0;
  for (const element of elements) length += minLength(element);
  return length;
}

/** `[min, max]` digits when the element matches nothing but ASCII digits, else undefined. */
function digitSpan(node: Node): [number, number] | undefined {
  switch (node.type) {
    case 'Character':
      return isDigit(node.value) ? [1, 1] : undefined;
    case 'CharacterSet':
      return node.kind === 'digit' && !node.negate ? [1, 1] : undefined;
    case 'CharacterClass':
      return !node.negate && node.elements.length > 0 && node.elements.every(onlyDigits) ? [1, 1] : undefined;
    case 'Quantifier': {
      const inner = digitSpan(node.element);
      return inner === undefined ? undefined : [inner[0] * node.min, inner[1] * node.max];
    }
    case 'Group':
    case 'CapturingGroup': {
      if (node.alternatives.length !== 1) return undefined;
      let min = 0;
      let max = 0;
      for (const element of node.alternatives[0]!.elements) {
        const span = digitSpan(element);
        if (span === undefined) return undefined;
        min += span[0];
        max += span[1];
      }
      return [min, max];
    }
    default:
      return undefined;
  }
}

function onlyDigits(node: Node): boolean {
  switch (node.type) {
    case 'Character':
      return isDigit(node.value);
    case 'CharacterClassRange':
      return isDigit(node.min.value) && isDigit(node.max.value);
    case 'CharacterSet':
      return node.kind === 'digit' && !node.negate;
    default:
      return false;
  }
}

/** True when a single character matched by `node` can be an ASCII digit (unknown nodes: true). */
function mayBeDigit(node: Node): boolean {
  switch (node.type) {
    case 'Character':
      return isDigit(node.value);
    case 'CharacterSet':
      if (node.kind === 'digit' || node.kind === 'word') return !node.negate;
      if (node.kind === 'space') return node.negate;
      if (node.kind === 'property' && !node.negate && !node.strings)
        return !(node.key === 'General_Category' && /^(?:L|Lu|Ll|Lt|Lm|Lo|P|S|Z|Zs)$/.test(node.value ?? ''));
      return true;
    case 'CharacterClass':
      return node.negate || node.elements.some(mayBeDigit);
    case 'CharacterClassRange':
      return node.min.value <= 0x39 && node.max.value >= 0x30;
    default:
      return true;
  }
}

/** True when the single-character element matches every ASCII digit. */
function matchesEveryDigit(node: Node): boolean {
  switch (node.type) {
    case 'CharacterSet':
      if (node.kind === 'any') return true;
      if (node.negate) return false;
      if (node.kind === 'digit' || node.kind === 'word') return true;
      return (
        node.kind === 'property' &&
        !node.strings &&
        ((node.key === 'General_Category' && /^(?:N|Nd|Number|Decimal_Number)$/.test(node.value ?? '')) ||
          node.key === 'N' ||
          node.key === 'Nd')
      );
    case 'CharacterClass':
      return !node.negate && node.elements.some(matchesEveryDigit);
    case 'CharacterClassRange':
      return node.min.value <= 0x30 && node.max.value >= 0x39;
    default:
      return false;
  }
}

function isDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}

function bitCount(mask: number): number {
  let count = 0;
  for (let bits = mask; bits !== 0; bits &= bits - 1) count++;
  return count;
}
