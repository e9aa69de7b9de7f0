import { VeilError } from '../errors/veil-error.js';
import { createAnalyzer, type AnalyzeOptions, type Analyzer } from './analyze.js';
import { shiftFinding, type Finding } from './types.js';

/** Characters of text kept before the emitted region so context words and taggers see it. */
const LEFT_CONTEXT = 256;
/**
 * Characters held back at the end of a buffer, so a value crossing a chunk edge is seen whole: a
 * value no longer than this is never cut. The longest built-in values are private-key blocks (up
 * to 8,000 characters of key); with 1 KiB, one key in a hundred crossing a 256 KiB pass edge in a
 * stream of 64 KiB chunks was missed.
 */
const HOLD_BACK = 8 * 1024 + 256;
/** How far back from the hold-back line a safe cut (whitespace outside any finding) is sought. */
const CUT_SEARCH = 4096;
/** Analysis runs once at least this many characters are buffered (bounded memory, few calls). */
const BATCH = 256 * 1024;
/** The most passes `inFlight` may keep running at once. */
const MAX_IN_FLIGHT = 64;

/**
 * Analyses one text somewhere else, such as a worker thread; `runtime/detection-pool` provides one.
 * It must find what `analyze(text, options)` finds.
 */
export type AnalyzeText = (text: string, options: AnalyzeOptions) => Promise<Finding[]>;

export interface ChunkedOptions extends AnalyzeOptions {
  /** Characters buffered before each analysis pass (default 256 Ki). */
  readonly batchSize?: number;
  /**
   * Where each pass is analysed (default: in this thread). With worker threads behind it and
   * `inFlight` above 1, passes run side by side.
   */
  readonly analyzeText?: AnalyzeText;
  /**
   * Passes analysed at once through `analyzeText` (default 1; at most 64; without `analyzeText`
   * always 1). Set it to the number of threads behind it. The findings are the same whatever the
   * value.
   */
  readonly inFlight?: number;
}

/**
 * Analyses text that arrives in chunks (a stream, a huge file) and yields findings with offsets
 * into the whole text, in order. Memory stays bounded by the batch size plus a small margin,
 * times `inFlight`, whatever the total length.
 *
 * Exactness: each pass analyses the buffered text plus a held-back tail, then emits only
 * findings that end before a cut point. The cut is whitespace not covered by any finding, so a
 * value that straddles a chunk edge is found whole in the next pass, which also sees
 * `LEFT_CONTEXT` characters before the cut for context scoring.
 *
 * In parallel (`inFlight` > 1), the passes after the first waiting one are started on a guessed
 * cut, read from the findings of a small stretch of text around the hold-back line analysed in
 * this thread. A pass whose guess turns out wrong is dropped and run again from the real cut, so
 * the findings are exactly the sequential ones.
 *
 * @example
 * ```ts
 * // `stream`: any (async) iterable of strings, e.g. a file read with encoding 'utf8'.
 * for await (const f of analyzeChunks(stream)) console.log(f.type, f.start, f.end);
 * ```
 */
export async function* analyzeChunks(
  chunks: AsyncIterable<string> | Iterable<string>,
  options: ChunkedOptions = {},
): AsyncGenerator<Finding> {
  const { batchSize = BATCH, analyzeText, inFlight = 1, ...analyzeOptions } = options;
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new VeilError('VEIL_INVALID_OPTION', 'analyzeChunks: `batchSize` must be a positive integer');
  if (!Number.isInteger(inFlight) || inFlight < 1 || inFlight > MAX_IN_FLIGHT)
    throw new VeilError(
      'VEIL_INVALID_OPTION',
      `analyzeChunks: \`inFlight\` must be an integer from 1 to ${MAX_IN_FLIGHT}`,
    );
  // Built even when passes run elsewhere: bad options fail here, before any text is read.
  const local = createAnalyzer(analyzeOptions);
  const analyzeBuffer = (text: string): Finding[] | Promise<Finding[]> =>
    analyzeText === undefined ? local(text) : analyzeText(text, analyzeOptions);
  // In this thread a guessed pass would only run before its turn, and sometimes in vain.
  const depth = analyzeText === undefined ? 1 : inFlight;
  const source = new ChunkSource(chunks);

  /** Passes started and not yet emitted, oldest first; each was planned from its predecessor. */
  const running: { pass: Pass; findings: Promise<Finding[]> }[] = [];
  let state: PassState = { base: 0, emittedUpTo: 0, afterChunk: -1 };
  /** Absolute offset where the last emitted finding ends (findings never overlap). */
  let lastEnd = 0;
  for (;;) {
    // Plan ahead from the guessed cuts, up to `inFlight` passes.
    while (running.length < depth) {
      const previous = running[running.length - 1]?.pass;
      if (previous?.final) break;
      const pass = await source.plan(previous ? guessNext(source, previous, local) : state, batchSize);
      const text = source.slice(pass.base, pass.end);
      const findings = Promise.resolve(text.length === 0 ? [] : analyzeBuffer(text));
      // A pass dropped after a wrong guess may still fail; its error must not go unhandled.
      findings.catch(() => undefined);
      running.push({ pass, findings });
    }
    const { pass, findings: pending } = running.shift()!;
    const findings = await pending;
    const buffer = source.slice(pass.base, pass.end);
    const emittedUpTo = pass.state.emittedUpTo;
    const cut = pass.final ? pass.end : pass.base + safeCut(buffer, findings, cutLimit(pass, buffer.length));
    for (const relative of findings) {
      const f = shiftFinding(relative, pass.base);
      // A finding before the last cut was emitted by the previous pass, unless more right
      // context turned up one that starts after what was emitted.
      if (f.end <= emittedUpTo || f.start < lastEnd) continue;
      if (f.end > cut) break;
      lastEnd = f.end;
      yield f;
    }
    if (pass.final) return;
    state = nextState(pass, cut);
    const next = running[0];
    if (next !== undefined && !sameState(next.pass.state, state)) running.length = 0;
    source.forget(state.base);
  }
}

