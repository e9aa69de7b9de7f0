import type { LayoutLine } from './layout.js';

/** Where a label (a hint of the spec) was found: its line and its offsets in the line's text. */
export interface LabelHit {
  readonly line: number;
  readonly start: number;
  readonly end: number;
  /** 1 for an exact match; less when OCR misread a letter or two. */
  readonly quality: number;
  /** The hint's rank in the spec (0 first): earlier hints are the more specific ones. */
  readonly rank: number;
}

interface Token {
  readonly text: string;
  readonly start: number;
  readonly end: number;
}

// Characters OCR confuses with letters (digits, bars, a Q for an O), read as the letters labels are written in.
const OCR_LETTERS: Readonly<Record<string, string>> = {
  '0': 'O',
  '1': 'I',
  '5': 'S',
  '8': 'B',
  '6': 'G',
  '|': 'I',
  Q: 'O',
  '!': 'I',
  $: 'S',
};

/** A token upper-cased with digit-for-letter OCR confusions undone, for comparing with label words. */
export function foldToken(text: string): string {
  return [...text.toUpperCase()]
    .map((c) => OCR_LETTERS[c] ?? c)
    .join('')
    .replace(/L/g, 'I');
}

export function tokens(text: string): Token[] {
  return [...text.matchAll(/[\p{L}\p{N}]+/gu)].map((m) => ({
    text: m[0],
    start: m.index,
    end: m.index + m[0].length,
  }));
}

/** Levenshtein distance, bounded: stops early once `max` is exceeded. */
export function editDistance(a: string, b: string, max = 2): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(
        previous[j]! + 1,
        current[j - 1]! + 1,
        previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
      best = Math.min(best, current[j]!);
    }
    if (best > max) return max + 1;
    previous = current;
  }
  return previous[b.length]!;
}

/** How well an OCR'd token reads as a label word: 1 exact, 0.8 one letter off (words of five letters or more), else 0. */
function wordScore(token: string, word: string): number {
  const [a, b] = [foldToken(token), foldToken(word)];
  if (a === b) return 1;
  if (b.length >= 5 && editDistance(a, b, 1) <= 1) return 0.8;
  return 0;
}

/**
 * Every place where one of `labels` is written, word for word (case, punctuation and a misread
 * letter in long words forgiven). Longer labels are matched first and shorter ones do not match
 * inside them, so "Sub Total" is not also a "Total".
 *
 * @example
 * ```ts
 * findLabels(lines, ['Grand Total', 'Total']); // [{ line: 12, start: 0, end: 11, quality: 1, rank: 0 }]
 * ```
 */
export function findLabels(lines: readonly LayoutLine[], labels: readonly string[]): LabelHit[] {
  const hits: LabelHit[] = [];
  const order = labels
    .map((label, rank) => ({ words: tokens(label).map((t) => t.text), rank }))
    .filter((l) => l.words.length > 0)
    .sort((a, b) => b.words.length - a.words.length);
  lines.forEach((line, index) => {
    const toks = tokens(line.text);
    const taken = new Array<boolean>(toks.length).fill(false);
    for (const { words, rank } of order) {
      for (let i = 0; i + words.length <= toks.length; i++) {
        if (taken.slice(i, i + words.length).some(Boolean)) continue;
        let quality = 1;
        for (let k = 0; k < words.length && quality > 0; k++)
          quality = Math.min(quality, wordScore(toks[i + k]!.text, words[k]!));
        if (quality === 0) continue;
        for (let k = 0; k < words.length; k++) taken[i + k] = true;
        hits.push({
          line: index,
          start: toks[i]!.start,
          end: toks[i + words.length - 1]!.end,
          quality,
          rank,
        });
      }
    }
  });
  return hits;
}

/**
 * Whether a label hit is spoilt by a disqualifying label on its line that overlaps it or
 * touches it ("Total" in "Total Qty", "Sub Total", "GST Total").
 */
export function spoilt(hit: LabelHit, spoilers: readonly LabelHit[], line: LayoutLine): boolean {
  return spoilers.some((s) => {
    if (s.line !== hit.line) return false;
    // A disqualifier inside the label itself ("GST" in "Inclusive of GST") does not spoil it.
    if (s.start >= hit.start && s.end <= hit.end) return false;
    if (s.start < hit.end && s.end > hit.start) return true;
    const between =
      s.start >= hit.end ? line.text.slice(hit.end, s.start) : line.text.slice(s.end, hit.start);
    return /^[\s():.\-/]*$/.test(between);
  });
}
