import { createCanvas } from '@napi-rs/canvas';
import type { PDFPageProxy } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { VeilError } from '../../errors/veil-error.js';
import type { DocumentLimits } from '../limits.js';
import type { Box } from '../model.js';

/** A rendered page: PNG bytes, and the scale from PDF points to its pixels. */
export interface RenderedPage {
  readonly png: Uint8Array;
  readonly scale: number;
  readonly width: number;
  readonly height: number;
}

/** The largest side a canvas may have; beyond it Skia refuses to allocate. */
const MAX_SIDE = 16_384;

/**
 * The pixels per point a page of `width` × `height` points is rendered at: `dpi / 72`, lowered until
 * the page fits `limits.maxPixels` and a canvas side stays within what Skia allocates. Below half a
 * pixel per point text is unreadable; a page that large is a bomb, not a document.
 *
 * @example
 * ```ts
 * renderScale(612, 792, 200, limits); // 2.777…
 * ```
 */
export function renderScale(width: number, height: number, dpi: number, limits: DocumentLimits): number {
  const scale = Math.min(
    dpi / 72,
    Math.sqrt(limits.maxPixels / Math.max(width * height, 1)),
    MAX_SIDE / Math.max(width, height, 1),
  );
  if (!(scale >= 0.5))
    throw new VeilError(
      'VEIL_LIMIT_PIXELS',
      `a PDF page is too large to render within limits.maxPixels (${limits.maxPixels})`,
    );
  return scale;
}

/**
 * Renders a page at `renderScale` (from `dpi` and `limits`), then paints `fill` boxes (PDF points,
 * top-left origin) solid black into the same pixels, so what is burned in can never be separated
 * from the page again. With `clip` (pixels of the whole rendered page), only that rectangle is
 * drawn, into a canvas of its size: the rest of the page is never rasterised.
 *
 * @example
 * ```ts
 * const { png, scale } = await renderPage(page, { dpi: 300, limits });
 * const crop = await renderPage(page, { dpi: 200, limits, clip: { x: 100, y: 80, width: 400, height: 60 } });
 * ```
 */
export async function renderPage(
  page: PDFPageProxy,
  options: { dpi: number; limits: DocumentLimits; fill?: readonly Box[]; clip?: Box },
): Promise<RenderedPage> {
  const base = page.getViewport({ scale: 1 });
  const scale = renderScale(base.width, base.height, options.dpi, options.limits);
  const { clip } = options;
  const viewport = page.getViewport({ scale, offsetX: -(clip?.x ?? 0), offsetY: -(clip?.y ?? 0) });
  const width = Math.max(1, Math.ceil(clip?.width ?? viewport.width));
  const height = Math.max(1, Math.ceil(clip?.height ?? viewport.height));
  const canvas = createCanvas(width, height);
  const context = canvas.getContext('2d');
  context.fillStyle = '#ffffff';
  context.fillRect(0, 0, width, height);
  // pdf.js types its canvas as the DOM's; @napi-rs/canvas implements the same drawing API.
  const params = { canvas, canvasContext: context, viewport } as unknown as Parameters<
    PDFPageProxy['render']
  >[0];
  await page.render(params).promise;
  context.fillStyle = '#000000';
  for (const box of options.fill ?? [])
    context.fillRect(
      box.x * scale - (clip?.x ?? 0),
      box.y * scale - (clip?.y ?? 0),
      box.width * scale,
      box.height * scale,
    );
  const png = await canvas.encode('png');
  return { png, scale, width, height };
}
