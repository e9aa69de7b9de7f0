import type { TextWindow, Trigger } from '../types.js';

const WHITESPACE = /\s/;

/** Moves `index` left until the character before it is whitespace (or the text starts). */
function snapLeft(text: string, index: number, limit: number): number {
  let i = index;
  while (i > 0 && i > limit && !WHITESPACE.test(text[i - 1] ?? ' ')) i--;
  return i;
}

/** Moves `index` right until the character at it is whitespace (or the text ends). */
function snapRight(text: string, index: number, limit: number): number {
  let i = index;
  while (i < text.length && i < limit && !WHITESPACE.test(text[i] ?? ' ')) i++;
  return i;
}

/**
 * The windows of `text` that a trigger selects: each hit widened by the trigger's margin,
 * snapped outward to whitespace (so `\b` and look-arounds behave as on the whole text), and
 * merged when they touch. Snapping is bounded so a text without whitespace stays linear.
 *
 * @example
 * ```ts
 * windowsFor('call 555-0100 now', TRIGGERS.digit); // [{ start: 0, end: 17 }]
 * ```
 */
export function windowsFor(text: string, trigger: Trigger): TextWindow[] {
  if (trigger.kind === 'all') return text.length === 0 ? [] : [{ start: 0, end: text.length }];
  const pattern = new RegExp(trigger.pattern.source, trigger.pattern.flags.includes('g') ? trigger.pattern.flags : `${trigger.pattern.flags}g`);
  const margin = trigger.margin;
  const windows: TextWindow[] = [];
  let currentStart = -1;
  let currentEnd = -1;
  for (let match = pattern.exec(text); match !== null; match = pattern.exec(text)) {
    if (match[0].length === 0) pattern.lastIndex++;
    const hitStart = match.index;
    const hitEnd = match.index + match[0].length;
    if (currentStart >= 0 && hitStart - margin <= currentEnd) {
      currentEnd = Math.max(currentEnd, Math.min(text.length, hitEnd + margin));
      continue;
    }
    if (currentStart >= 0) windows.push(snap(text, currentStart, currentEnd, margin));
    currentStart = Math.max(0, hitStart - margin);
    currentEnd = Math.min(text.length, hitEnd + margin);
  }
  if (currentStart >= 0) windows.push(snap(text, currentStart, currentEnd, margin));
  return mergeTouching(windows);
}

function snap(text: string, start: number, end: number, margin: number): TextWindow {
  return { start: snapLeft(text, start, start - margin), end: snapRight(text, end, end + margin) };
}

function mergeTouching(windows: TextWindow[]): TextWindow[] {
  const merged: TextWindow[] = [];
  for (const window of windows) {
    const last = merged[merged.length - 1];
    if (last && window.start <= last.end) merged[merged.length - 1] = { start: last.start, end: Math.max(last.end, window.end) };
    else merged.push(window);
  }
  return merged;
}
