import { PDFDocument, PDFName } from 'pdf-lib';
import type { DocumentLimits } from '../limits.js';
import type { Box } from '../model.js';
import type { ProgressEvent } from '../parsers/context.js';
import { runPdfJob, type PdfPageMessage } from '../pdf/sandbox.js';

/** Resolution of rasterised (redacted) pages: sharp enough to read, small enough to ship. */
export const REDACTION_DPI = 200;

/** Page-level entries that can carry the original's content or metadata into a copied page. */
const PAGE_KEYS_TO_DROP = ['Metadata', 'PieceInfo', 'Thumb', 'LastModified'];

/**
 * Writes a redacted PDF. Every page with boxes is rasterised by pdf.js (in the isolated PDF
 * worker) with the boxes burned into its pixels, so no text, hidden layer, annotation or form
 * field of the original page survives. Other pages are copied as they are, minus page metadata.
 * The output is a fresh document: no document information, XMP, outline, attachments, JavaScript
 * or form dictionary is carried over. When pdf-lib cannot read the original (damaged or
 * encrypted), every page is rasterised instead.
 *
 * @example
 * ```ts
 * const out = await writeRedactedPdf(bytes, new Map([[1, [{ x: 72, y: 90, width: 80, height: 14 }]]]), { limits });
 * ```
 */
export async function writeRedactedPdf(
  bytes: Uint8Array,
  boxes: ReadonlyMap<number, readonly Box[]>,
  options: { limits: DocumentLimits; dpi?: number; onProgress?: (event: ProgressEvent) => void; rasteriseAll?: boolean },
): Promise<Uint8Array> {
  let source: PDFDocument | undefined;
  try {
    if (!options.rasteriseAll) source = await PDFDocument.load(bytes, { updateMetadata: false, throwOnInvalidObject: true });
  } catch {
    source = undefined;
  }
  const rendered: PdfPageMessage[] = [];
  let pageCount = 0;
  await runPdfJob(
    { kind: 'render', bytes, limits: options.limits, dpi: options.dpi ?? REDACTION_DPI, fill: Object.fromEntries(boxes), all: !source },
    (page, pages) => {
      rendered.push(page);
      pageCount = pages;
    },
  );
  if (source && source.getPageCount() !== pageCount) {
    // pdf.js and pdf-lib disagree about the page tree: trust neither copy, rasterise everything.
    return writeRedactedPdf(bytes, boxes, { ...options, rasteriseAll: true });
  }
  const out = await PDFDocument.create({ updateMetadata: false });
  for (const page of rendered) {
    if (page.png && page.scale) {
      const image = await out.embedPng(page.png);
      const width = image.width / page.scale;
      const height = image.height / page.scale;
      out.addPage([width, height]).drawImage(image, { x: 0, y: 0, width, height });
    } else if (source) {
      const [copied] = await out.copyPages(source, [page.number - 1]);
      if (!copied) continue;
      for (const key of PAGE_KEYS_TO_DROP) copied.node.delete(PDFName.of(key));
      out.addPage(copied);
    }
    options.onProgress?.({ stage: 'redact', page: page.number, pages: pageCount });
  }
  // Without object streams every dictionary stays readable, so a raw-byte scan of the output can vouch for it.
  return out.save({ useObjectStreams: false });
}
