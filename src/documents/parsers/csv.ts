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

/**
 * Yields the rows of RFC 4180 CSV one at a time (quoted fields, doubled quotes, CRLF), so a caller
 * can stop early or bound what it keeps.
 *
 * @example
 * ```ts
 * [...csvRows('a,"b ""c"""\n1,2\n', ',')]; // [['a', 'b "c"'], ['1', '2']]
 * ```
 */
export function* csvRows(text: string, delimiter: string): Generator<string[]> {
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
      } else field += c;
      i++;
      continue;
    }
    if (c === '"' && field.length === 0) quoted = true;
    else if (c === delimiter) {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      yield row;
      row = [];
      field = '';
    } else field += c;
    i++;
  }
  if (field.length > 0 || row.length > 0) {
    row.push(field);
    yield row;
  }
}

/** True when the text parses as CSV with at least two columns and a steady column count. */
export function looksLikeCsv(text: string): boolean {
  const delimiter = sniffDelimiter(text);
  const widths: number[] = [];
  for (const row of csvRows(text.slice(0, 16 * 1024), delimiter)) {
    widths.push(row.length);
    if (widths.length >= 20) break;
  }
  // The sample may cut the last row short.
  const complete = widths.length > 2 ? widths.slice(0, -1) : widths;
  return complete.length >= 2 && complete[0]! >= 2 && complete.every((w) => w === complete[0]);
}

/**
 * Parses CSV into a one-table document; the first row is the header.
 *
 * @example
 * ```ts
 * parseCsv('name,ssn\nJane,123-45-6789\n').tables[0].rows; // [['Jane', '123-45-6789']]
 * ```
 */
export function parseCsv(text: string): Document {
  const delimiter = sniffDelimiter(text);
  const rows: string[][] = [];
  let columns: string[] = [];
  for (const row of csvRows(text, delimiter)) {
    if (row.length === 1 && row[0] === '') continue;
    if (columns.length === 0 && rows.length === 0) columns = row;
    else rows.push(row);
  }
  const table: Table = { columns, rows };
  return { format: 'csv', mediaType: 'text/csv', pages: [], tables: [table], records: [] };
}
