import type { DocumentLimits } from '../limits.js';
import { VeilError, isVeilError } from '../../errors/veil-error.js';
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
 * OCRs one image within the page time limit. The engine counts the limit from when it starts the
 * image, not while the image waits behind others for a free process, and stops only this image
 * when it passes: under load a queue of pages is not a page that takes too long, and resetting
 * the shared engine on one timeout used to fail every other document whose OCR was in flight.
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
  try {
    return await context.ocr().recognize(png, { timeoutMs: context.limits.pageTimeoutMs });
  } catch (error) {
    if (isVeilError(error) && error.code === 'VEIL_LIMIT_TIME')
      throw new VeilError(
        'VEIL_LIMIT_TIME',
        `${what} took longer than limits.pageTimeoutMs (${context.limits.pageTimeoutMs} ms)`,
      );
    throw error;
  }
}
