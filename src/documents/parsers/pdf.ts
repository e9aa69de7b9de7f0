import sharp from 'sharp';
import type { Box, Document, Line, Page } from '../model.js';
import { ocrLines } from '../ocr/lines.js';
import { prepareForOcr } from '../ocr/prepare.js';
import { runPdfJob } from '../pdf/sandbox.js';
import { recognizeWithin, type ParseContext } from './context.js';

/** Resolution pages are rendered at for OCR: tesseract reads best at about 300 dpi. */
export const OCR_DPI = 300;

/** The OCR'd words whose centre lies in one of `regions`, line by line (the rest is the text layer's). */
function wordsInside(lines: readonly Line[], regions: readonly Box[]): Line[] {
  const inside = (box: Box | null): boolean => {
    if (box === null) return false;
    const [cx, cy] = [box.x + box.width / 2, box.y + box.height / 2];
    return regions.some((r) => cx >= r.x && cx <= r.x + r.width && cy >= r.y && cy <= r.y + r.height);
  };
  const kept: Line[] = [];
  for (const line of lines) {
    const words = line.words.filter((w) => inside(w.box));
    if (words.length > 0)
      kept.push({
        words: words.map((w, i) => (i === 0 && w.spaceBefore ? { ...w, spaceBefore: false } : w)),
      });
  }
  return kept;
}

/** Per page, the smallest box (fractions of the page) holding all of its regions. */
function regionClips(regions: NonNullable<ParseContext['regions']>): Record<number, Box> {
  const clips: Record<number, Box> = {};
  for (const page of new Set(regions.map((r) => r.page))) {
    const mine = regions.filter((r) => r.page === page);
    const x = Math.min(...mine.map((r) => r.x));
    const y = Math.min(...mine.map((r) => r.y));
    const right = Math.max(...mine.map((r) => r.x + r.width));
    const bottom = Math.max(...mine.map((r) => r.y + r.height));
    clips[page] = { x, y, width: right - x, height: bottom - y };
  }
  return clips;
}

/** OCR'd lines of a clip placed back on the page: every box moved by the clip's corner (points). */
function shifted(lines: Line[], origin: { x: number; y: number } | undefined): Line[] {
  if (!origin) return lines;
  return lines.map((line) => ({
    words: line.words.map((w) => ({
      ...w,
      box: w.box ? { ...w.box, x: w.box.x + origin.x, y: w.box.y + origin.y } : null,
    })),
  }));
}

/**
 * Parses a PDF in the isolated PDF worker: each page's text layer with word boxes, and pages
 * without usable text rendered at 300 dpi, prepared as images are (`prepareForOcr`) and OCR'd
 * here, page by page as they arrive, so the OCR pool works while the worker reads on. With
 * regions (`context.regions`), a page is rendered and OCR'd only inside the box holding them. Pages with a
 * usable text layer and large images keep the layer and add the OCR'd words of those images.
 * Pages, pixels, time and memory are bounded by the limits.
 *
 * @example
 * ```ts
 * const doc = await parsePdf(bytes, context);
 * doc.pages[0].source; // 'text-layer', 'ocr' or 'text-layer+ocr'
 * ```
 */
export async function parsePdf(bytes: Uint8Array, context: ParseContext): Promise<Document> {
  const pending: Promise<Page>[] = [];
  let done = 0;
  const progress = (pages: number): void =>
    context.onProgress?.({ stage: context.stage, page: ++done, pages });
  const only = context.depth === 0 && context.pages ? { pages: context.pages } : {};
  const clips = context.depth === 0 && context.regions ? { clips: regionClips(context.regions) } : {};
  await runPdfJob(
    {
      kind: 'parse',
      bytes,
      limits: context.limits,
      dpi: OCR_DPI,
      ocrMode: context.ocrMode,
      ...only,
      ...clips,
    },
    (message, pages) => {
      const { number, width, height, lines, png, scale, images, origin } = message;
      if (!png || !scale) {
        pending.push(Promise.resolve({ number, width, height, unit: 'pt', source: 'text-layer', lines }));
        progress(pages);
        return;
      }
      // Prepared like an image (greyscale, small text enlarged, speckle removed): a scan embedded at
      // low resolution is still small text at 300 dpi.
      const ocr = prepareForOcr(sharp(png)).then(async (image): Promise<Page> => {
        const result = await recognizeWithin(context, image.png, `OCR of PDF page ${number}`);
        progress(pages);
        const read = shifted(ocrLines(result, scale * image.scale), origin);
        if (!images) return { number, width, height, unit: 'pt', source: 'ocr', lines: read };
        return {
          number,
          width,
          height,
          unit: 'pt',
          source: 'text-layer+ocr',
          lines: [...lines, ...wordsInside(read, images)],
        };
      });
      // Rejections are collected below; this keeps an early one from being reported as unhandled.
      ocr.catch(() => undefined);
      pending.push(ocr);
    },
  );
  const pages = await Promise.all(pending);
  return { format: 'pdf', mediaType: 'application/pdf', pages, tables: [], records: [] };
}
