import type { Finding } from '../../engine/types.js';
import type { Box, Document } from '../model.js';
import { locate, type DocumentText } from '../text.js';

/**
 * Groups the boxes of every finding by 1-based page number, each box grown by a margin: a word box
 * estimated from a text layer or OCR can miss a glyph's edge by a point or two.
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
    for (const { page, ...box } of locate(dt, doc, finding).boxes) {
      const grow = margin + box.height * 0.1;
      const list = pages.get(page) ?? [];
      list.push({
        x: box.x - grow,
        y: box.y - grow,
        width: box.width + 2 * grow,
        height: box.height + 2 * grow,
      });
      pages.set(page, list);
    }
  }
  return pages;
}
