import { VeilError } from '../../errors/veil-error.js';
import { withDeadline } from '../limits.js';
import type { Document, Page } from '../model.js';
import { ocrLines } from '../ocr/lines.js';
import { openPdf, pdfError } from '../pdf/open.js';
import { renderPage } from '../pdf/render.js';
import { needsOcr, textLayerLines } from '../pdf/text-layer.js';
import { recognizeWithin, type ParseContext } from './context.js';

/** Resolution pages are rendered at for OCR: tesseract reads best at about 300 dpi. */
export const OCR_DPI = 300;

/**
 * Parses a PDF: each page's text layer with word boxes, and pages without usable text rendered at
 * 300 dpi and OCR'd. Page count, page size and per-page time are bounded by the limits.
 *
 * @example
 * ```ts
 * const doc = await parsePdf(bytes, context);
 * doc.pages[0].source; // 'text-layer' or 'ocr'
 * ```
 */
export async function parsePdf(bytes: Uint8Array, context: ParseContext): Promise<Document> {
  const { limits } = context;
  const { pdf, close } = await openPdf(bytes, limits);
  try {
    if (pdf.numPages > limits.maxPages) throw new VeilError('VEIL_LIMIT_PAGES', `PDF has more than limits.maxPages (${limits.maxPages}) pages`);
    const pages: Page[] = [];
    for (let number = 1; number <= pdf.numPages; number++) {
      const page = await withDeadline(
        (async (): Promise<Page> => {
          const proxy = await pdf.getPage(number);
          const { width, height } = proxy.getViewport({ scale: 1 });
          const textLines = context.ocrMode === 'always' ? [] : await textLayerLines(proxy);
          if (context.ocrMode === 'never' || !needsOcr(textLines))
            return { number, width, height, unit: 'pt', source: 'text-layer', lines: textLines };
          const rendered = await renderPage(proxy, { dpi: OCR_DPI, limits });
          const result = await recognizeWithin(context, rendered.png, `OCR of PDF page ${number}`);
          proxy.cleanup();
          return { number, width, height, unit: 'pt', source: 'ocr', lines: ocrLines(result, rendered.scale) };
        })().catch((error: unknown) => {
          throw pdfError(error);
        }),
        limits.pageTimeoutMs,
        `PDF page ${number}`,
        () => void close(),
      );
      pages.push(page);
      context.onProgress?.({ stage: context.stage, page: number, pages: pdf.numPages });
    }
    return { format: 'pdf', mediaType: 'application/pdf', pages, tables: [], records: [] };
  } finally {
    await close();
  }
}
