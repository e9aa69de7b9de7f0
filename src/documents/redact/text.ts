import type { Finding } from '../../engine/types.js';
import type { Document, JsonValue, Table } from '../model.js';
import { segmentsIn, type DocumentText } from '../text.js';

/** A text with its findings replaced, and what each finding became. */
export interface TextRedaction {
  readonly text: string;
  /**
   * The strings the findings were replaced by (`[EMAIL_ADDRESS]`, `<PERSON_1>`, a mask, a hash).
   * The residual check does not count a finding that lies inside one of them: it is the redactor's
   * own output, not a surviving original.
   */
  readonly replacements: readonly string[];
}

/**
 * Replaces the findings in a text. This is the seam where the anonymisation operators plug in
 * (`operatorRedaction` applies a policy's plan); `plainRedaction` is the default.
 */
export type TextRedactor = (
  text: string,
  findings: readonly Finding[],
) => TextRedaction | Promise<TextRedaction>;

/**
 * The default redactor: each finding becomes `[TYPE]`. Overlapping findings (which the engine
 * already resolves) are merged so no part of either survives.
 *
 * @example
 * ```ts
 * plainRedaction('mail jane@example.org', [{ type: 'EMAIL_ADDRESS', start: 5, end: 21, score: 1, recognizer: 'email' }]);
 * // { text: 'mail [EMAIL_ADDRESS]', replacements: ['[EMAIL_ADDRESS]'] }
 * ```
 */
export const plainRedaction = (text: string, findings: readonly Finding[]): TextRedaction => {
  const sorted = [...findings].sort((a, b) => a.start - b.start || b.end - a.end);
  const replacements = new Set<string>();
  let out = '';
  let at = 0;
  for (const f of sorted) {
    if (f.end <= at) continue;
    const start = Math.max(f.start, at);
    const placeholder = `[${f.type}]`;
    replacements.add(placeholder);
    out += text.slice(at, start) + placeholder;
    at = f.end;
  }
  return { text: out + text.slice(at), replacements: [...replacements] };
};

/** The findings that touch `[start, end)`, clipped to it and shifted to start at 0. */
function localFindings(findings: readonly Finding[], start: number, end: number): Finding[] {
  return findings
    .filter((f) => f.start < end && f.end > start)
    .map((f) => ({ ...f, start: Math.max(f.start, start) - start, end: Math.min(f.end, end) - start }));
}

/** CSV cells quoted only when they must be (RFC 4180). */
function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/**
 * Writes the redacted form of a text-like document: plain text for text, DOCX and e-mail (the
 * document text with findings replaced), CSV with redacted cells, JSON or NDJSON with redacted
 * string and number leaves (a redacted number becomes a string).
 *
 * @example
 * ```ts
 * const { text, mediaType, replacements } = await redactTextDocument(doc, documentText(doc), findings, plainRedaction);
 * ```
 */
export async function redactTextDocument(
  doc: Document,
  dt: DocumentText,
  findings: readonly Finding[],
  redactor: TextRedactor,
): Promise<{ text: string; mediaType: string; replacements: readonly string[] }> {
  const replacements = new Set<string>();
  const redact = async (value: string, local: readonly Finding[]): Promise<string> => {
    const done = await redactor(value, local);
    for (const r of done.replacements) replacements.add(r);
    return done.text;
  };
  const written = (
    text: string,
    mediaType: string,
  ): { text: string; mediaType: string; replacements: readonly string[] } => ({
    text,
    mediaType,
    replacements: [...replacements],
  });
  if (doc.format === 'csv') {
    const table = doc.tables[0] as Table;
    const redactCell = async (value: string, row: number, column: number): Promise<string> => {
      const segment = dt.segments.find(
        (s) => s.ref.kind === 'cell' && s.ref.row === row && s.ref.column === column && s.ref.table === 0,
      );
      if (!segment) return value;
      const local = localFindings(findings, segment.start, segment.end);
      return local.length > 0 ? redact(value, local) : value;
    };
    // Cell by cell in reading order, so numbered operators (`<PERSON_1>`) count as a reader would.
    const redactRow = async (row: readonly string[], r: number): Promise<string> => {
      const cells: string[] = [];
      for (const [c, cell] of row.entries()) cells.push(csvField(await redactCell(cell, r, c)));
      return cells.join(',');
    };
    const lines = [await redactRow(table.columns, -1)];
    for (const [r, row] of table.rows.entries()) lines.push(await redactRow(row, r));
    return written(lines.join('\n') + '\n', 'text/csv');
  }
  if (doc.format === 'json' || doc.format === 'ndjson') {
    const values = doc.records[0]?.values ?? [];
    let cursor = 0;
    const leafSegments = dt.segments.filter((s) => s.ref.kind === 'value');
    // Leaves are visited in the same order documentText laid them out.
    // Sequential, so keyed and numbered operators see the leaves in document order.
    const rewrite = async (value: JsonValue): Promise<JsonValue> => {
      if (typeof value === 'string' || typeof value === 'number') {
        const segment = leafSegments[cursor++];
        if (!segment) return value;
        const local = localFindings(findings, segment.start, segment.end);
        return local.length > 0 ? redact(String(value), local) : value;
      }
      if (Array.isArray(value)) {
        const items: JsonValue[] = [];
        for (const item of value) items.push(await rewrite(item));
        return items;
      }
      if (value !== null && typeof value === 'object') {
        const entries: [string, JsonValue][] = [];
        for (const [k, v] of Object.entries(value as Record<string, JsonValue>))
          entries.push([k, await rewrite(v)]);
        return Object.fromEntries(entries);
      }
      return value;
    };
    const redacted: JsonValue[] = [];
    for (const value of values) redacted.push(await rewrite(value));
    return doc.format === 'json'
      ? written(JSON.stringify(redacted[0] ?? null, null, 2) + '\n', 'application/json')
      : written(redacted.map((v) => JSON.stringify(v)).join('\n') + '\n', 'application/x-ndjson');
  }
  // Text, DOCX and e-mail leave as text; tables and records of attachments are part of that text.
  return written(
    await redact(
      dt.text,
      findings.filter((f) => segmentsIn(dt, f.start, f.end).length > 0),
    ),
    'text/plain',
  );
}
