import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import type { AnalyzeOptions, Analyzer } from '../../engine/analyze.js';
import type { Finding } from '../../engine/types.js';
import { isVeilError } from '../../errors/veil-error.js';
import { openTextInput, sniffFileFormat, writeLine } from '../io.js';
import { parseEntities, parseThreads, parseThreshold } from '../options.js';
import { cli } from '../context.js';

interface AnalyzeFlags {
  jsonl?: boolean;
  json?: boolean;
  showValues?: boolean;
  threshold?: number;
  entities?: string[];
  threads?: number;
}

/**
 * `veil analyze FILE|-`: prints findings as type, offsets and score (values only with
 * `--show-values`). `--jsonl` is the batch interface: one `{"id","text"}` per input line, one
 * `{"id","entities"}` per output line, in order, in one process.
 */
export function registerAnalyze(program: Command): void {
  program
    .command('analyze')
    .description('detect personal data in a text file (or - for standard input)')
    .argument('[file]', 'the file to analyse, or - for standard input', '-')
    .option('--jsonl', 'batch mode: read {"id","text"} lines on stdin, write {"id","entities"} lines')
    .option('--json', 'print the findings as one JSON array')
    .option('--show-values', 'print the detected values too (they are hidden by default)')
    .option('--threshold <score>', 'minimum score in [0, 1]', parseThreshold)
    .option('--entities <types>', 'comma-separated entity types to report', parseEntities)
    .option('--threads <n>', 'analyse a long text file on this many worker threads (default 1)', parseThreads)
    .action(async (file: string, flags: AnalyzeFlags) => {
      const options: AnalyzeOptions = {
        ...(flags.threshold !== undefined ? { threshold: flags.threshold } : {}),
        ...(flags.entities ? { entities: flags.entities } : {}),
      };
      if (flags.jsonl) await analyzeJsonl(options);
      else await analyzeFile(file, options, flags);
    });
}

async function analyzeFile(file: string, options: AnalyzeOptions, flags: AnalyzeFlags): Promise<void> {
  // Plain text is streamed; documents (PDF, images, DOCX, e-mail, CSV, JSON) are parsed.
  if (file !== '-' && (await sniffFileFormat(file)) !== 'text')
    return analyzeDocumentFile(file, options, flags);
  // The engine (and the tagger's weights) load only for commands that detect.
  const { analyzeChunks } = await import('../../engine/chunked.js');
  const input = await openTextInput(file);
  // Values are printed only on request; the text is then kept in a bounded window behind the
  // analysis (findings arrive in order, never far behind what has been read).
  const wantValues = flags.showValues === true;
  const window = new TextWindow();
  const source = wantValues ? keepText(input, (chunk) => window.append(chunk)) : input;
  const collected: object[] = [];
  // Long files split into passes that worker threads analyse side by side, with the same findings.
  const threads = flags.threads ?? 1;
  const pool =
    threads > 1
      ? (await import('../../runtime/detection-pool.js')).createDetectionPool({ threads, start: 'on-demand' })
      : undefined;
  const chunked = pool ? { ...options, analyzeText: pool.analyze, inFlight: threads } : options;
  try {
    for await (const finding of analyzeChunks(source, chunked)) {
      const value = wantValues ? window.slice(finding.start, finding.end) : undefined;
      const row = {
        type: finding.type,
        start: finding.start,
        end: finding.end,
        score: round(finding.score),
        ...partsOf(finding),
        ...(value !== undefined ? { value } : {}),
      };
      if (flags.json) collected.push(row);
      else
        await writeLine(
          `${row.type}\t${row.start}\t${row.end}\t${row.score.toFixed(2)}${value !== undefined ? `\t${JSON.stringify(value)}` : ''}`,
        );
    }
  } finally {
    await pool?.close();
  }
  if (flags.json) await writeLine(JSON.stringify(collected));
}

