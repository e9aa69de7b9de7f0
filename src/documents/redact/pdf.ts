import { PDFDocument, PDFName } from 'pdf-lib';
import type { DocumentLimits } from '../limits.js';
import { withDeadline } from '../limits.js';
import type { Box } from '../model.js';
import type { ProgressEvent } from '../parsers/context.js';
import { openPdf, pdfError } from '../pdf/open.js';
import { renderPage } from '../pdf/render.js';

/** Resolution of rasterised (redacted) pages: sharp enough to read, small enough to ship. */
export const REDACTION_DPI = 200;

/** Page-level entries that can carry the original's content or metadata into a copied page. */
const PAGE_KEYS_TO_DROP = ['Metadata', 'PieceInfo', 'Thumb', 'LastModified'];

/**
 * Writes a redacted PDF. Every page with boxes is rasterised by pdf.js with the boxes burned into
 * its pixels, so no text, hidden layer, annotation or form field of the original page survives.
 * Other pages are copied as they are, minus page metadata. The output is a fresh document: no
 * document information, XMP, outline, attachments, JavaScript or form dictionary is carried over.
 * When pdf-lib cannot read the original (damaged or encrypted), every page is rasterised instead.
 *
 * @example
 * ```ts
 * const out = await writeRedactedPdf(bytes, new Map([[1, [{ x: 72, y: 90, width: 80, height: 14 }]]]), { limits });
 * ```
 */
export async function writeRedactedPdf(
  bytes: Uint8Array,
  boxes: ReadonlyMap<number, readonly Box[]>,
  options: { limits: DocumentLimits; dpi?: number; onProgress?: (event: ProgressEvent) => void },
): Promise<Uint8Array> {
  const { limits } = options;
  let source: PDFDocument | undefined;
  try {
    source = await PDFDocument.load(bytes, { updateMetadata: false, throwOnInvalidObject: true });
  } catch {
    source = undefined;
  }
  const out = await PDFDocument.create({ updateMetadata: false });
  const { pdf, close } = await openPdf(bytes, limits);
  try {
    if (source && source.getPageCount() !== pdf.numPages) source = undefined;
    for (let number = 1; number <= pdf.numPages; number++) {
      const fill = boxes.get(number);
      if (source && !fill) {
        const [copied] = await out.copyPages(source, [number - 1]);
        if (copied) {
          for (const key of PAGE_KEYS_TO_DROP) copied.node.delete(PDFName.of(key));
          out.addPage(copied);
        }
      } else {
        const rendered = await withDeadline(
          pdf.getPage(number).then((page) => renderPage(page, { dpi: options.dpi ?? REDACTION_DPI, limits, fill: fill ?? [] })),
          limits.pageTimeoutMs,
          `rasterising PDF page ${number}`,
        ).catch((error: unknown) => {
          throw pdfError(error);
        });
        const image = await out.embedPng(rendered.png);
        const width = rendered.width / rendered.scale;
        const height = rendered.height / rendered.scale;
        const page = out.addPage([width, height]);
        page.drawImage(image, { x: 0, y: 0, width, height });
      }
      options.onProgress?.({ stage: 'redact', page: number, pages: pdf.numPages });
    }
  } finally {
    await close();
  }
  return out.save({ useObjectStreams: true });
}
