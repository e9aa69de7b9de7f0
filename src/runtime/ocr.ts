import { nativeTesseractAvailable, nativeTesseractMissing } from '../documents/ocr/native.js';
import { assertPaddleOcrAvailable } from '../documents/ocr/paddle.js';
import { useSharedOcr } from '../documents/ocr/select.js';
import type { VeilConfig } from './config.js';

/**
 * Points the process's shared OCR engine at `VEIL_OCR` (and PP-OCR's lexicon at `VEIL_OCR_LEXICON`). With `native` or `vote`, the `tesseract` command
 * and its English data are looked for now, and with `paddle` ONNX Runtime and the PP-OCR models,
 * so a machine without them stops at start rather than failing its first scanned page.
 *
 * @throws VeilError `VEIL_OCR_UNAVAILABLE` for `native` or `vote` without the command, or `paddle`
 *   without its runtime or models.
 *
 * @example
 * ```ts
 * await ocrFromConfig(loadConfig(process.env).config);
 * ```
 */
export async function ocrFromConfig(
  config: Pick<VeilConfig, 'VEIL_OCR'> & Partial<Pick<VeilConfig, 'VEIL_OCR_LEXICON'>>,
): Promise<void> {
  const native = config.VEIL_OCR === 'native' || config.VEIL_OCR === 'vote';
  if (native && !(await nativeTesseractAvailable())) throw nativeTesseractMissing();
  if (config.VEIL_OCR === 'paddle') await assertPaddleOcrAvailable();
  await useSharedOcr(config.VEIL_OCR, config.VEIL_OCR_LEXICON);
}
