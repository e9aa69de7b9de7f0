import sharp from 'sharp';
import type { Finding } from '../engine/types.js';
import { VeilError } from '../errors/veil-error.js';
import { DEFAULT_LIMITS, type DocumentLimits } from './limits.js';
import type { Box, Document, Page } from './model.js';
import { IMAGE_TYPES, imageError, openFrame, probeImage } from './parsers/image.js';
import { renderScale } from './pdf/render.js';
import { runPdfJob } from './pdf/sandbox.js';
import { growBox, redactionMargin } from './redact/boxes.js';
import { blackBoxes } from './redact/image.js';
import { REDACTION_DPI } from './redact/pdf.js';
import { documentText, locate } from './text.js';

/** What to crop for a reviewer: one field's box on one page of a document. */
export interface CropRequest {
  /** The decrypted original. */
  readonly bytes: Uint8Array;
  /** As stored on the job: `application/pdf` or an image type (`image/png`, `image/jpeg`, `image/tiff`, `image/webp`). */
  readonly mediaType: string;
  /** The parsed document, with word boxes. */
  readonly document: Document;
  /** Engine findings over `documentText(document)`: their words in the crop are masked, but those inside `box`. */
  readonly findings: readonly Finding[];
  /** 1-based page number. */
  readonly page: number;
  /** The field's box in the page's units (points for PDF, pixels for images), top-left origin. */
  readonly box: Box;
  /** Extra around the box, as a fraction of the page's shorter side (default 0.01); shrunk to keep within the cap. */
  readonly margin?: number;
  /** The largest share of the page's area a crop may show (policy), e.g. 0.05. */
  readonly maxPageShare: number;
  /** Bounds on decoding and rendering (default `DEFAULT_LIMITS`). */
  readonly limits?: DocumentLimits;
}

/** A rendered crop: PNG bytes, its size in pixels, and its area as a share of the page's. */
export interface Crop {
  readonly png: Uint8Array;
  readonly width: number;
  readonly height: number;
  readonly pageShare: number;
}

/** The default margin around a field's box, as a fraction of the page's shorter side. */
export const DEFAULT_CROP_MARGIN = 0.01;

/** An integer pixel rectangle: left, top, right and bottom edges (right and bottom exclusive). */
interface Rect {
  readonly x0: number;
  readonly y0: number;
  readonly x1: number;
  readonly y1: number;
}

const areaOf = (r: Rect): number => (r.x1 - r.x0) * (r.y1 - r.y0);

function intersection(a: Box, b: Box): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  return w > 0 && h > 0 ? w * h : 0;
}

/**
 * Whether a word belongs to the field's candidate, which the reviewer must see: at least half of
 * its area lies inside the field's box. Words of findings outside it (a name on the next line
 * whose OCR box grazes the field's box, the rest of a finding that runs on past the field) are
 * masked.
 */
function insideField(word: Box, field: Box): boolean {
  return intersection(word, field) >= (word.width * word.height) / 2;
}

/** The page the request names, or a VEIL_INVALID_INPUT that says which pages there are. */
function pageOf(document: Document, number: number): Page {
  const page = Number.isInteger(number) ? document.pages.find((p) => p.number === number) : undefined;
  if (page) return page;
  const numbers = document.pages.map((p) => p.number);
  const range = numbers.length === 0 ? 'none' : `${Math.min(...numbers)} to ${Math.max(...numbers)}`;
  throw new VeilError(
    'VEIL_INVALID_INPUT',
    `crop: page ${Number.isFinite(number) ? number : 'NaN'} is not a page of the document (its pages: ${range})`,
  );
}

