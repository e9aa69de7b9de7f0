import { PDFDocument } from 'pdf-lib';
import sharp, { type OverlayOptions } from 'sharp';
import type { DocumentLimits } from '../limits.js';
import type { Box } from '../model.js';
import type { ProgressEvent } from '../parsers/context.js';
import { imageError, openFrame, probeImage } from '../parsers/image.js';

/**
 * Black rectangles clipped to the image, as sharp composite layers.
 *
 * @example
 * ```ts
 * sharp(raw, { raw: info }).composite(blackBoxes([{ x: 10, y: 10, width: 80, height: 20 }], info.width, info.height));
 * ```
 */
export function blackBoxes(boxes: readonly Box[], width: number, height: number): OverlayOptions[] {
  const layers: OverlayOptions[] = [];
  for (const box of boxes) {
    const left = Math.max(0, Math.floor(box.x));
    const top = Math.max(0, Math.floor(box.y));
    const w = Math.min(width, Math.ceil(box.x + box.width)) - left;
    const h = Math.min(height, Math.ceil(box.y + box.height)) - top;
    if (w > 0 && h > 0)
      layers.push({
        input: { create: { width: w, height: h, channels: 3, background: '#000000' } },
        left,
        top,
      });
  }
  return layers;
}

/**
 * Writes a redacted image: boxes burned into the upright pixels, re-encoded in the input's format
 * with no metadata at all (sharp writes none unless asked, so EXIF, XMP, GPS, ICC and comments are
 * gone). A multi-frame TIFF becomes a PDF with one page per frame.
 *
 * @example
 * ```ts
 * const { bytes, mediaType } = await writeRedactedImage(png, 'image/png', new Map([[1, boxes]]), { limits });
 * ```
 */
export async function writeRedactedImage(
  bytes: Uint8Array,
  mediaType: string,
  boxes: ReadonlyMap<number, readonly Box[]>,
  options: { limits: DocumentLimits; onProgress?: (event: ProgressEvent) => void },
): Promise<{ bytes: Uint8Array; mediaType: string }> {
  const { limits } = options;
  const info = await probeImage(bytes, limits);
  const frames: Uint8Array[] = [];
  try {
    for (let index = 0; index < info.pages; index++) {
      const { data, info: raw } = await openFrame(bytes, limits, index)
        .removeAlpha()
        .raw()
        .toBuffer({ resolveWithObject: true });
      const image = sharp(data, {
        raw: { width: raw.width, height: raw.height, channels: raw.channels },
      }).composite(blackBoxes(boxes.get(index + 1) ?? [], raw.width, raw.height));
      const encoded =
        info.pages > 1 || mediaType === 'image/png' || mediaType === 'image/tiff'
          ? mediaType === 'image/tiff' && info.pages === 1
            ? image.tiff({ compression: 'lzw' })
            : image.png()
          : mediaType === 'image/webp'
            ? image.webp({ quality: 90 })
            : image.jpeg({ quality: 90 });
      frames.push(await encoded.toBuffer());
      options.onProgress?.({ stage: 'redact', page: index + 1, pages: info.pages });
    }
  } catch (cause) {
    throw imageError(cause, limits);
  }
  if (frames.length === 1) return { bytes: frames[0]!, mediaType };
  const pdf = await PDFDocument.create({ updateMetadata: false });
  for (const frame of frames) {
    const image = await pdf.embedPng(frame);
    pdf
      .addPage([image.width, image.height])
      .drawImage(image, { x: 0, y: 0, width: image.width, height: image.height });
  }
  return { bytes: await pdf.save(), mediaType: 'application/pdf' };
}