/** Findings of a parsed document, each with its page and the box of its first word. */
async function analyzeDocumentFile(
  file: string,
  options: AnalyzeOptions,
  flags: AnalyzeFlags,
): Promise<void> {
  const { closeDocumentResources, parseDocument, readDocumentFile } =
    await import('../../documents/index.js');
  const { configureDocumentCommand } = await import('../settings.js');
  await configureDocumentCommand();
  const { detectInDocument } = await import('../../documents/analyze.js');
  const { createAnalyzer } = await import('../../engine/analyze.js');
  const { pageProgress } = await import('./extract.js');
  const progress = await pageProgress();
  try {
    const doc = await parseDocument(await readDocumentFile(file), { onProgress: progress.update });
    const { dt, findings } = detectInDocument(doc, createAnalyzer(options));
    // Values are printed only when asked for.
    const text = flags.showValues ? dt.text : undefined;
    const rows = findings.map((f) => ({
      type: f.type,
      start: f.start,
      end: f.end,
      score: round(f.score),
      page: f.page,
      boxes: f.boxes,
      ...(f.path !== undefined ? { path: f.path } : {}),
      ...(f.cell !== undefined ? { cell: f.cell } : {}),
      ...(text !== undefined ? { value: text.slice(f.start, f.end) } : {}),
    }));
    if (flags.json) return await writeLine(JSON.stringify(rows));
    for (const row of rows) {
      const box = row.boxes[0];
      const where = box
        ? `page ${box.page} [${[box.x, box.y, box.width, box.height].map((n) => Math.round(n)).join(',')}]`
        : (row.path ?? (row.cell ? `row ${row.cell.row} column ${row.cell.column}` : ''));
      await writeLine(
        `${row.type}\t${row.start}\t${row.end}\t${row.score.toFixed(2)}\t${where}${row.value !== undefined ? `\t${JSON.stringify(row.value)}` : ''}`,
      );
    }
  } finally {
    progress.stop();
    await closeDocumentResources();
  }
}

/**
 * A finding's pieces (an address's street and city, a titled name's title and name, a date's week
 * day and date) as offsets only, for the JSON outputs; nothing when it has none.
 */
function partsOf(finding: Finding): { parts?: { type: string; start: number; end: number }[] } {
  return finding.parts === undefined
    ? {}
    : { parts: finding.parts.map((p) => ({ type: p.type, start: p.start, end: p.end })) };
}

/** The most recent part of a streamed text, addressed by absolute offsets. */
class TextWindow {
  static readonly KEEP = 8 * 1024 * 1024;
  #text = '';
  #base = 0;
  #consumed = 0;

  append(chunk: string): void {
    this.#text += chunk;
    if (this.#text.length > 2 * TextWindow.KEEP) {
      const drop = Math.max(this.#consumed, this.#base + this.#text.length - TextWindow.KEEP) - this.#base;
      this.#text = this.#text.slice(drop);
      this.#base += drop;
    }
  }

  slice(start: number, end: number): string {
    this.#consumed = end;
    return this.#text.slice(start - this.#base, end - this.#base);
  }
}

async function* keepText(input: AsyncIterable<string>, keep: (chunk: string) => void): AsyncIterable<string> {
  for await (const chunk of input) {
    keep(chunk);
    yield chunk;
  }
}

async function analyzeJsonl(options: AnalyzeOptions): Promise<void> {
  const { createAnalyzer } = await import('../../engine/analyze.js');
  const run = createAnalyzer(options);
  const lines = createInterface({ input: cli().stdin, crlfDelay: Infinity });
  for await (const line of lines) {
    if (line.trim().length === 0) continue;
    await writeLine(JSON.stringify(analyzeRecord(line, run)));
  }
}

/** One JSONL record in, one out; a bad record yields an error object and the stream goes on. */
export function analyzeRecord(line: string, run: Analyzer): object {
  let record: unknown;
  try {
    record = JSON.parse(line);
  } catch {
    return { id: null, error: { code: 'VEIL_MALFORMED_JSON', message: 'the line is not valid JSON' } };
  }
  const id =
    typeof record === 'object' && record !== null && 'id' in record ? (record as { id: unknown }).id : null;
  const safeId = typeof id === 'string' || typeof id === 'number' ? id : null;
  const text =
    typeof record === 'object' && record !== null ? (record as { text?: unknown }).text : undefined;
  if (typeof text !== 'string' || (id !== undefined && id !== null && safeId === null))
    return {
      id: safeId,
      error: {
        code: 'VEIL_MALFORMED_JSONL_RECORD',
        message: 'each line needs a string "text" and a string or number "id"',
      },
    };
  try {
    const entities = run(text).map((f) => ({
      type: f.type,
      start: f.start,
      end: f.end,
      score: round(f.score),
      ...partsOf(f),
    }));
    return { id: safeId, entities };
  } catch (error) {
    const code = isVeilError(error) ? error.code : 'VEIL_INTERNAL';
    return { id: safeId, error: { code } };
  }
}

function round(score: number): number {
  return Math.round(score * 1000) / 1000;
}
