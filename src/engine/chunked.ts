import { VeilError } from '../errors/veil-error.js';
import { createAnalyzer, type AnalyzeOptions } from './analyze.js';
import { shiftFinding, type Finding } from './types.js';

/** Characters of text kept before the emitted region so context words and taggers see it. */
const LEFT_CONTEXT = 256;
/** Characters held back at the end of a buffer, so a value crossing a chunk edge is seen whole. */
const HOLD_BACK = 1024;
/** How far back from the hold-back line a safe cut (whitespace outside any finding) is sought. */
const CUT_SEARCH = 4096;
/** Analysis runs once at least this many characters are buffered (bounded memory, few calls). */
const BATCH = 256 * 1024;

export interface ChunkedOptions extends AnalyzeOptions {
  /** Characters buffered before each analysis pass (default 256 Ki). */
  readonly batchSize?: number;
}

/**
 * Analyses text that arrives in chunks (a stream, a huge file) and yields findings with offsets
 * into the whole text, in order. Memory stays bounded by the batch size plus a small margin,
 * whatever the total length.
 *
 * Exactness: each pass analyses the buffered text plus a held-back tail, then emits only
 * findings that end before a cut point. The cut is whitespace not covered by any finding, so a
 * value that straddles a chunk edge is found whole in the next pass, which also sees
 * `LEFT_CONTEXT` characters before the cut for context scoring.
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
  const run = createAnalyzer(options);
  const batch = options.batchSize ?? BATCH;
  if (!Number.isInteger(batch) || batch < 1)
    throw new VeilError('VEIL_INVALID_OPTION', 'analyzeChunks: `batchSize` must be a positive integer');
  /** Absolute offset of buffer[0] in the whole text. */
  let base = 0;
  let buffer = '';
  /** Buffer index before which everything has already been emitted. */
  let emittedUpTo = 0;
  /** Buffer index where the last emitted finding ends (findings never overlap). */
  let lastEnd = 0;

  const pass = function* (final: boolean): Generator<Finding> {
    const findings = run(buffer);
    let cut = buffer.length;
    if (!final) cut = safeCut(buffer, findings, Math.max(emittedUpTo, buffer.length - HOLD_BACK));
    for (const f of findings) {
      // A finding before the last cut was emitted by the previous pass, unless more right
      // context turned up one that starts after what was emitted.
      if (f.end <= emittedUpTo || f.start < lastEnd) continue;
      if (f.end > cut) break;
      lastEnd = f.end;
      yield shiftFinding(f, base);
    }
    if (final) return;
    const keepFrom = Math.max(0, cut - LEFT_CONTEXT);
    base += keepFrom;
    buffer = buffer.slice(keepFrom);
    emittedUpTo = cut - keepFrom;
    lastEnd = Math.max(0, lastEnd - keepFrom);
  };

  for await (const chunk of chunks as AsyncIterable<string>) {
    if (typeof chunk !== 'string')
      throw new VeilError('VEIL_INVALID_INPUT', 'analyzeChunks: every chunk must be a string');
    buffer += chunk;
    if (buffer.length - emittedUpTo >= batch + HOLD_BACK) yield* pass(false);
  }
  yield* pass(true);
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
