import type { Line } from '../model.js';
import type { OcrResult } from './engine.js';

/**
 * Turns OCR output into model lines, dividing pixel boxes by `scale` (pixels per page unit) so
 * OCR'd PDF pages share the text layer's coordinates. Images use a scale of 1.
 *
 * @example
 * ```ts
 * ocrLines(await ocr.recognize(png), 300 / 72);
 * ```
 */
export function ocrLines(result: OcrResult, scale: number): Line[] {
  return result.lines.map((words) => ({
    words: words.map((w, i) => ({
      text: w.text,
      box: {
        x: w.box.x / scale,
        y: w.box.y / scale,
        width: w.box.width / scale,
        height: w.box.height / scale,
      },
      spaceBefore: i > 0,
      confidence: w.confidence,
      ...(w.doubts ? { doubts: w.doubts } : {}),
    })),
  }));
}
