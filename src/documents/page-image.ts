import { VeilError } from '../errors/veil-error.js';
import { DEFAULT_LIMITS, type DocumentLimits } from './limits.js';
import { REDACTION_DPI } from './redact/pdf.js';
import { runPdfJob } from './pdf/sandbox.js';

/**
 * The resolutions a page image may be asked at: from a thumbnail to the resolution redacted pages
 * are rasterised at (sharper adds nothing but bytes), and the default, sized for a screen.
 */
export const PAGE_IMAGE_DPI = Object.freeze({ min: 36, max: REDACTION_DPI, default: 96 });

/** One page of a PDF as a PNG, with the document's page count. */
export interface PageImage {
  readonly png: Uint8Array;
  /** The 1-based page rendered, and how many the document has. */
  readonly page: number;
  readonly pages: number;
  /** The image's size in pixels. */
  readonly width: number;
  readonly height: number;
}

/**
 * Renders one page of a PDF as a PNG, by pdf.js in the isolated PDF worker (the renderer OCR and
 * redaction use): only that page is opened, in memory, within `limits` (pixels, time, memory).
 * Give it the bytes that may be shown, such as a job's redacted output: it draws what is there.
 * Throws VEIL_PAGE_OUT_OF_RANGE for a page the document lacks (the message gives the count),
 * VEIL_INVALID_OPTION for a page or resolution outside the bounds, and the PDF worker's codes
 * (VEIL_MALFORMED_DOCUMENT, VEIL_LIMIT_*) for a PDF it cannot render.
 *
 * @example
 * ```ts
 * const { png, pages } = await renderPdfPageImage(redactedPdf, { page: 1 });
 * ```
 */
export async function renderPdfPageImage(
  bytes: Uint8Array,
  options: { readonly page: number; readonly dpi?: number; readonly limits?: DocumentLimits },
): Promise<PageImage> {
  const limits = options.limits ?? DEFAULT_LIMITS;
  const dpi = options.dpi ?? PAGE_IMAGE_DPI.default;
  const { page } = options;
  if (!Number.isInteger(page) || page < 1 || page > limits.maxPages)
    throw new VeilError('VEIL_INVALID_OPTION', `page: a whole number from 1 to ${limits.maxPages}`);
  if (!Number.isInteger(dpi) || dpi < PAGE_IMAGE_DPI.min || dpi > PAGE_IMAGE_DPI.max)
    throw new VeilError(
      'VEIL_INVALID_OPTION',
      `dpi: a whole number from ${PAGE_IMAGE_DPI.min} to ${PAGE_IMAGE_DPI.max}`,
    );
  let image: Omit<PageImage, 'pages'> | undefined;
  const pages = await runPdfJob(
    { kind: 'render', bytes, limits, dpi, fill: {}, all: true, pages: [page] },
    (rendered) => {
      if (rendered.number !== page || !rendered.png || !rendered.scale) return;
      image = {
        png: rendered.png,
        page,
        width: Math.max(1, Math.ceil(rendered.width * rendered.scale)),
        height: Math.max(1, Math.ceil(rendered.height * rendered.scale)),
      };
    },
  );
  if (image === undefined)
    throw new VeilError(
      'VEIL_PAGE_OUT_OF_RANGE',
      `page ${page} is not a page of the document, which has ${pages} page${pages === 1 ? '' : 's'}`,
    );
  return { ...image, pages };
}