/** Where the next pass starts: the text it keeps, what is already emitted, the chunk it follows. */
interface PassState {
  /** Absolute offset of the first character the pass analyses. */
  readonly base: number;
  /** Absolute offset before which every finding has been emitted. */
  readonly emittedUpTo: number;
  /** Index of the chunk after which the previous pass ran (-1 before the first). */
  readonly afterChunk: number;
}

/** One analysis pass: the text `[base, end)`, run after chunk `chunk`, or at the end of the stream. */
interface Pass {
  readonly state: PassState;
  readonly base: number;
  readonly end: number;
  readonly chunk: number;
  readonly final: boolean;
}

function sameState(a: PassState, b: PassState): boolean {
  return a.base === b.base && a.emittedUpTo === b.emittedUpTo && a.afterChunk === b.afterChunk;
}

/** The buffer index at or before which a pass cuts. */
function cutLimit(pass: Pass, length: number): number {
  return Math.max(pass.state.emittedUpTo - pass.base, length - HOLD_BACK);
}

function nextState(pass: Pass, cut: number): PassState {
  return {
    base: pass.base + Math.max(0, cut - pass.base - LEFT_CONTEXT),
    emittedUpTo: cut,
    afterChunk: pass.chunk,
  };
}

/** Characters around a pass's cut limit analysed in this thread to guess its cut. */
const GUESS_BEFORE = 1024;
const GUESS_AFTER = 256;

/**
 * The state after `pass` if its cut is where the findings of the text around its cut limit put
 * it. Those findings are nearly always the pass's own there (a quarter of the guesses on court
 * judgments were wrong when made from whitespace alone, as names and dates span spaces).
 */
function guessNext(source: ChunkSource, pass: Pass, analyze: Analyzer): PassState {
  const buffer = source.slice(pass.base, pass.end);
  const limit = cutLimit(pass, buffer.length);
  const from = Math.max(0, limit - GUESS_BEFORE);
  const near = analyze(buffer.slice(from, limit + GUESS_AFTER)).map((f) => shiftFinding(f, from));
  return nextState(pass, pass.base + safeCut(buffer, near, limit));
}

/**
 * The chunks read so far, from the oldest offset a pass may still need. Reads ahead only as far
 * as the passes being planned need.
 */
class ChunkSource {
  private readonly iterator: AsyncIterator<string> | Iterator<string>;
  /** The text from `textBase` on. */
  private text = '';
  private textBase = 0;
  /** Absolute end offset of every chunk read, by chunk index. */
  private readonly ends: number[] = [];
  /** Index of the first entry of `ends` still held (older ones are dropped). */
  private firstEnd = 0;
  private done = false;

  constructor(chunks: AsyncIterable<string> | Iterable<string>) {
    this.iterator =
      Symbol.asyncIterator in chunks
        ? chunks[Symbol.asyncIterator]()
        : (chunks as Iterable<string>)[Symbol.iterator]();
  }

  /**
   * The pass that runs from `state`: after the first chunk past `state.afterChunk` that brings
   * `batchSize + HOLD_BACK` characters beyond what is emitted, or at the end of the stream.
   */
  async plan(state: PassState, batchSize: number): Promise<Pass> {
    for (let chunk = state.afterChunk + 1; ; chunk++) {
      while (chunk - this.firstEnd >= this.ends.length && !this.done) await this.read();
      if (chunk - this.firstEnd >= this.ends.length)
        return { state, base: state.base, end: this.textBase + this.text.length, chunk, final: true };
      const end = this.ends[chunk - this.firstEnd]!;
      if (end - state.emittedUpTo >= batchSize + HOLD_BACK)
        return { state, base: state.base, end, chunk, final: false };
    }
  }

  /** The text `[start, end)` in absolute offsets. */
  slice(start: number, end: number): string {
    return this.text.slice(start - this.textBase, end - this.textBase);
  }

  /** Drops the text before `offset`, which no pass needs any more. */
  forget(offset: number): void {
    if (offset <= this.textBase) return;
    this.text = this.text.slice(offset - this.textBase);
    this.textBase = offset;
    let drop = 0;
    while (drop < this.ends.length - 1 && this.ends[drop]! < offset) drop++;
    if (drop > 0) {
      this.ends.splice(0, drop);
      this.firstEnd += drop;
    }
  }

  private async read(): Promise<void> {
    const next = await this.iterator.next();
    if (next.done === true) {
      this.done = true;
      return;
    }
    const chunk: unknown = next.value;
    if (typeof chunk !== 'string')
      throw new VeilError('VEIL_INVALID_INPUT', 'analyzeChunks: every chunk must be a string');
    this.text += chunk;
    this.ends.push(this.textBase + this.text.length);
  }
}

/**
 * The largest whitespace position at or before `limit` that no finding covers. Findings come
 * sorted by start. If the search window has no such position (one giant token), the cut falls on
 * `limit` itself, the only place a value can be split, and only in text with no whitespace for
 * `CUT_SEARCH` characters.
 */
function safeCut(buffer: string, findings: readonly Finding[], limit: number): number {
  const floor = Math.max(0, limit - CUT_SEARCH);
  const near = findings.filter((f) => f.end > floor && f.start <= limit);
  const covered = (index: number): boolean => near.some((f) => f.start < index && f.end > index);
  for (let i = limit; i > floor; i--) {
    const c = buffer.charCodeAt(i);
    if ((c === 32 || c === 10 || c === 13 || c === 9) && !covered(i)) return i;
  }
  return limit;
}
