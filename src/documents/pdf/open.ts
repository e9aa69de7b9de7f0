import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { getDocument, type PDFDocumentProxy } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { VeilError, isVeilError } from '../../errors/veil-error.js';
import type { DocumentLimits } from '../limits.js';

const pdfjsRoot = dirname(createRequire(import.meta.url).resolve('pdfjs-dist/package.json'));
const asset = (folder: string): string => join(pdfjsRoot, folder) + '/';

/** An open PDF and the function that frees it (pdf.js holds fonts, images and a fake worker). */
export interface OpenPdf {
  readonly pdf: PDFDocumentProxy;
  close(): Promise<void>;
}

/** Maps pdf.js failures to stable codes; the pdf.js message itself may quote document bytes. */
export function pdfError(cause: unknown): VeilError {
  if (isVeilError(cause)) return cause;
  const name = (cause as { name?: unknown } | null)?.name;
  if (name === 'PasswordException')
    return new VeilError('VEIL_ENCRYPTED_DOCUMENT', 'PDF is password-protected', { cause });
  return new VeilError('VEIL_MALFORMED_DOCUMENT', 'PDF is damaged and could not be parsed', { cause });
}

/**
 * Opens a PDF with pdf.js configured for hostile input: no eval, no font-face injection, no
 * system fonts, the bundled standard fonts, CMaps and image decoders (no network), and images
 * larger than the pixel limit left undecoded. The input is copied because pdf.js detaches it.
 *
 * @example
 * ```ts
 * const { pdf, close } = await openPdf(bytes, DEFAULT_LIMITS);
 * try { console.log(pdf.numPages); } finally { await close(); }
 * ```
 */
export async function openPdf(bytes: Uint8Array, limits: DocumentLimits): Promise<OpenPdf> {
  const task = getDocument({
    data: new Uint8Array(bytes),
    isEvalSupported: false,
    disableFontFace: true,
    useSystemFonts: false,
    enableXfa: false,
    verbosity: 0,
    maxImageSize: limits.maxPixels,
    standardFontDataUrl: asset('standard_fonts'),
    cMapUrl: asset('cmaps'),
    cMapPacked: true,
    wasmUrl: asset('wasm'),
    iccUrl: asset('iccs'),
  });
  try {
    const pdf = await task.promise;
    return { pdf, close: () => task.destroy() };
  } catch (cause) {
    await task.destroy().catch(() => undefined);
    throw pdfError(cause);
  }
}
