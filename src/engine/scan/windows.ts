import type { TextWindow, Trigger } from '../types.js';
import { textRuns } from './text-runs.js';

/**
 * True when the UTF-16 code unit is one that `\s` matches (white space and line terminators), told
 * without a regex call per character.
 *
 * @example
 * ```ts
 * isSpaceCode(0x20); // true
 * isSpaceCode(0x41); // false
 * ```
 */
export function isSpaceCode(code: number): boolean {
  if (code <= 0x20) return code === 0x20 || (code >= 0x09 && code <= 0x0d);
  if (code < 0xa0) return false;
  return (
    code === 0xa0 ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000 ||
    code === 0xfeff
  );
}

/** Moves `index` left until the character before it is whitespace (or the text starts). */
function snapLeft(text: string, index: number, limit: number): number {
  let i = index;
  while (i > 0 && i > limit && !isSpaceCode(text.charCodeAt(i - 1))) i--;
  return i;
}

/** Moves `index` right until the character at it is whitespace (or the text ends). */
function snapRight(text: string, index: number, limit: number): number {
  let i = index;
  while (i < text.length && i < limit && !isSpaceCode(text.charCodeAt(i))) i++;
  return i;
}

/**
 * The runs of ASCII digits in a text as `[start, end, start, end, ...]`: one scan serves every
 * digit trigger of an analysis (see `textRuns`).
 */
export type DigitRuns = readonly number[];

/**
 * The most digits that any stretch of `span` characters holds, read from the digit runs. A
 * stretch holding the most can always start at a run's first digit (moving its start left within
 * a run never loses a digit), so only those are tried.
 *
 * @example
 * ```ts
 * mostDigitsWithin(textRuns('12 345 6789').digitRuns, 6); // 5 ('345 67')
 * ```
 */
export function mostDigitsWithin(runs: DigitRuns, span: number): number {
  let best = 0;
  let inside = 0; // digits of the whole runs from `first` up to `next`
  let next = 0;
  for (let first = 0; first < runs.length; first += 2) {
    const limit = runs[first]! + span;
    if (next < first) {
      next = first;
      inside = 0;
    }
    while (next < runs.length && runs[next + 1]! <= limit) {
      inside += runs[next + 1]! - runs[next]!;
      next += 2;
    }
    const partial = next < runs.length && runs[next]! < limit ? limit - runs[next]! : 0;
    best = Math.max(best, inside + partial);
    if (next > first) inside -= runs[first + 1]! - runs[first]!;
  }
  return best;
}

/**
 * The windows of `text` that a trigger selects: each hit widened by the trigger's margin,
 * snapped outward to whitespace (so `\b` and look-arounds behave as on the whole text), and
 * merged when they touch. Snapping is bounded so a text without whitespace stays linear. A
 * digit-run trigger reads its hits from `runs` (computed here when not given).
 *
 * @example
 * ```ts
 * windowsFor('call 555-0100 now', TRIGGERS.digit); // [{ start: 0, end: 17 }]
 * ```
 */
export function windowsFor(text: string, trigger: Trigger, runs?: DigitRuns): TextWindow[] {
  if (trigger.kind === 'all') return text.length === 0 ? [] : [{ start: 0, end: text.length }];
  // The hits as `[start, end, ...]`, in text order. No object of a class lives only for one call
  // here: a major GC drops the hidden classes of objects that are all dead by then, and every
  // optimised function that inlined them (the analysis loop among them) was deoptimised and
  // compiled again after each one.
  if (trigger.kind === 'digitRun')
    return widened(text, runs ?? textRuns(text).digitRuns, trigger.margin, trigger.minRun);
  const pattern = globalPattern(trigger.pattern);
  pattern.lastIndex = 0;
  let hits: number[] | undefined;
  for (let match = pattern.exec(text); match !== null; match = pattern.exec(text)) {
    if (match[0].length === 0) pattern.lastIndex++;
    (hits ??= []).push(match.index, match.index + match[0].length);
  }
  return hits === undefined ? [] : widened(text, hits, trigger.margin, 0);
}

const globalPatterns = new WeakMap<RegExp, RegExp>();

/** The trigger's pattern with the global flag, compiled once. */
function globalPattern(pattern: RegExp): RegExp {
  let global = globalPatterns.get(pattern);
  if (global === undefined) {
    global = new RegExp(pattern.source, pattern.flags.includes('g') ? pattern.flags : `${pattern.flags}g`);
    globalPatterns.set(pattern, global);
  }
  return global;
}

/**
 * The hits (`[start, end, ...]`, in text order) at least `minLength` long, widened by `margin`,
 * merged where the widened stretches touch, snapped outward to whitespace, then merged again where
 * the snapped windows touch.
 */
function widened(text: string, hits: readonly number[], margin: number, minLength: number): TextWindow[] {
  const found: TextWindow[] = [];
  let currentStart = -1;
  let currentEnd = -1;
  for (let k = 0; k < hits.length; k += 2) {
    const hitStart = hits[k]!;
    const hitEnd = hits[k + 1]!;
    if (hitEnd - hitStart < minLength) continue;
    if (currentStart >= 0 && hitStart - margin <= currentEnd) {
      currentEnd = Math.max(currentEnd, Math.min(text.length, hitEnd + margin));
      continue;
    }
    if (currentStart >= 0) found.push(snap(text, currentStart, currentEnd, margin));
    currentStart = Math.max(0, hitStart - margin);
    currentEnd = Math.min(text.length, hitEnd + margin);
  }
  if (currentStart >= 0) found.push(snap(text, currentStart, currentEnd, margin));
  return mergeTouching(found);
}

function snap(text: string, start: number, end: number, margin: number): TextWindow {
  return { start: snapLeft(text, start, start - margin), end: snapRight(text, end, end + margin) };
}

function mergeTouching(windows: TextWindow[]): TextWindow[] {
  const merged: TextWindow[] = [];
  for (const window of windows) {
    const last = merged[merged.length - 1];
    if (last && window.start <= last.end)
      merged[merged.length - 1] = { start: last.start, end: Math.max(last.end, window.end) };
    else merged.push(window);
  }
  return merged;
}
