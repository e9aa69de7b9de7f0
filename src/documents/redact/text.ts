import type { Finding } from '../../engine/types.js';
import type { Document, JsonValue, Table } from '../model.js';
import { segmentsIn, type DocumentText } from '../text.js';

/**
 * Replaces the findings in a text. This is the seam where the anonymisation operators plug in:
 * any `(text, findings) => string` works, such as a wrapper over the engine's `anonymize`.
 */
export type TextRedactor = (text: string, findings: readonly Finding[]) => string;

/**
 * The default redactor: each finding becomes `[TYPE]`. Overlapping findings (which the engine
 * already resolves) are merged so no part of either survives.
 *
 * @example
 * ```ts
 * plainRedaction('mail jane@example.org', [{ type: 'EMAIL_ADDRESS', start: 5, end: 21, score: 1, recognizer: 'email' }]);
 * // 'mail [EMAIL_ADDRESS]'
 * ```
 */
export const plainRedaction: TextRedactor = (text, findings) => {
  const sorted = [...findings].sort((a, b) => a.start - b.start || b.end - a.end);
  let out = '';
  let at = 0;
  for (const f of sorted) {
    if (f.end <= at) continue;
    const start = Math.max(f.start, at);
    out += text.slice(at, start) + `[${f.type}]`;
    at = f.end;
  }
  return out + text.slice(at);
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
 * const { text, mediaType } = redactTextDocument(doc, documentText(doc), findings, plainRedaction);
 * ```
 */
export function redactTextDocument(doc: Document, dt: DocumentText, findings: readonly Finding[], redactor: TextRedactor): { text: string; mediaType: string } {
  if (doc.format === 'csv') {
    const table = doc.tables[0] as Table;
    const redactCell = (value: string, row: number, column: number): string => {
      const segment = dt.segments.find((s) => s.ref.kind === 'cell' && s.ref.row === row && s.ref.column === column && s.ref.table === 0);
      if (!segment) return value;
      const local = localFindings(findings, segment.start, segment.end);
      return local.length > 0 ? redactor(value, local) : value;
    };
    const lines = [table.columns.map((c, i) => csvField(redactCell(c, -1, i))).join(',')];
    table.rows.forEach((row, r) => lines.push(row.map((cell, c) => csvField(redactCell(cell, r, c))).join(',')));
    return { text: lines.join('\n') + '\n', mediaType: 'text/csv' };
  }
  if (doc.format === 'json' || doc.format === 'ndjson') {
    const values = doc.records[0]?.values ?? [];
    let cursor = 0;
    const leafSegments = dt.segments.filter((s) => s.ref.kind === 'value');
    // Leaves are visited in the same order documentText laid them out.
    const rewrite = (value: JsonValue): JsonValue => {
      if (typeof value === 'string' || typeof value === 'number') {
        const segment = leafSegments[cursor++];
        if (!segment) return value;
        const local = localFindings(findings, segment.start, segment.end);
        return local.length > 0 ? redactor(String(value), local) : value;
      }
      if (Array.isArray(value)) return value.map((item: JsonValue) => rewrite(item));
      if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value as Record<string, JsonValue>).map(([k, v]) => [k, rewrite(v)]));
      return value;
    };
    const redacted = values.map(rewrite);
    return doc.format === 'json'
      ? { text: JSON.stringify(redacted[0] ?? null, null, 2) + '\n', mediaType: 'application/json' }
      : { text: redacted.map((v) => JSON.stringify(v)).join('\n') + '\n', mediaType: 'application/x-ndjson' };
  }
  // Text, DOCX and e-mail leave as text; tables and records of attachments are part of that text.
  return { text: redactor(dt.text, findings.filter((f) => segmentsIn(dt, f.start, f.end).length > 0)), mediaType: 'text/plain' };
}
