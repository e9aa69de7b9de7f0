import {
  decodePDFRawStream,
  PDFArray,
  PDFDict,
  PDFDocument,
  PDFName,
  PDFRawStream,
  popGraphicsState,
  pushGraphicsState,
  setTextRenderingMode,
  StandardFonts,
  TextRenderingMode,
} from 'pdf-lib';
import type { PDFFont, PDFPage, PDFPageLeaf } from 'pdf-lib';
import type { DocumentLimits } from '../limits.js';
import type { Box } from '../model.js';
import type { OcrEngine, OcrResult } from '../ocr/engine.js';
import type { ProgressEvent } from '../parsers/context.js';
import { runPdfJob, type PdfPageMessage } from '../pdf/sandbox.js';

/** Resolution of rasterised (redacted) pages: sharp enough to read, small enough to ship. */
export const REDACTION_DPI = 200;

/** Page-level entries that can carry the original's content or metadata into a copied page. */
const PAGE_KEYS_TO_DROP = ['Metadata', 'PieceInfo', 'Thumb', 'LastModified', 'AA'];

/**
 * Annotations that carry content of their own (an attached file, sound, video, 3D) instead of
 * drawing on the page. Nothing reads them for personal data, so they never reach the output.
 */
const ANNOTATIONS_TO_DROP = new Set(['FileAttachment', 'Sound', 'Movie', 'Screen', 'RichMedia', '3D']);

/** The page's content streams, decoded and joined; undefined when one cannot be decoded. */
function pageContent(source: PDFDocument, node: PDFPageLeaf): string | undefined {
  const contents = node.Contents();
  const streams =
    contents instanceof PDFArray ? contents.asArray().map((ref) => source.context.lookup(ref)) : [contents];
  const parts: string[] = [];
  for (const stream of streams) {
    if (stream === undefined) continue;
    if (!(stream instanceof PDFRawStream)) return undefined;
    try {
      parts.push(Buffer.from(decodePDFRawStream(stream).decode()).toString('latin1'));
    } catch {
      return undefined;
    }
  }
  return parts.join('\n');
}

/**
 * Drops from a kept page's resources the images and forms its content never draws: not rendered,
 * so never OCR'd or checked, yet copying would carry them (a scan left over from an earlier
 * version of the page) into the output. A name that appears anywhere in the content is kept, and
 * nothing is dropped when the content cannot be decoded. The page gets its own resources
 * dictionary, so pages sharing an inherited one are not changed.
 */
function dropUndrawnXObjects(source: PDFDocument, node: PDFPageLeaf): void {
  const resources = node.Resources();
  const xobjects = resources?.lookupMaybe(PDFName.of('XObject'), PDFDict);
  if (!resources || !xobjects) return;
  const content = pageContent(source, node);
  if (content === undefined) return;
  const drawn = xobjects.clone();
  let dropped = false;
  for (const name of xobjects.keys())
    if (!content.includes(name.asString())) {
      drawn.delete(name);
      dropped = true;
    }
  if (!dropped) return;
  const own = resources.clone();
  own.set(PDFName.of('XObject'), drawn);
  node.set(PDFName.of('Resources'), own);
}

/**
 * Removes from a page of the original, before it is copied, what could carry unread content into
 * the output: its metadata entries, page actions, annotations with attached files or media, and
 * the actions of the remaining annotations (scripts, launches, form submissions, and link targets:
 * a mailto or URL can hold personal data no text layer shows). Done on the source, because copying
 * brings every object a page refers to.
 */
function stripUnreadContent(source: PDFDocument, index: number): void {
  const node = source.getPage(index).node;
  for (const key of PAGE_KEYS_TO_DROP) node.delete(PDFName.of(key));
  dropUndrawnXObjects(source, node);
  const annots = node.lookupMaybe(PDFName.of('Annots'), PDFArray);
  if (!annots) return;
  const kept = annots.asArray().filter((ref) => {
    const annotation = source.context.lookupMaybe(ref, PDFDict);
    if (!annotation) return false;
    const subtype = annotation.lookupMaybe(PDFName.of('Subtype'), PDFName);
    if (subtype && ANNOTATIONS_TO_DROP.has(subtype.decodeText())) return false;
    annotation.delete(PDFName.of('A'));
    annotation.delete(PDFName.of('AA'));
    return true;
  });
  node.set(PDFName.of('Annots'), source.context.obj(kept));
}

