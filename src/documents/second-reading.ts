import sharp from 'sharp';
import { VeilError } from '../errors/veil-error.js';
import { DEFAULT_LIMITS, type DocumentLimits } from './limits.js';
import type { Box, Document } from './model.js';
import { IMAGE_TYPES, openFrame } from './parsers/image.js';
import { CHECKED_TESSERACT_LANGUAGES, DEFAULT_TESSERACT_LANGUAGES, type OcrEngine } from './ocr/engine.js';
import { createNativeTesseractOcr, missingTesseractLanguages } from './ocr/native.js';
import { prepareForOcr } from './ocr/prepare.js';

/** One region of a page to read again: a 1-based page number and a box in the page's pixels. */
export interface PageRegion {
  readonly page: number;
  readonly box: Box;
}

/**
 * Reads regions of a document's page images again, with another engine: the text of each region
 * (lines joined by a newline), or null when it could not be read (a document without page images,
 * a box off the page, an OCR failure).
 */
export type RegionReader = (regions: readonly PageRegion[]) => Promise<(string | null)[]>;

/** What {@link createRegionReader} reads from. */
export interface RegionReaderOptions {
  /** The original bytes the document was parsed from. */
  readonly bytes: Uint8Array;
  /** Their media type: only images (`image/png`, `image/jpeg`, `image/tiff`, `image/webp`) are read. */
  readonly mediaType: string;
  /** The parsed document: its page sizes must be those of the decoded frames. */
  readonly document: Document;
  /** The second engine (the tesseract CLI in the product). */
  readonly ocr: OcrEngine;
  /** Extra around each box, as a fraction of the page's shorter side (default 0.01, the review crop's). */
  readonly margin?: number;
  /** Bounds on decoding (default `DEFAULT_LIMITS`). */
  readonly limits?: DocumentLimits;
}

/** White rows between stacked regions, so the engine never joins two regions' lines. */
const GAP = 24;

interface Rect {
  readonly left: number;
  readonly top: number;
  readonly width: number;
  readonly height: number;
}

/** The box grown by `margin` pixels a side, in whole pixels within the page; null when off it. */
function regionRect(box: Box, margin: number, width: number, height: number): Rect | null {
  if (![box.x, box.y, box.width, box.height].every(Number.isFinite)) return null;
  const x0 = Math.max(0, Math.floor(box.x - margin));
  const y0 = Math.max(0, Math.floor(box.y - margin));
  const x1 = Math.min(width, Math.ceil(box.x + box.width + margin));
  const y1 = Math.min(height, Math.ceil(box.y + box.height + margin));
  return x1 > x0 && y1 > y0 ? { left: x0, top: y0, width: x1 - x0, height: y1 - y0 } : null;
}

/**
 * Reads the regions of one page: each is cut from the decoded frame in memory, the cuts are
 * stacked one under the other on white (one engine run for all of them: a process start costs
 * more than a small image's reading), prepared as the page was for OCR (greyscale, enlarged to the
 * engine's glyph height), read, and each word given back to the region whose band holds its centre.
 */
