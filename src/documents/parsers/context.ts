import type { DocumentLimits } from '../limits.js';
import { withDeadline } from '../limits.js';
import type { OcrEngine, OcrResult } from '../ocr/engine.js';

/** Which pages are OCR'd: those without usable text (`auto`), every page, or none. */
export type OcrMode = 'auto' | 'always' | 'never';

/** Progress of multi-page work, for progress bars. `page` counts pages done so far. */
export interface ProgressEvent {
  readonly stage: 'parse' | 'redact' | 'verify';
  readonly page: number;
  readonly pages: number;
}

/** What every parser is handed: limits, the OCR engine (started only if a page needs it), and hooks. */
export interface ParseContext {
  readonly limits: DocumentLimits;
  readonly ocr: () => OcrEngine;
  readonly ocrMode: OcrMode;
  /** Attachment nesting depth of the document being parsed (0 for the input itself). */
  readonly depth: number;
  readonly stage: ProgressEvent['stage'];
  readonly onProgress?: (event: ProgressEvent) => void;
  /** Only these 1-based pages (PDF pages, image frames) are parsed; absent, every page. */
  readonly pages?: readonly number[];
  /**
   * Regions per page (fractions): a PDF page keeps only the words inside them (its text layer's
   * filtered in the PDF worker), and a page rendered for OCR is rendered only inside their box.
   */
  readonly regions?: readonly { page: number; x: number; y: number; width: number; height: number }[];
}

/**
 * OCRs one image within the page time limit. On timeout the engine is reset, since the stuck job
 * would otherwise keep its worker busy forever.
 *
 * @example
 * ```ts
 * const result = await recognizeWithin(context, png, 'OCR of page 2');
 * ```
 */
export async function recognizeWithin(
  context: ParseContext,
  png: Uint8Array,
  what: string,
): Promise<OcrResult> {
  const engine = context.ocr();
  return withDeadline(engine.recognize(png), context.limits.pageTimeoutMs, what, () => void engine.reset());
}
