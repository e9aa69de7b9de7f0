import { OPS, type PDFPageProxy } from 'pdfjs-dist/legacy/build/pdf.mjs';
import type { Box } from '../model.js';

/**
 * Images smaller than this (in points², about 1 × 2 inches) are logos, rules and signatures' ink
 * rather than scanned text; a scanned ID card or a pasted page is far larger.
 */
const MIN_IMAGE_AREA = 72 * 144;
/** Nor is an image text when one side is thinner than a line of small print. */
const MIN_IMAGE_SIDE = 18;

type Matrix = [number, number, number, number, number, number];

const multiply = (m: Matrix, n: readonly number[]): Matrix => [
  m[0] * n[0]! + m[2] * n[1]!,
  m[1] * n[0]! + m[3] * n[1]!,
  m[0] * n[2]! + m[2] * n[3]!,
  m[1] * n[2]! + m[3] * n[3]!,
  m[0] * n[4]! + m[2] * n[5]! + m[4],
  m[1] * n[4]! + m[3] * n[5]! + m[5],
];

const IMAGE_PAINTS = new Set<number>([
  OPS.paintImageXObject,
  OPS.paintInlineImageXObject,
  OPS.paintImageMaskXObject,
]);

/**
 * The boxes (points, top-left origin, like text-layer words) of the images a page paints that are
 * large enough to hold text: a scan pasted into a generated PDF, a photographed ID card. Their text
 * is in no text layer, so a page with such images is OCR'd as well. The operator list is walked
 * with the current transformation matrix (save, restore, transform and form XObjects), and each
 * image is the unit square under it.
 *
 * @example
 * ```ts
 * const images = await largeImages(page); // [{ x: 72, y: 300, width: 243, height: 153 }]
 * ```
 */
export async function largeImages(page: PDFPageProxy): Promise<Box[]> {
  const viewport = page.getViewport({ scale: 1 });
  const { fnArray, argsArray } = await page.getOperatorList();
  const stack: Matrix[] = [];
  let ctm: Matrix = [1, 0, 0, 1, 0, 0];
  const boxes: Box[] = [];
  for (let i = 0; i < fnArray.length; i++) {
    const op = fnArray[i]!;
    const args = argsArray[i] as unknown[] | null;
    if (op === OPS.save) stack.push(ctm);
    else if (op === OPS.restore) ctm = stack.pop() ?? ctm;
    else if (op === OPS.transform) ctm = multiply(ctm, args as number[]);
    else if (op === OPS.paintFormXObjectBegin) {
      stack.push(ctm);
      const matrix = args?.[0];
      if (Array.isArray(matrix) && matrix.length === 6) ctm = multiply(ctm, matrix as number[]);
    } else if (op === OPS.paintFormXObjectEnd) ctm = stack.pop() ?? ctm;
    else if (IMAGE_PAINTS.has(op)) {
      const corners = [
        [0, 0],
        [1, 0],
        [0, 1],
        [1, 1],
      ].map(([u, v]) =>
        viewport.convertToViewportPoint(
          ctm[0] * u! + ctm[2] * v! + ctm[4],
          ctm[1] * u! + ctm[3] * v! + ctm[5],
        ),
      );
      const xs = corners.map((c) => c[0]!);
      const ys = corners.map((c) => c[1]!);
      const box = {
        x: Math.min(...xs),
        y: Math.min(...ys),
        width: Math.max(...xs) - Math.min(...xs),
        height: Math.max(...ys) - Math.min(...ys),
      };
      if (box.width * box.height >= MIN_IMAGE_AREA && Math.min(box.width, box.height) >= MIN_IMAGE_SIDE)
        boxes.push(box);
    }
  }
  return boxes;
}
