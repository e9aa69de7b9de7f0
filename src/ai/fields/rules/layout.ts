import type { Box, Document } from '../../../documents/model.js';
import { walkJson } from '../../../documents/text.js';

/** A word of a layout line: its offsets in the line's text, its box and its OCR confidence (1 for text layers). */
export interface LayoutWord {
  readonly start: number;
  readonly end: number;
  readonly box: Box | null;
  readonly confidence: number;
  /** Per character, the OCR model's doubt that it is the letter or digit read (`Word.doubts`); absent without one. */
  readonly doubts?: readonly number[];
}

/** One line of a document as the extractor reads it: its text, its words and where it sits on its page. */
export interface LayoutLine {
  /** 1-based page number, or null for lines made from CSV cells or JSON values. */
  readonly page: number | null;
  readonly text: string;
  readonly words: readonly LayoutWord[];
  readonly box: Box | null;
  /** Where the line sits in its page's printed text, 0 at the top word and 1 at the bottom one (by line order when there is no geometry). */
  readonly depth: number;
  /** The line's index among its page's lines. */
  readonly row: number;
}

/** The smallest box holding all of `boxes`, or null when none has geometry. */
export function unionBox(boxes: readonly (Box | null)[]): Box | null {
  const real = boxes.filter((b): b is Box => b !== null);
  if (real.length === 0) return null;
  const x = Math.min(...real.map((b) => b.x));
  const y = Math.min(...real.map((b) => b.y));
  const right = Math.max(...real.map((b) => b.x + b.width));
  const bottom = Math.max(...real.map((b) => b.y + b.height));
  return { x, y, width: right - x, height: bottom - y };
}

/** The vertical extent of a page's words (top and height), or null without boxes. */
function textSpan(lines: Document['pages'][number]['lines']): { top: number; height: number } | null {
  let [top, bottom] = [Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY];
  for (const line of lines)
    for (const word of line.words)
      if (word.box && word.text.trim()) {
        top = Math.min(top, word.box.y);
        bottom = Math.max(bottom, word.box.y + word.box.height);
      }
  return bottom > top ? { top, height: bottom - top } : null;
}

/**
 * The document as lines: page lines with their words and boxes; CSV cells and JSON values as
 * `column: value` lines, so a column or key name serves as a label as a printed one does.
 *
 * @example
 * ```ts
 * layoutLines(doc)[0]; // { page: 1, text: 'TOTAL RM 9.00', words: [...], box: {...}, depth: 0.62, row: 20 }
 * ```
 */
export function layoutLines(doc: Document): LayoutLine[] {
  const lines: LayoutLine[] = [];
  for (const page of doc.pages) {
    // Depth runs over the printed text, not the whole page: a receipt photographed with table
    // around it starts well down the image, and its letterhead is still its top.
    const span = textSpan(page.lines);
    page.lines.forEach((line, row) => {
      let text = '';
      const words: LayoutWord[] = [];
      line.words.forEach((word, i) => {
        if (i > 0 && word.spaceBefore) text += ' ';
        words.push({
          start: text.length,
          end: text.length + word.text.length,
          box: word.box,
          confidence: word.confidence ?? 1,
          ...(word.doubts ? { doubts: word.doubts } : {}),
        });
        text += word.text;
      });
      const box = unionBox(words.map((w) => w.box));
      const depth =
        box && span
          ? Math.min(1, Math.max(0, (box.y + box.height / 2 - span.top) / span.height))
          : page.lines.length > 1
            ? row / (page.lines.length - 1)
            : 0;
      if (text.trim()) lines.push({ page: page.number, text, words, box, depth, row });
    });
  }
  const plain = (text: string, row: number, count: number): LayoutLine => ({
    page: null,
    text,
    words: [{ start: 0, end: text.length, box: null, confidence: 1 }],
    box: null,
    depth: count > 1 ? row / (count - 1) : 0,
    row,
  });
  const extra: string[] = [];
  for (const table of doc.tables)
    for (const cells of table.rows)
      cells.forEach((cell, c) => extra.push(table.columns[c] ? `${table.columns[c]}: ${cell}` : cell));
  for (const set of doc.records)
    for (const value of set.values)
      walkJson(value, [], (leaf, path) => {
        const key = [...path].reverse().find((k) => typeof k === 'string');
        extra.push(key !== undefined ? `${key.replace(/[_-]+/g, ' ')}: ${leaf}` : leaf);
      });
  extra.forEach((text, row) => lines.push(plain(text, row, extra.length)));
  return lines;
}

