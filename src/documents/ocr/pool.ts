import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { createScheduler, createWorker, OEM, PSM, type Scheduler } from 'tesseract.js';
import { VeilError } from '../../errors/veil-error.js';
import pLimit from 'p-limit';
import { withDeadline } from '../limits.js';
import type { OcrEngine, OcrResult, OcrRunOptions, OcrWord } from './engine.js';

export interface TesseractOptions {
  /** Workers in the pool (default: the number of cores). */
  readonly workers?: number;
  /**
   * Which bundled English model: `best_int` (default, tesseract.js's own default for LSTM) or `fast`
   * (the `4.0.0` folder: slightly quicker, slightly less accurate).
   */
  readonly model?: 'best_int' | 'fast';
}

/** The folder of the English data installed with `@tesseract.js-data/eng`: nothing is downloaded. */
/** The folder of the English model tesseract.js ships (gzipped `eng.traineddata`), also read by the native engine. */
export function englishDataPath(model: 'best_int' | 'fast'): string {
  const require = createRequire(import.meta.url);
  const root = dirname(require.resolve('@tesseract.js-data/eng/package.json'));
  return join(root, model === 'fast' ? '4.0.0' : '4.0.0_best_int');
}

interface TesseractBlock {
  paragraphs?: {
    lines?: {
      words?: {
        text: string;
        confidence: number;
        bbox: { x0: number; y0: number; x1: number; y1: number };
      }[];
    }[];
  }[];
}

/**
 * A tesseract.js worker pool behind the `OcrEngine` port. Workers start on first use (about a
 * second each, loading the bundled English data with caching disabled, so nothing is written to
 * disk) and jobs are spread across them by tesseract's scheduler.
 *
 * @example
 * ```ts
 * const ocr = createTesseractOcr({ workers: 2 });
 * const { lines } = await ocr.recognize(pngBytes);
 * await ocr.close();
 * ```
 */
export function createTesseractOcr(options: TesseractOptions = {}): OcrEngine {
  const size = Math.max(1, Math.floor(options.workers ?? availableParallelism()));
  const langPath = englishDataPath(options.model ?? 'best_int');
  let pool: Promise<Scheduler> | undefined;
  const gate = pLimit(size);

  const start = async (): Promise<Scheduler> => {
    const scheduler = createScheduler();
    try {
      const workers = await Promise.all(
        Array.from({ length: size }, () =>
          createWorker('eng', OEM.LSTM_ONLY, { langPath, gzip: true, cacheMethod: 'none' }),
        ),
      );
      for (const worker of workers) {
        // Rendered pages are 300 dpi; images without a usable density are assumed to be scans at it.
        // One uniform block (tesseract's API default, stated so the native CLI can be run alike):
        // on SROIE receipts it read better than automatic layout (3), columns (4) or sparse text (11).
        await worker.setParameters({ user_defined_dpi: '300', tessedit_pageseg_mode: PSM.SINGLE_BLOCK });
        scheduler.addWorker(worker);
      }
      return scheduler;
    } catch (cause) {
      await scheduler.terminate().catch(() => undefined);
      throw new VeilError('VEIL_OCR_FAILED', 'OCR engine could not start (bundled English data missing?)', {
        cause,
      });
    }
  };

  const stop = async (): Promise<void> => {
    const current = pool;
    pool = undefined;
    if (current) await current.then((s) => s.terminate()).catch(() => undefined);
  };

  return {
    // One image per worker at a time, so an image's time limit starts when a worker takes it up,
    // not while it waits behind others. A reading past its limit fails alone: it cannot be
    // cancelled inside its worker (a bounded image; the worker is free once it ends), and
    // resetting the pool would fail every other image in flight.
    recognize: (image: Uint8Array, options: OcrRunOptions = {}): Promise<OcrResult> =>
      gate(() => {
        const run = readImage(image);
        if (options.timeoutMs === undefined) return run;
        run.catch(() => undefined);
        return withDeadline(run, options.timeoutMs, 'OCR of an image');
      }),
    reset: stop,
    close: stop,
  };

  async function readImage(image: Uint8Array): Promise<OcrResult> {
    pool ??= start();
    const scheduler = await pool.catch((error: unknown) => {
      pool = undefined;
      throw error;
    });
    const bytes = Buffer.from(image.buffer, image.byteOffset, image.byteLength);
    const read = async (options: Record<string, string>): Promise<OcrResult> => {
      try {
        const { data } = await scheduler.addJob('recognize', bytes, options, { blocks: true, text: false });
        return { lines: wordLines(data.blocks as TesseractBlock[] | null) };
      } catch (cause) {
        throw new VeilError('VEIL_OCR_FAILED', 'OCR failed on an image', { cause });
      }
    };
    const result = await read({});
    // One uniform block reads receipts and letters best but can find nothing at all on a page
    // that is mostly a ruled table or form; automatic layout (for this job only) reads those.
    return result.lines.length > 0 ? result : read({ tessedit_pageseg_mode: PSM.AUTO });
  }
}

/** The words of tesseract.js's block tree, line by line, with boxes and confidences in [0, 1]. */
function wordLines(blocks: readonly TesseractBlock[] | null): OcrWord[][] {
  const lines: OcrWord[][] = [];
  for (const block of blocks ?? [])
    for (const paragraph of block.paragraphs ?? [])
      for (const line of paragraph.lines ?? []) {
        const words = (line.words ?? [])
          .filter((w) => w.text.trim().length > 0)
          .map((w) => ({
            text: w.text.trim(),
            box: { x: w.bbox.x0, y: w.bbox.y0, width: w.bbox.x1 - w.bbox.x0, height: w.bbox.y1 - w.bbox.y0 },
            confidence: w.confidence / 100,
          }));
        if (words.length > 0) lines.push(words);
      }
  return lines;
}
