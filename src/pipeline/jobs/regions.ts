/**
 * Regions of an image read as crops: only the pixels inside a region are decoded into the OCR
 * engine, so text outside the regions is never read at all (input minimisation).
 */
import sharp from 'sharp';
import { parseDocument } from '../../documents/parse.js';
import type { Document, Line, Page } from '../../documents/model.js';
import type { JobRegion } from './request.js';

/**
 * Parses an image by OCR of its regions only: each region is cut out of its frame, OCR'd alone,
 * and its words placed back in the frame's pixel coordinates. Frames without a region are skipped.
 *
 * @example
 * ```ts
 * const doc = await parseImageRegions(jpeg, [{ page: 1, x: 0, y: 0.6, width: 1, height: 0.4 }]);
 * ```
 */
export async function parseImageRegions(bytes: Uint8Array, regions: readonly JobRegion[]): Promise<Document> {
  const pages: Page[] = [];
  let mediaType = 'image/png';
  for (const number of [...new Set(regions.map((r) => r.page))].sort((a, b) => a - b)) {
    const frame = sharp(bytes, { page: number - 1, failOn: 'error' }).autoOrient();
    const { width, height } = await frame
      .clone()
      .png()
      .toBuffer({ resolveWithObject: true })
      .then((r) => r.info);
    const lines: Line[] = [];
    for (const region of regions.filter((r) => r.page === number)) {
      const left = Math.floor(region.x * width);
      const top = Math.floor(region.y * height);
      const w = Math.max(1, Math.min(width - left, Math.ceil(region.width * width)));
      const h = Math.max(1, Math.min(height - top, Math.ceil(region.height * height)));
      const crop = await frame.clone().extract({ left, top, width: w, height: h }).png().toBuffer();
      const doc = await parseDocument(crop);
      mediaType = doc.mediaType;
      for (const line of doc.pages[0]?.lines ?? [])
        lines.push({
          words: line.words.map((word) => ({
            ...word,
            box: word.box ? { ...word.box, x: word.box.x + left, y: word.box.y + top } : null,
          })),
        });
    }
    pages.push({ number, width, height, unit: 'px', source: 'ocr', lines });
  }
  return { format: 'image', mediaType, pages, tables: [], records: [] };
}
