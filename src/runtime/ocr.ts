import { missingTesseractLanguages, nativeTesseractMissing } from '../documents/ocr/native.js';
import { tesseractLanguages } from '../documents/ocr/engine.js';
import { assertPaddleOcrAvailable } from '../documents/ocr/paddle.js';
import { useSharedOcr, type OcrEngineName } from '../documents/ocr/select.js';
import type { VeilConfig } from './config.js';

/**
 * Points the process's shared OCR engine at `VEIL_OCR` (PP-OCR's lexicon at `VEIL_OCR_LEXICON`, the
 * tesseract CLI's models at `VEIL_OCR_LANGS`). With `native`, `vote` or `paddle-checked`, the
 * `tesseract` command and the models of `VEIL_OCR_LANGS` (default: English, and English with Malay
 * for `paddle-checked`) are
 * looked for now, and with `paddle` or `paddle-checked` ONNX Runtime and the PP-OCR models, so a
 * machine without them stops at start rather than failing its first scanned page. `auto` looks for
 * nothing now: it picks PP-OCR, the CLI or tesseract.js at the first image, and tells `onSelected`.
 *
 * @throws VeilError `VEIL_OCR_UNAVAILABLE` for `native`, `vote` or `paddle-checked` without the
 *   command or one of the models asked for (naming its Debian package), or `paddle` or `paddle-checked` without its runtime or models.
 *
 * @example
 * ```ts
 * await ocrFromConfig(loadConfig(process.env).config, (engine) => logger.info({ engine }, 'OCR engine'));
 * ```
 */
export async function ocrFromConfig(
  config: Pick<VeilConfig, 'VEIL_OCR'> & Partial<Pick<VeilConfig, 'VEIL_OCR_LEXICON' | 'VEIL_OCR_LANGS'>>,
  onSelected?: (engine: OcrEngineName) => void,
): Promise<void> {
  const native = ['native', 'vote', 'paddle-checked'].includes(config.VEIL_OCR);
  if (native) {
    const missing = await missingTesseractLanguages(
      tesseractLanguages(config.VEIL_OCR, config.VEIL_OCR_LANGS),
    );
    if (missing?.length !== 0) throw nativeTesseractMissing('tesseract', missing);
  }
  if (config.VEIL_OCR === 'paddle' || config.VEIL_OCR === 'paddle-checked') await assertPaddleOcrAvailable();
  await useSharedOcr(config.VEIL_OCR, config.VEIL_OCR_LEXICON, onSelected, config.VEIL_OCR_LANGS);
}
