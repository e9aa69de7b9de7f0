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
  const windows = new Windows(text, trigger.margin);
  if (trigger.kind === 'digitRun') {
    const hits = runs ?? textRuns(text).digitRuns;
    for (let k = 0; k < hits.length; k += 2)
      if (hits[k + 1]! - hits[k]! >= trigger.minRun) windows.hit(hits[k]!, hits[k + 1]!);
    return windows.done();
  }
  const pattern = globalPattern(trigger.pattern);
  pattern.lastIndex = 0;
  for (let match = pattern.exec(text); match !== null; match = pattern.exec(text)) {
    if (match[0].length === 0) pattern.lastIndex++;
    windows.hit(match.index, match.index + match[0].length);
  }
  return windows.done();
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

/** Hits widened by a margin and merged as they come (hits arrive in text order). */
class Windows {
  private readonly found: TextWindow[] = [];
  private currentStart = -1;
  private currentEnd = -1;

  constructor(
    private readonly text: string,
    private readonly margin: number,
  ) {}

  hit(hitStart: number, hitEnd: number): void {
    const { margin, text } = this;
    if (this.currentStart >= 0 && hitStart - margin <= this.currentEnd) {
      this.currentEnd = Math.max(this.currentEnd, Math.min(text.length, hitEnd + margin));
      return;
    }
    if (this.currentStart >= 0) this.found.push(snap(text, this.currentStart, this.currentEnd, margin));
    this.currentStart = Math.max(0, hitStart - margin);
    this.currentEnd = Math.min(text.length, hitEnd + margin);
  }

  done(): TextWindow[] {
    if (this.currentStart >= 0)
      this.found.push(snap(this.text, this.currentStart, this.currentEnd, this.margin));
    return mergeTouching(this.found);
  }
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
