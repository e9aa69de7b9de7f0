import { shiftFinding, type Finding, type TextWindow } from '../types.js';

/**
 * The windows of one trigger laid end to end in a single string, separated by blank lines, so a
 * recognizer scans them with one regular-expression pass instead of one call per window.
 * Windows are snapped to whitespace, so a pattern sees the same boundaries as in the original.
 */
export interface JoinedWindows {
  readonly text: string;
  /** Start of each window in `text`, ascending. */
  readonly joinedStarts: readonly number[];
  /** Start of each window in the original text. */
  readonly originalStarts: readonly number[];
}

const SEPARATOR = '\n\n';

/**
 * Joins the windows of `text`. With one window covering the whole text, no copy is made.
 *
 * @example
 * ```ts
 * joinWindows('a 1 b c 2 d', [{ start: 0, end: 3 }, { start: 8, end: 11 }]).text; // 'a 1\n\nc 2 d'
 * ```
 */
export function joinWindows(text: string, windows: readonly TextWindow[]): JoinedWindows {
  if (windows.length === 1 && windows[0]!.start === 0 && windows[0]!.end === text.length)
    return { text, joinedStarts: [0], originalStarts: [0] };
  const parts: string[] = [];
  const joinedStarts: number[] = [];
  const originalStarts: number[] = [];
  let at = 0;
  for (const window of windows) {
    joinedStarts.push(at);
    originalStarts.push(window.start);
    parts.push(text.slice(window.start, window.end));
    at += window.end - window.start + SEPARATOR.length;
  }
  return { text: parts.join(SEPARATOR), joinedStarts, originalStarts };
}

/**
 * Maps a finding from joined coordinates back to the original text. A match that runs across
 * a separator joined two distant windows, so it is not a real match and is dropped.
 */
export function mapToOriginal(joined: JoinedWindows, finding: Finding): Finding | undefined {
  const index = windowIndex(joined.joinedStarts, finding.start);
  if (index !== windowIndex(joined.joinedStarts, finding.end - 1)) return undefined;
  const shift = joined.originalStarts[index]! - joined.joinedStarts[index]!;
  return shift === 0 ? finding : shiftFinding(finding, shift);
}

function windowIndex(starts: readonly number[], offset: number): number {
  let low = 0;
  let high = starts.length - 1;
  while (low < high) {
    const mid = (low + high + 1) >>> 1;
    if (starts[mid]! <= offset) low = mid;
    else high = mid - 1;
  }
  return low;
}
