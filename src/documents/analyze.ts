import { createAnalyzer, type AnalyzeOptions } from '../engine/analyze.js';
import type { Finding } from '../engine/types.js';
import type { Document, DocumentFormat } from './model.js';
import { parseContext, parseWithContext, type ParseOptions } from './parse.js';
import { documentText, locate, type DocumentText, type Location } from './text.js';

/** A finding in a document: the engine's finding (offsets into `documentText`) and where it is. */
export type DocumentFinding = Finding & Location;

export interface AnalyzeDocumentOptions extends ParseOptions {
  /** Detection options passed to the engine (entities, threshold, allow and deny lists, ...). */
  readonly detection?: AnalyzeOptions;
}

export interface DocumentAnalysis {
  readonly format: DocumentFormat;
  readonly mediaType: string;
  readonly pageCount: number;
  readonly findings: readonly DocumentFinding[];
}

/** Detection over a parsed document: the text, the findings and their locations. */
export function detectInDocument(
  doc: Document,
  detect: (text: string) => Finding[],
): { dt: DocumentText; findings: DocumentFinding[] } {
  const dt = documentText(doc);
  return { dt, findings: locateFindings(dt, doc, detect(dt.text)) };
}

/**
 * Findings made in a document's text (`documentText(doc)`), each with where it is in the document.
 *
 * @example
 * ```ts
 * const dt = documentText(doc);
 * const located = locateFindings(dt, doc, analyze(dt.text));
 * ```
 */
export function locateFindings(
  dt: DocumentText,
  doc: Document,
  findings: readonly Finding[],
): DocumentFinding[] {
  return findings.map((f) => ({ ...f, ...locate(dt, doc, f) }));
}

/**
 * Parses a document of any supported type and detects personal data in it. Each finding carries
 * its type, score and offsets into the document text, plus its page and word boxes (PDF points or
 * image pixels, top-left origin), or its CSV cell or JSON pointer. No detected value is returned.
 *
 * @example
 * ```ts
 * const { findings } = await analyzeDocument(await readFile('letter.pdf'));
 * // [{ type: 'US_SSN', page: 1, boxes: [{ page: 1, x: 203.4, y: 78, width: 88.1, height: 17.5 }], ... }]
 * ```
 */
export async function analyzeDocument(
  bytes: Uint8Array,
  options: AnalyzeDocumentOptions = {},
): Promise<DocumentAnalysis> {
  const detect = createAnalyzer(options.detection);
  const doc = await parseWithContext(bytes, parseContext(options));
  const { findings } = detectInDocument(doc, detect);
  return { format: doc.format, mediaType: doc.mediaType, pageCount: doc.pages.length, findings };
}
