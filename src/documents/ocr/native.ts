import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import pLimit from 'p-limit';
import { VeilError } from '../../errors/veil-error.js';
import {
  DEFAULT_TESSERACT_LANGUAGES,
  TESSERACT_LANGUAGES,
  type OcrEngine,
  type OcrResult,
  type OcrRunOptions,
  type OcrWord,
} from './engine.js';
import { englishDataPath } from './pool.js';

/** What {@link createNativeTesseractOcr} takes. */
export interface NativeTesseractOptions {
  /** The `tesseract` executable (default: `tesseract` on PATH; Debian's package `tesseract-ocr`). */
  readonly binary?: string;
  /** Images read at once, one `tesseract` process each (default: the number of cores). */
  readonly processes?: number;
  /** A process still running after this long is killed and the image fails with `VEIL_OCR_TIMEOUT`. */
  readonly timeoutMs?: number;
  /** A process printing more than this is killed: no page yields megabytes of words. */
  readonly maxOutputBytes?: number;
  /**
   * The English model: `system` (default), the installed package's; `best_int`, the one
   * tesseract.js reads, unpacked once into memory and written into each run's private folder. On
   * SROIE receipts `best_int` held the gold address word for word in 16 of 40 against 11, for
   * about 30% more CPU, but it misread the synthetic SSN of test/documents/ocr-native.test.ts
   * (`536-222-8104`), so it is not the default until `npm run eval:ocr` compares the two.
   */
  readonly model?: 'best_int' | 'system';
  /**
   * The installed models tesseract reads with, as its `-l` takes them (default `eng`): `eng+msa`
   * adds Debian's Malay model (`tesseract-ocr-msa`), `Latin` the Latin-script one
   * (`tesseract-ocr-script-latn`); the first is the main one. With `model: 'best_int'` it must be
   * `eng`, the only language that model is.
   */
  readonly languages?: string;
}

let model: Promise<Buffer> | undefined;

/** The `best_int` English model, unpacked into memory once per process. */
function bestIntModel(): Promise<Buffer> {
  model ??= readFile(join(englishDataPath('best_int'), 'eng.traineddata.gz')).then((packed) =>
    gunzipSync(packed),
  );
  model.catch(() => {
    model = undefined;
  });
  return model;
}

const DEFAULT_TIMEOUT_MS = 120_000;
const DEFAULT_MAX_OUTPUT_BYTES = 16 * 1024 * 1024;

/** Tesseract's page segmentation modes used here (the same two the tesseract.js driver uses). */
const SINGLE_BLOCK = '6';
const AUTOMATIC = '3';

/**
 * The `tesseract` CLI behind the `OcrEngine` port: one process per image, the image given on
 * standard input and the words read as TSV on standard output, so no file holds the image or its
 * text. Each process runs in a private directory (0700, also its TMPDIR) that is deleted when it
 * ends, whatever happens; it is killed after `timeoutMs` or once its output passes
 * `maxOutputBytes`. The settings match the tesseract.js driver: LSTM engine, English, 300 dpi,
 * one uniform block, automatic layout when that reads nothing.
 *
 * @example
 * ```ts
 * const ocr = createNativeTesseractOcr({ processes: 2 });
 * const { lines } = await ocr.recognize(pngBytes);
 * await ocr.close();
 * ```
 */
