import sharp from 'sharp';
import type { Box } from '../model.js';
import type { OcrEngine, OcrResult, OcrRunOptions, OcrWord } from './engine.js';

/** One reading of an image: an engine, and how much larger the image is made for it. */
export interface OcrReader {
  readonly engine: OcrEngine;
  /** The image is enlarged by this factor before this engine reads it (default 1). */
  readonly scale?: number;
}

/**
 * An engine that reads each image several ways (other models, other scales) and keeps, word by
 * word, the reading most of them agree on, weighed by their confidence (ROVER-style voting). The
 * first reader's lines and boxes are the skeleton: a word another reader puts in the same place,
 * of about the same width, is an alternative reading of it. The readings run at once; each one
 * costs what a single reading does, so the whole costs their sum in CPU time.
 *
 * @example
 * ```ts
 * const ocr = createVotingOcr([
 *   { engine: createNativeTesseractOcr() },
 *   { engine: createNativeTesseractOcr({ model: 'best_int' }) },
 *   { engine: createNativeTesseractOcr({ model: 'best_int' }), scale: 1.5 },
 * ]);
 * const { lines } = await ocr.recognize(png);
 * ```
 */
export function createVotingOcr(readers: readonly OcrReader[]): OcrEngine {
  const each = (act: (engine: OcrEngine) => Promise<void>): Promise<void> =>
    Promise.all(readers.map((r) => act(r.engine))).then(() => undefined);
  return {
    async recognize(image: Uint8Array, options?: OcrRunOptions): Promise<OcrResult> {
      const readings = await Promise.all(readers.map((reader) => readScaled(reader, image, options)));
      return voteReadings(readings);
    },
    reset: () => each((e) => e.reset()),
    close: () => each((e) => e.close()),
  };
}

async function readScaled(reader: OcrReader, image: Uint8Array, options?: OcrRunOptions): Promise<OcrResult> {
  const scale = reader.scale ?? 1;
  if (scale === 1) return reader.engine.recognize(image, options);
  const { width } = await sharp(image).metadata();
  const enlarged = await sharp(image)
    .resize({ width: Math.round((width ?? 1) * scale), kernel: 'lanczos3' })
    .png({ compressionLevel: 1 })
    .toBuffer();
  const result = await reader.engine.recognize(enlarged, options);
  const shrink = (box: Box): Box => ({
    x: box.x / scale,
    y: box.y / scale,
    width: box.width / scale,
    height: box.height / scale,
  });
  return { lines: result.lines.map((line) => line.map((w) => ({ ...w, box: shrink(w.box) }))) };
}

/** A vote's weight floor, so a reading tesseract gives 0 confidence still counts as a voice. */
const VOICE = 0.01;
/** Another reading's word stands for this one only when their widths differ by less than this share. */
const WIDTH_TOLERANCE = 0.25;

/**
 * Combines readings of one image: the first reading's words, each replaced by the text that the
 * readings putting one word of about its width in the same place agree on most (the sum of their
 * confidences). Ties go to the earlier reading. The confidence is the winner's, scaled by its
 * share of the vote, so a word the readings disagree on says so.
 *
 * @example
 * ```ts
 * voteReadings([system, bestInt, bestIntLarger]); // 'SON BHD' read twice as 'SDN BHD' becomes 'SDN BHD'
 * ```
 */
export function voteReadings(readings: readonly OcrResult[]): OcrResult {
  const [base, ...others] = readings;
  if (base === undefined) return { lines: [] };
  const otherWords = others.map((r) => r.lines.flat());
  return {
    lines: base.lines.map((line) =>
      line.map((word) => {
        const candidates = [word];
        for (const words of otherWords) {
          const same = samePlace(word, words);
          if (same) candidates.push(same);
        }
        return elected(word, candidates);
      }),
    ),
  };
}

/** The one word of `words` read in `word`'s place at about its width, if there is exactly one. */
function samePlace(word: OcrWord, words: readonly OcrWord[]): OcrWord | undefined {
  const inside = words.filter((w) => centreWithin(w.box, word.box));
  const only = inside.length === 1 ? inside[0]! : undefined;
  return only && Math.abs(only.box.width - word.box.width) < WIDTH_TOLERANCE * word.box.width
    ? only
    : undefined;
}