/**
 * How surely OCR read every letter and digit of a range of a line: the product, over its
 * characters, of one less the model's doubt that each is what it read (`Word.doubts`), so one
 * doubtful letter among many sure ones shows where a mean of confidences hides it. 1 where the
 * words carry no doubts (text layers, tesseract).
 *
 * @example
 * ```ts
 * readingSureness(line, 0, line.text.length); // 0.83 for a line holding 'U13/EG' with an E the model also saw as a B
 * ```
 */
export function readingSureness(line: LayoutLine, start: number, end: number): number {
  let sure = 1;
  for (const word of wordsIn(line, start, end)) {
    if (!word.doubts) continue;
    const from = Math.max(start, word.start) - word.start;
    const to = Math.min(end, word.end) - word.start;
    for (let k = from; k < to; k++) sure *= 1 - (word.doubts[k] ?? 0);
  }
  return sure;
}

/** The words of a line a range of its text touches. */
export function wordsIn(line: LayoutLine, start: number, end: number): LayoutWord[] {
  return line.words.filter((w) => w.end > start && w.start < end);
}

/**
 * Lines on the same page whose box shares most of its height with `line`'s and starts right of `x`
 * (an amount printed in a column right of its label).
 *
 * @example
 * ```ts
 * sameRow(lines, 12, 180); // [13]: the line at the right of line 12 on its row
 * ```
 */
export function sameRow(lines: readonly LayoutLine[], index: number, x: number): number[] {
  const line = lines[index]!;
  if (!line.box) return [];
  const { y, height } = line.box;
  return lines.flatMap((other, j) => {
    if (j === index || other.page !== line.page || !other.box || other.box.x < x - 2) return [];
    const overlap = Math.min(y + height, other.box.y + other.box.height) - Math.max(y, other.box.y);
    return overlap > 0.5 * Math.min(height, other.box.height) ? [j] : [];
  });
}

/** The OCR confidence below which a word is taken for a speck or a smudge, not a print. */
const SPECK_CONFIDENCE = 0.1;

/**
 * A line's text without the specks OCR read at its ends: words of one or two characters that OCR
 * itself gives (almost) no confidence (`To NO.59 JALAN ’` reads `NO.59 JALAN`). Words inside
 * the line stay: a gap in an address is worse than a misread letter. `leadingBelow` raises the
 * confidence under which a short word opening the line counts as a speck (a name's line, where a
 * short word that OCR doubts is rarely part of the name); `trailingBelow` does the same for a short
 * word closing it (the last line of an address: `SELANGOR DARUL EHSAN U`).
 *
 * @example
 * ```ts
 * trustedText(line); // 'NO.59 JALAN PERMAS 9/5' for 'To NO.59 JALAN PERMAS 9/5 ’'
 * ```
 */
export function trustedText(
  line: LayoutLine,
  leadingBelow = SPECK_CONFIDENCE,
  trailingBelow = SPECK_CONFIDENCE,
): string {
  const speck = (w: LayoutWord, below: number): boolean =>
    w.confidence < below && line.text.slice(w.start, w.end).replace(/[^\p{L}\p{N}]/gu, '').length <= 2;
  let [first, last] = [0, line.words.length - 1];
  while (first <= last && speck(line.words[first]!, Math.max(leadingBelow, SPECK_CONFIDENCE))) first++;
  while (last >= first && speck(line.words[last]!, Math.max(trailingBelow, SPECK_CONFIDENCE))) last--;
  if (first > last) return '';
  return line.text.slice(line.words[first]!.start, line.words[last]!.end);
}