export function createNativeTesseractOcr(options: NativeTesseractOptions = {}): OcrEngine {
  const binary = options.binary ?? 'tesseract';
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxOutputBytes = options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
  const languages = options.languages ?? DEFAULT_TESSERACT_LANGUAGES;
  if (!TESSERACT_LANGUAGES.test(languages))
    throw new VeilError('VEIL_CONFIG_INVALID', 'tesseract languages: expected models joined by + (eng+msa)');
  if (options.model === 'best_int' && languages !== 'eng')
    throw new VeilError(
      'VEIL_CONFIG_INVALID',
      'the best_int tesseract model reads English only (languages eng)',
    );
  const limit = pLimit(Math.max(1, Math.floor(options.processes ?? availableParallelism())));
  const running = new Set<() => void>();

  // `budget` is the image's own time limit: its clock runs from the first start, not while queued.
  const read = (
    image: Uint8Array,
    psm: string,
    budget?: { deadline?: number; readonly ms: number },
  ): Promise<OcrResult> =>
    limit(async () => {
      const dir = await mkdtemp(join(tmpdir(), 'veil-ocr-'));
      try {
        if (budget !== undefined) budget.deadline ??= Date.now() + budget.ms;
        const limitMs =
          budget?.deadline === undefined ? undefined : Math.max(1, budget.deadline - Date.now());
        // The model is written into the run's private folder, deleted with it below.
        let tessdata: string | undefined;
        if (options.model === 'best_int') {
          tessdata = dir;
          await writeFile(join(dir, 'eng.traineddata'), await bestIntModel(), { mode: 0o600 });
        }
        const tsv = await runTesseract({
          binary,
          image,
          psm,
          dir,
          languages,
          timeoutMs,
          maxOutputBytes,
          running,
          ...(limitMs === undefined ? {} : { limit: { ms: limitMs, totalMs: budget!.ms } }),
          ...(tessdata ? { tessdata } : {}),
        });
        return { lines: tsvLines(tsv) };
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });

  const stop = async (): Promise<void> => {
    limit.clearQueue();
    for (const kill of running) kill();
  };

  return {
    async recognize(image: Uint8Array, options: OcrRunOptions = {}): Promise<OcrResult> {
      const budget = options.timeoutMs === undefined ? undefined : { ms: options.timeoutMs };
      const result = await read(image, SINGLE_BLOCK, budget);
      return result.lines.length > 0 ? result : read(image, AUTOMATIC, budget);
    },
    reset: stop,
    close: stop,
  };
}

interface TesseractRun {
  readonly binary: string;
  readonly image: Uint8Array;
  readonly psm: string;
  readonly dir: string;
  /** Tesseract's `-l`: installed models joined by `+`. */
  readonly languages: string;
  /** The folder holding `eng.traineddata`, when not the installed one. */
  readonly tessdata?: string;
  readonly timeoutMs: number;
  readonly maxOutputBytes: number;
  /** The caller's time limit for this image (what is left of it, and the whole of it). */
  readonly limit?: { readonly ms: number; readonly totalMs: number };
  /** Kill switches of the processes in flight, for `reset` and `close`. */
  readonly running: Set<() => void>;
}

/** Runs one `tesseract` process over an image and resolves to its TSV output. */
function runTesseract(run: TesseractRun): Promise<string> {
  const args = [
    'stdin',
    'stdout',
    ...(run.tessdata ? ['--tessdata-dir', run.tessdata] : []),
    '--oem',
    '1',
    '--psm',
    run.psm,
    '--dpi',
    '300',
    '-l',
    run.languages,
    // The `tsv` config file lives in the installed tessdata folder, not in a private one.
    '-c',
    'tessedit_create_tsv=1',
  ];
  return new Promise<string>((resolve, reject) => {
    const child = spawn(run.binary, args, {
      cwd: run.dir,
      // Parallelism comes from running several processes; OpenMP threads inside each would only
      // compete with them for the same cores (tesseract's own advice for batch use).
      env: { ...process.env, TMPDIR: run.dir, OMP_THREAD_LIMIT: '1' },
      stdio: ['pipe', 'pipe', 'ignore'],
    });
    const chunks: Buffer[] = [];
    let size = 0;
    let failure: VeilError | undefined;
    const kill = (error: VeilError): void => {
      failure ??= error;
      child.kill('SIGKILL');
    };
    const stopped = (): void =>
      kill(new VeilError('VEIL_OCR_FAILED', 'OCR stopped: the engine was reset or closed'));
    run.running.add(stopped);
    const callerFirst = run.limit !== undefined && run.limit.ms <= run.timeoutMs;
    const timer = setTimeout(
      () =>
        kill(
          callerFirst
            ? new VeilError(
                'VEIL_LIMIT_TIME',
                `OCR of an image took longer than its limit (${run.limit!.totalMs} ms)`,
              )
            : new VeilError('VEIL_OCR_TIMEOUT', `OCR of an image took longer than ${run.timeoutMs} ms`),
        ),
      callerFirst ? run.limit!.ms : run.timeoutMs,
    );
    child.stdout.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > run.maxOutputBytes)
        kill(new VeilError('VEIL_OCR_FAILED', `OCR output passed ${run.maxOutputBytes} bytes for one image`));
      else chunks.push(chunk);
    });
    // The process may exit before reading all of its input (killed, or a bad image): not an error here.
    child.stdin.on('error', () => undefined);
    child.stdin.end(run.image);
    child.on('error', (cause: NodeJS.ErrnoException) => {
      failure ??=
        cause.code === 'ENOENT'
          ? nativeTesseractMissing(run.binary)
          : new VeilError('VEIL_OCR_FAILED', 'the native OCR engine could not start', { cause });
    });
    child.on('close', (status) => {
      clearTimeout(timer);
      run.running.delete(stopped);
      if (failure) reject(failure);
      else if (status !== 0)
        reject(
          new VeilError('VEIL_OCR_FAILED', `the native OCR engine exited with status ${status ?? 'unknown'}`),
        );
      else resolve(Buffer.concat(chunks).toString('utf8'));
    });
  });
}

/** TSV columns of tesseract's word rows (level 5). */
const WORD_LEVEL = '5';