function checkRequest(request: CropRequest): void {
  const { box, maxPageShare, margin } = request;
  if (!(maxPageShare > 0 && maxPageShare <= 1))
    throw new VeilError('VEIL_INVALID_OPTION', 'crop: maxPageShare must be a number in (0, 1]');
  if (margin !== undefined && !(margin >= 0 && margin <= 1))
    throw new VeilError('VEIL_INVALID_OPTION', 'crop: margin must be a number in [0, 1]');
  if (![box.x, box.y, box.width, box.height].every(Number.isFinite) || box.width <= 0 || box.height <= 0)
    throw new VeilError(
      'VEIL_INVALID_INPUT',
      'crop: the field box needs finite x and y and a positive width and height',
    );
}

/**
 * The crop rectangle on a page of `width` × `height` pixels: the field's pixel box grown by up to
 * `margin` pixels a side, the margin shrunk (whole pixels) until the crop is at most `cap` pixels.
 * Refuses with VEIL_REVIEW_CROP_TOO_LARGE when the box alone is larger than the cap.
 */
function cropRect(box: Rect, width: number, height: number, margin: number, cap: number): Rect {
  const grown = (m: number): Rect => ({
    x0: Math.max(0, box.x0 - m),
    y0: Math.max(0, box.y0 - m),
    x1: Math.min(width, box.x1 + m),
    y1: Math.min(height, box.y1 + m),
  });
  if (areaOf(box) > cap) {
    const pct = (pixels: number): string => `${((100 * pixels) / (width * height)).toFixed(1)}%`;
    throw new VeilError(
      'VEIL_REVIEW_CROP_TOO_LARGE',
      `crop: the field box alone covers ${pct(areaOf(box))} of the page, more than the crop cap (maxPageShare) of ${pct(cap)}`,
    );
  }
  // The area grows with the margin, so the largest margin within the cap is found by bisection.
  let [lo, hi] = [0, margin];
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (areaOf(grown(mid)) <= cap) lo = mid;
    else hi = mid - 1;
  }
  return grown(lo);
}

/**
 * The words (page units, grown as redaction grows them) of every finding on the page, but those
 * inside the field's box.
 */
function maskBoxes(request: CropRequest, page: Page): Box[] {
  const { document, findings, box } = request;
  const dt = documentText(document);
  const margin = redactionMargin(document);
  const masks: Box[] = [];
  for (const finding of findings)
    for (const { page: number, ...word } of locate(dt, document, finding).boxes)
      if (number === page.number && !insideField(word, box)) masks.push(growBox(word, margin));
  return masks;
}

async function cropPdf(
  request: CropRequest,
  limits: DocumentLimits,
  clip: Rect,
  scale: number,
  fill: readonly Box[],
): Promise<Uint8Array> {
  let png: Uint8Array | undefined;
  const clipBox = { x: clip.x0, y: clip.y0, width: clip.x1 - clip.x0, height: clip.y1 - clip.y0 };
  await runPdfJob(
    {
      kind: 'crop',
      bytes: request.bytes,
      limits,
      dpi: REDACTION_DPI,
      page: request.page,
      clip: clipBox,
      fill,
    },
    (rendered) => {
      // The crop rectangle was laid out at `scale`; a page rendered at another one is not that page.
      if (rendered.scale === undefined || Math.abs(rendered.scale - scale) > 1e-9)
        throw new VeilError(
          'VEIL_INVALID_INPUT',
          'crop: the document does not describe this PDF (page sizes differ)',
        );
      png = rendered.png;
    },
  );
  if (!png) throw new VeilError('VEIL_INVALID_INPUT', `crop: the PDF has no page ${request.page}`);
  return png;
}

