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
 * Renders a page at `dpi` (lowered until it fits `limits.maxPixels`), then paints `fill` boxes
 * (PDF points, top-left origin) solid black into the same pixels, so what is burned in can never be
 * separated from the page again. With `clip` (points), only that part of the page is rendered.
 *
 * @example
 * ```ts
 * const { png, scale } = await renderPage(page, { dpi: 300, limits });
 * ```
 */
export async function renderPage(
  page: PDFPageProxy,
  options: { dpi: number; limits: DocumentLimits; fill?: readonly Box[]; clip?: Box },
): Promise<RenderedPage> {
  const base = page.getViewport({ scale: 1 });
  const area = base.width * base.height;
  let scale = options.dpi / 72;
  scale = Math.min(
    scale,
    Math.sqrt(options.limits.maxPixels / Math.max(area, 1)),
    MAX_SIDE / Math.max(base.width, base.height, 1),
  );
  // Below 1 px per point text is unreadable; a page that large is a bomb, not a document.
  if (!(scale >= 0.5))
    throw new VeilError(
      'VEIL_LIMIT_PIXELS',
      `a PDF page is too large to render within limits.maxPixels (${options.limits.maxPixels})`,
    );
  // A clip moves the page so the clip's corner is the canvas's, and the canvas is only the clip.
  const clip = options.clip ?? { x: 0, y: 0, width: base.width, height: base.height };
  const viewport = page.getViewport({ scale, offsetX: -clip.x * scale, offsetY: -clip.y * scale });
  const width = Math.max(1, Math.ceil(clip.width * scale));
  const height = Math.max(1, Math.ceil(clip.height * scale));
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
      (box.x - clip.x) * scale,
      (box.y - clip.y) * scale,
      box.width * scale,
      box.height * scale,
    );
  const png = await canvas.encode('png');
  return { png, scale, width, height };
}