function centreWithin(box: Box, outer: Box): boolean {
  const x = box.x + box.width / 2;
  const y = box.y + box.height / 2;
  return x >= outer.x && x <= outer.x + outer.width && y >= outer.y && y <= outer.y + outer.height;
}

function elected(word: OcrWord, candidates: readonly OcrWord[]): OcrWord {
  if (candidates.length === 1) return word;
  const votes = new Map<string, { best: OcrWord; weight: number }>();
  let total = 0;
  for (const c of candidates) {
    const vote = votes.get(c.text) ?? { best: c, weight: 0 };
    vote.weight += c.confidence + VOICE;
    if (c.confidence > vote.best.confidence) vote.best = c;
    votes.set(c.text, vote);
    total += c.confidence + VOICE;
  }
  let winner: { best: OcrWord; weight: number } | undefined;
  for (const vote of votes.values()) if (winner === undefined || vote.weight > winner.weight) winner = vote;
  return {
    text: winner!.best.text,
    box: word.box,
    confidence: winner!.best.confidence * (winner!.weight / total),
  };
}

/** Characters a printed word is made of; a reading with another (`$117`, `BERJUNTA}`) is a misreading of a glyph. */
const PLAIN_WORD = /^[\p{L}\p{N}.,:;/&()'#@*+%-]+$/u;

const squashed = (text: string): string => text.toUpperCase().replace(/[^\p{L}\p{N}]/gu, '');

/** Whether a word's letters, upper case, are a lexicon word (three letters or more). */
function inLexicon(text: string, lexicon: ReadonlySet<string> | null): boolean {
  const letters = text.toUpperCase().replace(/[^\p{L}]/gu, '');
  return lexicon !== null && letters.length >= 3 && lexicon.has(letters);
}

/**
 * One reading checked word by word against a second reading of the same image by another engine:
 * where the second puts exactly one word in a word's place, at about its width, and reads it
 * otherwise (letters and digits, not punctuation), the lexicon word is kept when only one of the
 * two is one; else the second's reading replaces the first's when the second engine is surer of it
 * and it is made of printable characters only. Boxes, lines and word order stay the first
 * reading's. Two engines misread different glyphs (PP-OCR drops a letter where tesseract reads it;
 * tesseract reads a letter as a symbol where PP-OCR does not), so each corrects the other.
 *
 * @example
 * ```ts
 * checkedReading(paddle, tesseract, ADDRESS_LEXICON); // 'BATANG BERJUTA' checked by 'BERJUNTAI' (surer) becomes 'BATANG BERJUNTAI'
 * ```
 */
export function checkedReading(
  first: OcrResult,
  second: OcrResult,
  lexicon: ReadonlySet<string> | null,
): OcrResult {
  const others = second.lines.flat();
  return {
    lines: first.lines.map((line) =>
      line.map((word) => {
        const other = samePlace(word, others);
        if (other === undefined || squashed(other.text) === squashed(word.text)) return word;
        if (inLexicon(word.text, lexicon)) return word;
        const taken = { ...other, box: word.box };
        if (inLexicon(other.text, lexicon)) return taken;
        return PLAIN_WORD.test(other.text) && other.confidence > word.confidence ? taken : word;
      }),
    ),
  };
}

/**
 * An engine that reads each image with `first` and `second` at once and returns the first's
 * reading checked against the second's ({@link checkedReading}); it costs both readings' CPU.
 *
 * @example
 * ```ts
 * const ocr = createCheckedOcr(createPaddleOcr(), createNativeTesseractOcr(), ADDRESS_LEXICON);
 * ```
 */
export function createCheckedOcr(
  first: OcrEngine,
  second: OcrEngine,
  lexicon: ReadonlySet<string> | null,
): OcrEngine {
  const both = (act: (engine: OcrEngine) => Promise<void>): Promise<void> =>
    Promise.all([act(first), act(second)]).then(() => undefined);
  return {
    async recognize(image: Uint8Array, options?: OcrRunOptions): Promise<OcrResult> {
      const [a, b] = await Promise.all([first.recognize(image, options), second.recognize(image, options)]);
      return checkedReading(a, b, lexicon);
    },
    reset: () => both((e) => e.reset()),
    close: () => both((e) => e.close()),
  };
}
