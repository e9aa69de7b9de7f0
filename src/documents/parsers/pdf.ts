import sharp from 'sharp';
import { inPoints, linesInside } from '../inside.js';
import type { Box, Document, Line, Page } from '../model.js';
import { ocrLines } from '../ocr/lines.js';
import { prepareForOcr } from '../ocr/prepare.js';
import { runPdfJob } from '../pdf/sandbox.js';
import { recognizeWithin, type ParseContext } from './context.js';

/** Resolution pages are rendered at for OCR: tesseract reads best at about 300 dpi. */
export const OCR_DPI = 300;

/** Per page, its regions (fractions of the page), for the PDF worker. */
function regionsByPage(regions: NonNullable<ParseContext['regions']>): Record<number, Box[]> {
  const byPage: Record<number, Box[]> = {};
  for (const r of regions) (byPage[r.page] ??= []).push({ x: r.x, y: r.y, width: r.width, height: r.height });
  return byPage;
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
 * regions (`context.regions`), only the words inside them are kept (the text layer's filtered in
 * the worker) and a page is rendered and OCR'd only inside the box holding them. Pages with a
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
  const regions = context.depth === 0 && context.regions ? regionsByPage(context.regions) : undefined;
  await runPdfJob(
    {
      kind: 'parse',
      bytes,
      limits: context.limits,
      dpi: OCR_DPI,
      ocrMode: context.ocrMode,
      ...only,
      ...(regions ? { regions } : {}),
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
        let read = shifted(ocrLines(result, scale * image.scale), origin);
        // The clip is the box holding the page's regions; words between them are dropped too.
        const mine = regions?.[number];
        if (mine) read = linesInside(read, inPoints(mine, width, height));
        if (!images) return { number, width, height, unit: 'pt', source: 'ocr', lines: read };
        return {
          number,
          width,
          height,
          unit: 'pt',
          source: 'text-layer+ocr',
          lines: [...lines, ...linesInside(read, images)],
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
