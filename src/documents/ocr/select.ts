import { lexiconOption, namedLexicon, type OcrLexiconChoice } from './address-lexicon.js';
import type { OcrEngine, OcrEngineChoice, OcrResult, OcrRunOptions } from './engine.js';
import { createNativeTesseractOcr, nativeTesseractAvailable, type NativeTesseractOptions } from './native.js';
import { createPaddleOcr, type PaddleOcrOptions } from './paddle.js';
import { createTesseractOcr, type TesseractOptions } from './pool.js';
import { createCheckedOcr, createVotingOcr } from './vote.js';

/** What {@link createOcr} takes. */
export interface OcrChoiceOptions {
  readonly native?: NativeTesseractOptions;
  readonly wasm?: TesseractOptions;
  readonly paddle?: PaddleOcrOptions;
  /** Told which engine `auto` picked, once, on first use. */
  readonly onSelected?: (engine: Exclude<OcrEngineChoice, 'auto'>) => void;
}

/**
 * The OCR engine a choice names. `auto` looks for the native CLI on first use (not at creation,
 * so a process that reads no image never spawns it) and keeps its answer.
 *
 * @example
 * ```ts
 * const ocr = createOcr('auto', { onSelected: (engine) => logger.info({ engine }, 'OCR engine') });
 * ```
 */
export function createOcr(choice: OcrEngineChoice, options: OcrChoiceOptions = {}): OcrEngine {
  if (choice === 'native') return announced(createNativeTesseractOcr(options.native), 'native', options);
  if (choice === 'wasm') return announced(createTesseractOcr(options.wasm), 'wasm', options);
  if (choice === 'vote') return announced(votingNativeOcr(options.native), 'vote', options);
  if (choice === 'paddle') return announced(createPaddleOcr(options.paddle), 'paddle', options);
  if (choice === 'paddle-checked') {
    const checked = createCheckedOcr(
      createPaddleOcr(options.paddle),
      createNativeTesseractOcr(options.native),
      lexiconOption(options.paddle?.lexicon),
    );
    return announced(checked, 'paddle-checked', options);
  }
  let chosen: Promise<OcrEngine> | undefined;
  const engine = (): Promise<OcrEngine> =>
    (chosen ??= nativeTesseractAvailable(options.native?.binary).then((native) => {
      options.onSelected?.(native ? 'native' : 'wasm');
      return native ? createNativeTesseractOcr(options.native) : createTesseractOcr(options.wasm);
    }));
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
 * model first (its lines are the skeleton), then the `best_int` model at the prepared size and at
 * 1.5× it. Each reader gets its own process pool.
 */
function votingNativeOcr(native: NativeTesseractOptions = {}): OcrEngine {
  return createVotingOcr([
    { engine: createNativeTesseractOcr(native) },
    { engine: createNativeTesseractOcr({ ...native, model: 'best_int' }) },
    { engine: createNativeTesseractOcr({ ...native, model: 'best_int' }), scale: 1.5 },
  ]);
}

function announced(
  engine: OcrEngine,
  name: Exclude<OcrEngineChoice, 'auto'>,
  options: OcrChoiceOptions,
): OcrEngine {
  options.onSelected?.(name);
  return engine;
}

let sharedChoice: OcrEngineChoice = 'auto';
let sharedLexicon: OcrLexiconChoice = 'malaysia';
let shared: OcrEngine | undefined;

/**
 * Sets which engine the shared OCR uses (`auto` until set), and the lexicon PP-OCR checks its
 * doubtful readings against (`malaysia` until set; `paddle` and `paddle-checked` read with one); the runtime
 * calls it with `VEIL_OCR` and `VEIL_OCR_LEXICON`. An engine already started under other settings
 * is closed, and the next image starts the new one.
 *
 * @example
 * ```ts
 * await useSharedOcr(config.VEIL_OCR, config.VEIL_OCR_LEXICON);
 * ```
 */
export async function useSharedOcr(
  choice: OcrEngineChoice,
  lexicon: OcrLexiconChoice = 'malaysia',
): Promise<void> {
  if (choice === sharedChoice && lexicon === sharedLexicon) return;
  sharedChoice = choice;
  sharedLexicon = lexicon;
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
  shared ??= createOcr(sharedChoice, { paddle: { lexicon: namedLexicon(sharedLexicon) } });
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
