import { createCanvas } from '@napi-rs/canvas';
import type { PDFPageProxy } from 'pdfjs-dist/legacy/build/pdf.mjs';
import type { Box, Line, Word } from '../model.js';

interface TextItem {
  str: string;
  transform: number[];
  width: number;
  height: number;
  hasEOL: boolean;
}

// Relative glyph widths of a sans-serif font place word boxes inside a run far better than counting
// characters ("iii" vs "WWW"); the run's true width from pdf.js scales them.
const measure = createCanvas(1, 1).getContext('2d');
measure.font = '10px sans-serif';
const widthOf = (text: string): number => measure.measureText(text).width || text.length * 5;

type Matrix = readonly number[];
const apply = (m: Matrix, x: number, y: number): [number, number] => [
  m[0]! * x + m[2]! * y + m[4]!,
  m[1]! * x + m[3]! * y + m[5]!,
];

/** The box (viewport space: points, top-left origin) of the part of a run from fraction a to b. */
function runBox(item: TextItem, viewportTransform: Matrix, a: number, b: number): Box {
  const [ta, tb, tc, td, te, tf] = item.transform as [number, number, number, number, number, number];
  const along = Math.hypot(ta, tb) || 1;
  const up = Math.hypot(tc, td) || item.height || 1;
  const dir: [number, number] = [ta / along, tb / along];
  const norm: [number, number] = [tc / (Math.hypot(tc, td) || 1), td / (Math.hypot(tc, td) || 1)];
  const xs: number[] = [];
  const ys: number[] = [];
  // From a little below the baseline (descenders) to the top of the em box.
  for (const u of [a * item.width, b * item.width])
    for (const v of [-0.25 * up, up]) {
      const [px, py] = apply(viewportTransform, te + u * dir[0] + v * norm[0], tf + u * dir[1] + v * norm[1]);
      xs.push(px);
      ys.push(py);
    }
  const x = Math.min(...xs);
  const y = Math.min(...ys);
  return { x, y, width: Math.max(...xs) - x, height: Math.max(...ys) - y };
}

/**
 * Reads a page's text layer into lines of words with boxes in points (top-left origin, rotation
 * and crop box applied). Runs that continue a word without a gap are joined without a space, so
 * "Jo" + "hn" stays "John" for detection. Filled form fields and annotation contents are read too:
 * they are drawn on the page and may hold personal data.
 *
 * @example
 * ```ts
 * const lines = await textLayerLines(page);
 * ```
 */
export async function textLayerLines(page: PDFPageProxy): Promise<Line[]> {
  const viewport = page.getViewport({ scale: 1 });
  const content = await page.getTextContent();
  const lines: Word[][] = [];
  let current: Word[] = [];
  let lastBaseline = Number.NaN;
  let lastRight = Number.NaN;
  let breakAfter = false;
  let lastEndsWithSpace = false;

  for (const raw of content.items) {
    if (!('str' in raw)) continue;
    const item = raw as TextItem;
    if (item.str.length === 0) {
      if (item.hasEOL) breakAfter = true;
      continue;
    }
    const whole = runBox(item, viewport.transform, 0, 1);
    const fontSize = Math.max(whole.height / 1.25, 1);
    const baseline = whole.y + whole.height;
    if (
      current.length > 0 &&
      (breakAfter || Math.abs(baseline - lastBaseline) > fontSize * 0.5 || whole.x < lastRight - fontSize)
    ) {
      lines.push(current);
      current = [];
    }
    const gap = whole.x - lastRight;
    let spaceBefore =
      current.length > 0 && (lastEndsWithSpace || /^\s/.test(item.str) || gap > fontSize * 0.15);
    const total = widthOf(item.str);
    for (const match of item.str.matchAll(/\S+/g)) {
      const start = widthOf(item.str.slice(0, match.index)) / total;
      const end = widthOf(item.str.slice(0, match.index + match[0].length)) / total;
      current.push({ text: match[0], box: runBox(item, viewport.transform, start, end), spaceBefore });
      spaceBefore = true;
    }
    lastEndsWithSpace = /\s$/.test(item.str);
    lastBaseline = baseline;
    lastRight = whole.x + whole.width;
    breakAfter = item.hasEOL;
  }
  if (current.length > 0) lines.push(current);

  for (const annotation of (await page.getAnnotations()) as {
    fieldValue?: unknown;
    contentsObj?: { str?: unknown };
    rect?: number[];
  }[]) {
    const texts = [annotation.fieldValue, annotation.contentsObj?.str].filter(
      (t): t is string => typeof t === 'string' && t.trim().length > 0,
    );
    if (texts.length === 0 || !annotation.rect || annotation.rect.length !== 4) continue;
    const [x1, y1, x2, y2] = viewport.convertToViewportRectangle(annotation.rect) as [
      number,
      number,
      number,
      number,
    ];
    const box = {
      x: Math.min(x1, x2),
      y: Math.min(y1, y2),
      width: Math.abs(x2 - x1),
      height: Math.abs(y2 - y1),
    };
    for (const text of texts)
      lines.push(
        text
          .split(/\s+/)
          .filter(Boolean)
          .map((w, i) => ({ text: w, box, spaceBefore: i > 0 })),
      );
  }
  return lines.map((words) => ({ words }));
}

/**
 * Share of replacement and control characters above which a text layer is a broken font encoding.
 * Sound text layers hold none; a font whose codes are not Unicode extracts as shifted letters with
 * a control character for every space ("3HQČåQt\u0003SURVWĜHGN" for "Peněžní prostředky"), about
 * one character in ten.
 */
const MAX_UNREADABLE_SHARE = 0.05;

/**
 * True when a text layer carries too little readable text to trust, so the page is OCR'd instead:
 * scans (no text), or broken font encodings that extract as replacement and control characters.
 * Redaction depends on it: PII on a page whose text layer is garbage would otherwise go unseen,
 * and the page would keep its original, readable drawing.
 */
export function needsOcr(lines: readonly Line[]): boolean {
  const text = lines.map((l) => l.words.map((w) => w.text).join('')).join('');
  if (text.length < 3) return true;
  let unreadable = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 0xfffd || (code < 32 && code !== 9)) unreadable++;
  }
  return unreadable / text.length > MAX_UNREADABLE_SHARE;
}
