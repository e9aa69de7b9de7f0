import sharp, { type Sharp } from 'sharp';
import { VeilError, isVeilError } from '../../errors/veil-error.js';
import type { DocumentLimits } from '../limits.js';
import type { Document, Page } from '../model.js';
import { ocrLines } from '../ocr/lines.js';
import { prepareForOcr, type OcrImage } from '../ocr/prepare.js';
import { recognizeWithin, type ParseContext } from './context.js';

// libvips' operation cache would keep decoded pixels of hostile images alive between requests.
sharp.cache(false);

/** The media types of images Veil parses. */
export const IMAGE_TYPES: Readonly<Record<string, string>> = {
  png: 'image/png',
  apng: 'image/png',
  jpg: 'image/jpeg',
  tif: 'image/tiff',
  webp: 'image/webp',
};

export interface ImageInfo {
  readonly width: number;
  readonly height: number;
  readonly pages: number;
}

/**
 * Reads only the image header and checks it against the limits before a single pixel is decoded:
 * decompression bombs declare their size up front.
 *
 * @example
 * ```ts
 * const { width, height, pages } = await probeImage(bytes, limits);
 * ```
 */
export async function probeImage(bytes: Uint8Array, limits: DocumentLimits): Promise<ImageInfo> {
  let meta;
  try {
    meta = await sharp(bytes, { limitInputPixels: limits.maxPixels, failOn: 'none' }).metadata();
  } catch (cause) {
    throw imageError(cause, limits);
  }
  const width = meta.autoOrient?.width ?? meta.width;
  const height = meta.autoOrient?.height ?? meta.height;
  if (!width || !height) throw new VeilError('VEIL_MALFORMED_DOCUMENT', 'image header has no size');
  if (width * height > limits.maxPixels)
    throw new VeilError(
      'VEIL_LIMIT_PIXELS',
      `image has more than limits.maxPixels (${limits.maxPixels}) pixels`,
    );
  const pages = meta.pages ?? 1;
  if (pages > limits.maxPages)
    throw new VeilError(
      'VEIL_LIMIT_PAGES',
      `image has more than limits.maxPages (${limits.maxPages}) frames`,
    );
  return { width, height, pages };
}

/** Maps sharp/libvips failures to stable codes; their messages are not for callers. */
export function imageError(cause: unknown, limits: DocumentLimits): VeilError {
  if (isVeilError(cause)) return cause;
  const message = cause instanceof Error ? cause.message : '';
  if (/pixel limit/i.test(message))
    return new VeilError(
      'VEIL_LIMIT_PIXELS',
      `image has more than limits.maxPixels (${limits.maxPixels}) pixels`,
      { cause },
    );
  return new VeilError('VEIL_MALFORMED_DOCUMENT', 'image is damaged and could not be decoded', { cause });
}

/**
 * A decoder for one frame, upright (EXIF orientation applied), with decoding stopped at the first
 * error so a truncated or corrupt image fails instead of yielding garbage.
 */
export function openFrame(bytes: Uint8Array, limits: DocumentLimits, page: number): Sharp {
  return sharp(bytes, { limitInputPixels: limits.maxPixels, failOn: 'error', page }).autoOrient();
}

/**
 * Parses an image (PNG, JPEG, TIFF with all its frames, WebP) by OCR, after `prepareForOcr`
 * (small text enlarged); boxes are in pixels of the upright original image.
 *
 * @example
 * ```ts
 * const doc = await parseImage(bytes, 'image/png', context);
 * ```
 */
export async function parseImage(
  bytes: Uint8Array,
  mediaType: string,
  context: ParseContext,
): Promise<Document> {
  const { limits } = context;
  const info = await probeImage(bytes, limits);
  const pages: Page[] = [];
  for (let index = 0; index < info.pages; index++) {
    // Frames the caller did not ask for are never decoded or OCR'd.
    if (context.depth === 0 && context.pages && !context.pages.includes(index + 1)) continue;
    const ocr = context.ocrMode !== 'never';
    let image: Pick<OcrImage, 'png' | 'scale' | 'width' | 'height'>;
    try {
      const frame = openFrame(bytes, limits, index);
      // Decoded even without OCR: a damaged frame must fail here, not later in a writer.
      image = ocr
        ? await prepareForOcr(frame)
        : {
            png: Buffer.alloc(0),
            scale: 1,
            ...(await frame.raw().toBuffer({ resolveWithObject: true })).info,
          };
    } catch (cause) {
      throw imageError(cause, limits);
    }
    const { png, scale, width, height } = image;
    const lines = ocr
      ? ocrLines(await recognizeWithin(context, png, `OCR of image frame ${index + 1}`), scale)
      : [];
    pages.push({ number: index + 1, width, height, unit: 'px', source: 'ocr', lines });
    context.onProgress?.({ stage: context.stage, page: index + 1, pages: info.pages });
  }
  return { format: 'image', mediaType, pages, tables: [], records: [] };
}
