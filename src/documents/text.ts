import type { Box, Document, JsonValue } from './model.js';

/** What a stretch of the document text stands for in the model. */
export type SegmentRef =
  | { readonly kind: 'word'; readonly page: number; readonly line: number; readonly word: number }
  /** `row` is -1 for the header row. */
  | { readonly kind: 'cell'; readonly table: number; readonly row: number; readonly column: number }
  | {
      readonly kind: 'value';
      readonly recordSet: number;
      readonly value: number;
      readonly path: readonly (string | number)[];
    };

/** A half-open range of the document text that holds one word, cell or JSON value verbatim. */
export interface Segment {
  readonly start: number;
  readonly end: number;
  readonly ref: SegmentRef;
}

/** The text detection runs on, and the map from its offsets back into the model. */
export interface DocumentText {
  readonly text: string;
  /** Sorted by `start`, non-overlapping. Text between segments is layout (spaces, labels). */
  readonly segments: readonly Segment[];
}

/** A box on a given page (1-based page number). */
export interface PageBox extends Box {
  readonly page: number;
}

/**
 * Lays the document out as one string: page words joined by spaces and newlines, then every CSV
 * cell as `column: value`, then every JSON leaf as `key: value`. The labels give the detector
 * the context words a column or key name carries ("ssn", "email"); only the values are segments,
 * so only values are ever redacted.
 *
 * @example
 * ```ts
 * const { text, segments } = documentText(doc);
 * const findings = analyze(text);
 * const where = locate({ text, segments }, doc, findings[0]); // pages and boxes
 * ```
 */
export function documentText(doc: Document): DocumentText {
  const parts: string[] = [];
  const segments: Segment[] = [];
  let offset = 0;
  const push = (chunk: string, ref?: SegmentRef): void => {
    if (ref && chunk.length > 0) segments.push({ start: offset, end: offset + chunk.length, ref });
    parts.push(chunk);
    offset += chunk.length;
  };

  doc.pages.forEach((page, p) => {
    if (p > 0) push('\n\n');
    page.lines.forEach((line, l) => {
      if (l > 0) push('\n');
      line.words.forEach((word, w) => {
        if (w > 0 && word.spaceBefore) push(' ');
        push(word.text, { kind: 'word', page: p, line: l, word: w });
      });
    });
  });

  doc.tables.forEach((table, t) => {
    if (offset > 0) push('\n\n');
    table.columns.forEach((name, c) => {
      if (c > 0) push('\t');
      push(name, { kind: 'cell', table: t, row: -1, column: c });
    });
    table.rows.forEach((row, r) => {
      row.forEach((cell, c) => {
        push('\n');
        const label = table.columns[c];
        if (label) push(`${label}: `);
        push(cell, { kind: 'cell', table: t, row: r, column: c });
      });
    });
  });

  doc.records.forEach((set, s) => {
    set.values.forEach((value, v) => {
      if (offset > 0) push('\n\n');
      walkJson(value, [], (leaf, path) => {
        push('\n');
        const key = [...path].reverse().find((k) => typeof k === 'string');
        if (key !== undefined) push(`${key}: `);
        push(leaf, { kind: 'value', recordSet: s, value: v, path });
      });
    });
  });

  return { text: parts.join(''), segments };
}

/** Calls `visit` with every string and number leaf of a JSON value, as text, with its path. */
export function walkJson(
  value: JsonValue,
  path: (string | number)[],
  visit: (leaf: string, path: readonly (string | number)[]) => void,
): void {
  if (typeof value === 'string') visit(value, path);
  else if (typeof value === 'number') visit(String(value), path);
  else if (Array.isArray(value)) value.forEach((item: JsonValue, i) => walkJson(item, [...path, i], visit));
  else if (value !== null && typeof value === 'object')
    for (const [key, item] of Object.entries(value as Record<string, JsonValue>))
      walkJson(item, [...path, key], visit);
}

/** The segments a range of the text touches, found by binary search. */
export function segmentsIn(dt: DocumentText, start: number, end: number): Segment[] {
  const { segments } = dt;
  let lo = 0;
  let hi = segments.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (segments[mid]!.end <= start) lo = mid + 1;
    else hi = mid;
  }
  const hits: Segment[] = [];
  for (let i = lo; i < segments.length && segments[i]!.start < end; i++) hits.push(segments[i]!);
  return hits;
}

/** Where a range of the document text is: the boxes of the words it touches, and their pages. */
export interface Location {
  /** The first page the range touches (1-based), or null when it is not on a page (a cell, a JSON value). */
  readonly page: number | null;
  readonly boxes: readonly PageBox[];
  /** The CSV cell (`row` -1 is the header) or the JSON path, for tabular and record input. */
  readonly cell?: { readonly table: number; readonly row: number; readonly column: number };
  readonly path?: string;
}

/**
 * Maps a range of the document text (a finding) back to the model: page numbers and word boxes
 * (a whole word's box, even when the range covers part of it, so redaction errs on the safe side),
 * or the cell or JSON path.
 *
 * @example
 * ```ts
 * locate(dt, doc, { start: 10, end: 21 }); // { page: 1, boxes: [{ page: 1, x: 72, y: 90, width: 60, height: 12 }] }
 * ```
 */
export function locate(
  dt: DocumentText,
  doc: Document,
  range: { readonly start: number; readonly end: number },
): Location {
  const boxes: PageBox[] = [];
  let page: number | null = null;
  let cell: Location['cell'];
  let path: string | undefined;
  for (const { ref } of segmentsIn(dt, range.start, range.end)) {
    if (ref.kind === 'word') {
      const p = doc.pages[ref.page];
      const word = p?.lines[ref.line]?.words[ref.word];
      if (!p || !word) continue;
      page ??= p.number;
      if (word.box) boxes.push({ page: p.number, ...word.box });
    } else if (ref.kind === 'cell') {
      cell ??= { table: ref.table, row: ref.row, column: ref.column };
    } else {
      path ??= jsonPointer(ref.path);
    }
  }
  return { page, boxes, ...(cell ? { cell } : {}), ...(path !== undefined ? { path } : {}) };
}

/** RFC 6901 JSON pointer for a path. */
export function jsonPointer(path: readonly (string | number)[]): string {
  return path.map((k) => `/${String(k).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}
