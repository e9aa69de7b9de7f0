import type { Finding } from '../../engine/types.js';
import type { Box, Document } from '../model.js';
import { locate, type DocumentText, type PageBox } from '../text.js';

/**
 * The margin a burned-in box gets around a word, in the page's units: points for PDF, pixels for
 * images (2 units suit both; a pixel is smaller than a point, so images get a little more).
 */
export function redactionMargin(doc: Document): number {
  return doc.format === 'pdf' ? 1.5 : 3;
}

/**
 * A word box grown by `margin` plus a tenth of its height: a word box estimated from a text layer
 * or OCR can miss a glyph's edge by a point or two.
 *
 * @example
 * ```ts
 * growBox({ x: 10, y: 10, width: 50, height: 10 }, 2); // { x: 7, y: 7, width: 56, height: 16 }
 * ```
 */
export function growBox<B extends Box>(box: B, margin: number): B {
  const grow = margin + box.height * 0.1;
  return {
    ...box,
    x: box.x - grow,
    y: box.y - grow,
    width: box.width + 2 * grow,
    height: box.height + 2 * grow,
  };
}

/**
 * The word boxes of one finding, on whatever pages it touches, each grown by `growBox`.
 *
 * @example
 * ```ts
 * findingBoxes(doc, dt, finding, 1.5); // [{ page: 1, x: 70.1, y: 88.1, width: 84.2, height: 17.8 }]
 * ```
 */
export function findingBoxes(
  doc: Document,
  dt: DocumentText,
  finding: Pick<Finding, 'start' | 'end'>,
  margin: number,
): PageBox[] {
  return locate(dt, doc, finding).boxes.map((box) => growBox(box, margin));
}

/**
 * Groups the boxes of every finding by 1-based page number, each box grown by `growBox`.
 *
 * @example
 * ```ts
 * const boxes = boxesByPage(doc, dt, findings, 2); // Map { 1 => [{ x, y, width, height }] }
 * ```
 */
export function boxesByPage(
  doc: Document,
  dt: DocumentText,
  findings: readonly Finding[],
  margin: number,
): Map<number, Box[]> {
  const pages = new Map<number, Box[]>();
  for (const finding of findings) {
    for (const { page, ...box } of findingBoxes(doc, dt, finding, margin)) {
      const list = pages.get(page) ?? [];
      list.push(box);
      pages.set(page, list);
    }
  }
  return pages;
}
