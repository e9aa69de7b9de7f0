import sharp, { type Sharp } from 'sharp';
import { glyphHeight } from './glyph-height.js';

/**
 * Glyph height (Otsu blobs, about the cap height) that images are enlarged to before OCR.
 * Measured on SROIE receipts (`npm run eval:ocr`): 24 px gave a lower error rate than 20 or 30.
 */
export const OCR_GLYPH_HEIGHT = 24;
/** At most this enlargement: beyond it the blur of the source dominates and time grows squared. */
const MAX_SCALE = 3;
/** Enlarged images stay below this many pixels, to bound the OCR engine's memory. */
const MAX_OUTPUT_PIXELS = 24_000_000;
/**
 * A 3×3 median removes halftone dots and scanner speckle, but also thin strokes of small glyphs, so
 * it is applied only when glyphs are at least this tall after enlargement.
 */
const MEDIAN_MIN_GLYPH = 20;

/** An image ready for OCR and how it relates to the original. */
export interface OcrImage {
  /** Greyscale PNG to hand to the OCR engine. */
  readonly png: Buffer;
  /** Pixels of `png` per pixel of the original: divide OCR boxes by it. */
  readonly scale: number;
  /** Size of the original (upright) image in pixels. */
  readonly width: number;
  readonly height: number;
  /** The measured glyph height in original pixels, if the image had enough glyph-like blobs. */
  readonly glyphHeight: number | undefined;
}

/**
 * Prepares one decoded frame for OCR: greyscale, enlarged so that its text is about
 * `OCR_GLYPH_HEIGHT` pixels tall (tesseract reads small text of low-resolution scans and phone
 * photos poorly), and median-filtered once glyphs are large enough to survive it. Images whose
 * text is already large enough, or whose text size cannot be measured, are only made greyscale.
 *
 * @example
 * ```ts
 * const image = await prepareForOcr(sharp(jpegBytes).autoOrient());
 * const lines = ocrLines(await ocr.recognize(image.png), image.scale);
 * ```
 */
export async function prepareForOcr(frame: Sharp): Promise<OcrImage> {
  const { data, info } = await frame.greyscale().raw().toBuffer({ resolveWithObject: true });
  const { width, height } = info;
  const glyph = glyphHeight(data, width, height);
  const scale =
    glyph === undefined
      ? 1
      : Math.min(
          MAX_SCALE,
          Math.sqrt(MAX_OUTPUT_PIXELS / (width * height)),
          Math.max(1, OCR_GLYPH_HEIGHT / glyph),
        );
  let image = sharp(data, { raw: { width, height, channels: 1 } });
  const outWidth = Math.round(width * scale);
  if (outWidth > width) image = image.resize({ width: outWidth, kernel: 'lanczos3' });
  const enlarged = outWidth > width ? outWidth / width : 1;
  if (glyph !== undefined && glyph * enlarged >= MEDIAN_MIN_GLYPH) image = image.median(3);
  const png = await image.toColourspace('b-w').png({ compressionLevel: 1 }).toBuffer();
  return { png, scale: enlarged, width, height, glyphHeight: glyph };
}
