import { parse } from 'csv-parse/sync';
import { VeilError } from '../../errors/veil-error.js';
import type { Document, Table } from '../model.js';

/** Guesses the delimiter from the first line: the most frequent of comma, semicolon and tab. */
export function sniffDelimiter(text: string): string {
  const firstLine = text.slice(0, Math.max(0, text.indexOf('\n')) || 4096);
  let best = ',';
  let bestCount = 0;
  for (const d of [',', ';', '\t']) {
    const n = firstLine.split(d).length - 1;
    if (n > bestCount) [best, bestCount] = [d, n];
  }
  return best;
}

/** Lenient RFC 4180 reading: a BOM, ragged rows, stray quotes inside unquoted fields, blank lines. */
const LENIENT = { bom: true, relax_column_count: true, relax_quotes: true, skip_empty_lines: true } as const;

/**
 * VEIL_MALFORMED_CSV for a csv-parse error, with its code and line but never its message, which
 * quotes the offending characters; undefined for any other error.
 *
 * @example
 * ```ts
 * try { parse(text); } catch (error) { throw malformedCsv(error) ?? error; }
 * ```
 */
export function malformedCsv(error: unknown): VeilError | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !code.startsWith('CSV_')) return undefined;
  const line = (error as { lines?: unknown }).lines;
  return new VeilError(
    'VEIL_MALFORMED_CSV',
    `CSV input is malformed${typeof line === 'number' ? ` at line ${line}` : ''} (${code})`,
  );
}

/** True when the text parses as CSV with at least two columns and a steady column count. */
export function looksLikeCsv(text: string): boolean {
  let widths: number[];
  try {
    const sample = parse(text.slice(0, 16 * 1024), {
      ...LENIENT,
      delimiter: sniffDelimiter(text),
      to: 20,
    }) as string[][];
    widths = sample.map((row) => row.length);
  } catch {
    return false;
  }
  // The sample may cut the last row short.
  const complete = widths.length > 2 ? widths.slice(0, -1) : widths;
  return complete.length >= 2 && complete[0]! >= 2 && complete.every((w) => w === complete[0]);
}

/**
 * Parses CSV into a one-table document with csv-parse; the first row is the header. Malformed
 * quoting fails with VEIL_MALFORMED_CSV and the line number.
 *
 * @example
 * ```ts
 * parseCsv('name,ssn\nJane,123-45-6789\n').tables[0].rows; // [['Jane', '123-45-6789']]
 * ```
 */
export function parseCsv(text: string): Document {
  let records: string[][];
  try {
    records = parse(text, { ...LENIENT, delimiter: sniffDelimiter(text) }) as string[][];
  } catch (error) {
    throw malformedCsv(error) ?? error;
  }
  const [columns = [], ...rows] = records;
  const table: Table = { columns, rows };
  return { format: 'csv', mediaType: 'text/csv', pages: [], tables: [table], records: [] };
}