/**
 * The words of tesseract's TSV output, line by line in reading order, with pixel boxes and
 * confidences in [0, 1]: the shape the tesseract.js driver returns.
 *
 * @example
 * ```ts
 * tsvLines('level\t…\n5\t1\t1\t1\t1\t1\t75\t32\t51\t23\t92.95\ttan\n'); // [[{ text: 'tan', … }]]
 * ```
 */
export function tsvLines(tsv: string): OcrWord[][] {
  const lines: OcrWord[][] = [];
  let current: OcrWord[] = [];
  let key = '';
  for (const row of tsv.split('\n')) {
    const cells = row.split('\t');
    if (cells[0] !== WORD_LEVEL || cells.length < 12) continue;
    const [, page, block, paragraph, line, , left, top, width, height, conf] = cells;
    const text = cells.slice(11).join('\t').trim();
    if (text.length === 0) continue;
    const lineKey = `${page}.${block}.${paragraph}.${line}`;
    if (lineKey !== key && current.length > 0) {
      lines.push(current);
      current = [];
    }
    key = lineKey;
    current.push({
      text,
      box: { x: Number(left), y: Number(top), width: Number(width), height: Number(height) },
      confidence: Math.max(0, Number(conf)) / 100,
    });
  }
  if (current.length > 0) lines.push(current);
  return lines;
}

/**
 * The models of `languages` (`eng+msa`) that the `tesseract` CLI does not list as installed
 * (`tesseract --list-langs`, checked within a few seconds): none when all are there, or `null`
 * when the CLI does not run at all.
 *
 * @example
 * ```ts
 * await missingTesseractLanguages('eng+msa'); // ['msa'] without Debian's tesseract-ocr-msa
 * ```
 */
export function missingTesseractLanguages(
  languages = DEFAULT_TESSERACT_LANGUAGES,
  binary = 'tesseract',
): Promise<string[] | null> {
  return new Promise((resolve) => {
    const child = spawn(binary, ['--list-langs'], { stdio: ['ignore', 'pipe', 'ignore'], timeout: 10_000 });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      if (out.length < 65_536) out += chunk;
    });
    child.on('error', () => resolve(null));
    child.on('close', (status) => {
      if (status !== 0) return resolve(null);
      const installed = new Set(out.split('\n').map((line) => line.trim()));
      resolve(languages.split('+').filter((language) => !installed.has(language)));
    });
  });
}

/**
 * True when the `tesseract` CLI runs and has the models of `languages` (default `eng`).
 *
 * @example
 * ```ts
 * const ocr = (await nativeTesseractAvailable()) ? createNativeTesseractOcr() : createTesseractOcr();
 * ```
 */
export async function nativeTesseractAvailable(
  binary = 'tesseract',
  languages = DEFAULT_TESSERACT_LANGUAGES,
): Promise<boolean> {
  return (await missingTesseractLanguages(languages, binary))?.length === 0;
}

/** Debian's package for a model tesseract lists: `msa` → `tesseract-ocr-msa`, `Latin` → `tesseract-ocr-script-latn`. */
function debianPackage(language: string): string {
  const script = language.replace(/^script\//, '');
  if (SCRIPTS[script]) return `tesseract-ocr-script-${SCRIPTS[script]}`;
  return `tesseract-ocr-${language.toLowerCase().replace(/_/g, '-')}`;
}

/** Debian names its script packages by ISO 15924 code; the scripts of Latin-alphabet receipts and a few more. */
const SCRIPTS: Readonly<Record<string, string>> = {
  Latin: 'latn',
  Cyrillic: 'cyrl',
  Greek: 'grek',
  Arabic: 'arab',
  Devanagari: 'deva',
  HanS: 'hans',
  HanT: 'hant',
};

/**
 * The error for a native engine that is asked for and not installed, naming the Debian packages
 * to install: the CLI's own when `missing` is null (the command does not run), else those of the
 * missing models.
 *
 * @example
 * ```ts
 * const missing = await missingTesseractLanguages('eng+msa');
 * if (missing?.length !== 0) throw nativeTesseractMissing('tesseract', missing); // … apt-get install tesseract-ocr-msa …
 * ```
 */
export function nativeTesseractMissing(
  binary = 'tesseract',
  missing: readonly string[] | null = null,
): VeilError {
  if (missing === null || missing.length === 0)
    return new VeilError(
      'VEIL_OCR_UNAVAILABLE',
      `VEIL_OCR=native: \`${binary}\` with English data is not installed (apt-get install tesseract-ocr), or set VEIL_OCR=auto`,
    );
  return new VeilError(
    'VEIL_OCR_UNAVAILABLE',
    `VEIL_OCR_LANGS: tesseract has no model for ${missing.join(', ')} (apt-get install ${missing.map(debianPackage).join(' ')}), or set VEIL_OCR_LANGS=eng`,
  );
}