async function cropImage(
  request: CropRequest,
  limits: DocumentLimits,
  page: Page,
  clip: Rect,
  fill: readonly Box[],
): Promise<Uint8Array> {
  const info = await probeImage(request.bytes, limits);
  if (request.page > info.pages || info.width !== page.width || info.height !== page.height)
    throw new VeilError(
      'VEIL_INVALID_INPUT',
      'crop: the document does not describe this image (page sizes differ)',
    );
  const width = clip.x1 - clip.x0;
  const height = clip.y1 - clip.y0;
  try {
    // The same upright pixels redaction burns boxes into; only the crop's rectangle is kept.
    const { data, info: raw } = await openFrame(request.bytes, limits, request.page - 1)
      .removeAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    const cropped = await sharp(data, {
      raw: { width: raw.width, height: raw.height, channels: raw.channels },
    })
      .extract({ left: clip.x0, top: clip.y0, width, height })
      .raw()
      .toBuffer();
    const shifted = fill.map((b) => ({ ...b, x: b.x - clip.x0, y: b.y - clip.y0 }));
    return await sharp(cropped, { raw: { width, height, channels: raw.channels } })
      .composite(blackBoxes(shifted, width, height))
      .png()
      .toBuffer();
  } catch (cause) {
    throw imageError(cause, limits);
  }
}

/**
 * Renders the crop a reviewer sees for one uncertain field: the field's box plus a small margin
 * (shrunk to stay within `maxPageShare` of the page's area), as a PNG from the original (images
 * directly, PDF pages by pdf.js in the isolated PDF worker at the redaction resolution, with only
 * the crop's rectangle rasterised). Every finding whose words fall inside the crop is painted
 * over, opaque, as redaction paints it, except words lying mostly inside the field's own box:
 * the reviewer must see the candidate. Everything stays in memory; decoding and rendering are
 * bounded by `limits`. Fails with VEIL_REVIEW_CROP_TOO_LARGE when the box alone exceeds the cap,
 * VEIL_INVALID_INPUT for a page the document lacks or a box off the page, and
 * VEIL_UNSUPPORTED_TYPE for a document without page images (text, DOCX, CSV).
 *
 * @example
 * ```ts
 * const crop = await renderFieldCrop({ bytes, mediaType: 'image/jpeg', document, findings, page: 1,
 *   box: fields.total.box, maxPageShare: 0.05 });
 * crop.pageShare; // 0.012
 * ```
 */
export async function renderFieldCrop(request: CropRequest): Promise<Crop> {
  checkRequest(request);
  const limits = request.limits ?? DEFAULT_LIMITS;
  const { document, box } = request;
  const pdf = request.mediaType === 'application/pdf' && document.format === 'pdf';
  const image = Object.values(IMAGE_TYPES).includes(request.mediaType) && document.format === 'image';
  if (!pdf && !image)
    throw new VeilError(
      'VEIL_UNSUPPORTED_TYPE',
      `crop: only PDF and image documents have page images to crop (got ${request.mediaType.slice(0, 60)}, parsed as ${document.format})`,
    );
  const page = pageOf(document, request.page);
  // Both are laid out on the pixel grid of the rendered page: PDF points times the render scale.
  const scale = pdf ? renderScale(page.width, page.height, REDACTION_DPI, limits) : 1;
  const width = Math.max(1, Math.ceil(page.width * scale));
  const height = Math.max(1, Math.ceil(page.height * scale));
  const field: Rect = {
    x0: Math.max(0, Math.floor(box.x * scale)),
    y0: Math.max(0, Math.floor(box.y * scale)),
    x1: Math.min(width, Math.ceil((box.x + box.width) * scale)),
    y1: Math.min(height, Math.ceil((box.y + box.height) * scale)),
  };
  if (field.x1 <= field.x0 || field.y1 <= field.y0)
    throw new VeilError('VEIL_INVALID_INPUT', `crop: the field box lies outside page ${page.number}`);
  const margin = Math.round((request.margin ?? DEFAULT_CROP_MARGIN) * Math.min(width, height));
  const clip = cropRect(field, width, height, margin, request.maxPageShare * width * height);
  const fill = maskBoxes(request, page);
  const png = pdf
    ? await cropPdf(request, limits, clip, scale, fill)
    : await cropImage(request, limits, page, clip, fill);
  return {
    png,
    width: clip.x1 - clip.x0,
    height: clip.y1 - clip.y0,
    pageShare: areaOf(clip) / (width * height),
  };
}