/**
 * Writes a redacted PDF. Every page with boxes is rasterised by pdf.js (in the isolated PDF
 * worker) with the boxes burned into its pixels, so no text, hidden layer, annotation or form
 * field of the original page survives. Other pages are copied as they are, minus page metadata,
 * page actions, annotations with attached files or media, annotation actions and the images and
 * forms their resources name but their content never draws.
 * The output is a fresh document: no document information, XMP, outline, attachments, JavaScript
 * or form dictionary is carried over. When pdf-lib cannot read the original (damaged or
 * encrypted), every page is rasterised instead. With `textLayer`, each rasterised page gets an
 * invisible text layer read by OCR from its redacted image, so the output stays searchable and
 * holds no word the image does not show.
 *
 * @example
 * ```ts
 * const out = await writeRedactedPdf(bytes, new Map([[1, [{ x: 72, y: 90, width: 80, height: 14 }]]]), { limits });
 * ```
 */
export async function writeRedactedPdf(
  bytes: Uint8Array,
  boxes: ReadonlyMap<number, readonly Box[]>,
  options: {
    limits: DocumentLimits;
    dpi?: number;
    onProgress?: (event: ProgressEvent) => void;
    rasteriseAll?: boolean;
    /** OCR for an invisible text layer on rasterised pages; none when absent. */
    textLayer?: OcrEngine;
  },
): Promise<Uint8Array> {
  let source: PDFDocument | undefined;
  try {
    if (!options.rasteriseAll)
      source = await PDFDocument.load(bytes, { updateMetadata: false, throwOnInvalidObject: true });
  } catch {
    source = undefined;
  }
  const rendered: PdfPageMessage[] = [];
  let pageCount = 0;
  await runPdfJob(
    {
      kind: 'render',
      bytes,
      limits: options.limits,
      dpi: options.dpi ?? REDACTION_DPI,
      fill: Object.fromEntries(boxes),
      all: !source,
    },
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
  const font = options.textLayer ? await out.embedFont(StandardFonts.Helvetica) : undefined;
  for (const page of rendered) {
    if (page.png && page.scale) {
      const image = await out.embedPng(page.png);
      const width = image.width / page.scale;
      const height = image.height / page.scale;
      const added = out.addPage([width, height]);
      added.drawImage(image, { x: 0, y: 0, width, height });
      if (options.textLayer && font)
        drawInvisibleText(added, font, await options.textLayer.recognize(page.png), page.scale);
    } else if (source) {
      stripUnreadContent(source, page.number - 1);
      const [copied] = await out.copyPages(source, [page.number - 1]);
      if (!copied) continue;
      out.addPage(copied);
    }
    options.onProgress?.({ stage: 'redact', page: page.number, pages: pageCount });
  }
  // Without object streams every dictionary stays readable, so a raw-byte scan of the output can vouch for it.
  return out.save({ useObjectStreams: false });
}

/**
 * Writes the words OCR read from a page image as invisible text (rendering mode 3) over where
 * they appear, sized to their boxes, so the page can be searched and selected. Characters the
 * standard font cannot encode (it is WinAnsi only) are left out; words are never invented.
 */
function drawInvisibleText(page: PDFPage, font: PDFFont, result: OcrResult, scale: number): void {
  const pageHeight = page.getHeight();
  const supported = new Set(font.getCharacterSet());
  page.pushOperators(pushGraphicsState(), setTextRenderingMode(TextRenderingMode.Invisible));
  for (const line of result.lines) {
    for (const word of line) {
      const text = [...word.text.trim()].filter((char) => supported.has(char.codePointAt(0)!)).join('');
      if (text.length === 0 || word.box.width <= 0 || word.box.height <= 0) continue;
      const boxWidth = word.box.width / scale;
      const boxHeight = word.box.height / scale;
      const size = Math.max(
        1,
        Math.min(boxHeight, boxWidth / Math.max(0.001, font.widthOfTextAtSize(text, 1))),
      );
      page.drawText(text, {
        x: word.box.x / scale,
        y: pageHeight - (word.box.y + word.box.height) / scale,
        size,
        font,
      });
    }
  }
  page.pushOperators(popGraphicsState());
}