async function readPage(
  options: RegionReaderOptions,
  page: number,
  boxes: readonly Box[],
): Promise<(string | null)[]> {
  const limits = options.limits ?? DEFAULT_LIMITS;
  const described = options.document.pages.find((p) => p.number === page);
  if (!described) return boxes.map(() => null);
  const { data, info } = await openFrame(options.bytes, limits, page - 1)
    .removeAlpha()
    .greyscale()
    .raw()
    .toBuffer({ resolveWithObject: true });
  // A document parsed from other bytes (or another frame) would read the wrong pixels.
  if (Math.abs(described.width - info.width) > 1e-6 || Math.abs(described.height - info.height) > 1e-6)
    return boxes.map(() => null);
  const margin = Math.round((options.margin ?? 0.01) * Math.min(info.width, info.height));
  const rects = boxes.map((box) => regionRect(box, margin, info.width, info.height));
  const kept = rects.filter((r): r is Rect => r !== null);
  if (kept.length === 0) return boxes.map(() => null);
  const width = Math.max(...kept.map((r) => r.width)) + 2 * GAP;
  const bands: { top: number; bottom: number }[] = [];
  let height = GAP;
  for (const r of kept) {
    bands.push({ top: height, bottom: height + r.height });
    height += r.height + GAP;
  }
  // Row by row from the decoded page into a white canvas: only the regions' pixels are copied.
  const pixels = Buffer.alloc(width * height, 255);
  kept.forEach((r, i) => {
    for (let row = 0; row < r.height; row++) {
      const from = (r.top + row) * info.width + r.left;
      data.copy(pixels, (bands[i]!.top + row) * width + GAP, from, from + r.width);
    }
  });
  const prepared = await prepareForOcr(sharp(pixels, { raw: { width, height, channels: 1 } }));
  const { lines } = await options.ocr.recognize(prepared.png);
  const texts: string[][] = kept.map(() => []);
  for (const line of lines) {
    const byBand = new Map<number, string[]>();
    for (const word of line) {
      const centre = (word.box.y + word.box.height / 2) / prepared.scale;
      const band = bands.findIndex((b) => centre >= b.top - GAP / 2 && centre < b.bottom + GAP / 2);
      if (band >= 0) byBand.set(band, [...(byBand.get(band) ?? []), word.text]);
    }
    for (const [band, words] of byBand) texts[band]!.push(words.join(' '));
  }
  let next = 0;
  return rects.map((r) => (r === null ? null : texts[next++]!.join('\n')));
}

/**
 * A {@link RegionReader} over an image document: each page's regions are cut from the decoded
 * image in memory and read by `ocr` in one run per page. The image reaches the engine as its
 * driver takes it (the tesseract CLI: on standard input, in a private folder); no file holds a
 * crop. Documents without page images (text layers, PDF, DOCX) read as null, and so does a page
 * whose reading fails with an OCR error (VEIL_OCR_*, VEIL_LIMIT_TIME): a region not read again is
 * left as it was.
 *
 * @example
 * ```ts
 * const read = createRegionReader({ bytes, mediaType: 'image/jpeg', document, ocr: createNativeTesseractOcr({ languages: 'eng+msa' }) });
 * const [company] = await read([{ page: 1, box: fields.company.box }]); // 'BOOK TA .K (TAMAN DAYA) SDN BHD'
 * ```
 */
export function createRegionReader(options: RegionReaderOptions): RegionReader {
  const image = options.document.format === 'image' && Object.values(IMAGE_TYPES).includes(options.mediaType);
  return async (regions) => {
    const out: (string | null)[] = regions.map(() => null);
    if (!image) return out;
    for (const page of new Set(regions.map((r) => r.page))) {
      const indices = regions.flatMap((r, i) => (r.page === page ? [i] : []));
      let read: (string | null)[];
      try {
        read = await readPage(
          options,
          page,
          indices.map((i) => regions[i]!.box),
        );
      } catch (error) {
        if (error instanceof VeilError && /^VEIL_(OCR|LIMIT)_/.test(error.code)) continue;
        throw error;
      }
      indices.forEach((index, k) => (out[index] = read[k]!));
    }
    return out;
  };
}

/**
 * The engine a second reading uses: the tesseract CLI (another model family than PP-OCR, so its
 * mistakes are seldom the same), one process at a time (a region is small), with the models of
 * `languages` when given, else English and Malay when Debian's Malay model is installed, else
 * English. Null when the CLI or its English model is not installed: fields are then left
 * `unchecked`.
 *
 * @example
 * ```ts
 * const second = await secondReadingOcr(); // null without `apt-get install tesseract-ocr`
 * ```
 */
export async function secondReadingOcr(languages?: string): Promise<OcrEngine | null> {
  const wanted = languages ?? CHECKED_TESSERACT_LANGUAGES;
  const missing = await missingTesseractLanguages(wanted);
  if (missing === null) return null;
  const installed = wanted.split('+').filter((l) => !missing.includes(l));
  if (!installed.includes(DEFAULT_TESSERACT_LANGUAGES)) return null;
  return createNativeTesseractOcr({ languages: installed.join('+'), processes: 1 });
}
