import { fileTypeFromBuffer } from 'file-type';
import { VeilError } from '../errors/veil-error.js';
import { resolveLimits, type DocumentLimits } from './limits.js';
import type { Document, DocumentFormat } from './model.js';
import type { OcrEngine } from './ocr/engine.js';
import { sharedOcr } from './ocr/select.js';
import type { OcrMode, ParseContext, ProgressEvent } from './parsers/context.js';
import { looksLikeCsv, parseCsv } from './parsers/csv.js';
import { parseDocx } from './parsers/docx.js';
import { parseEmail } from './parsers/email.js';
import { IMAGE_TYPES, parseImage } from './parsers/image.js';
import { jsonKind, parseJson } from './parsers/json.js';
import { parsePdf } from './parsers/pdf.js';
import { decodeText, looksBinary, parseText } from './parsers/text.js';

export interface ParseOptions {
  /** Overrides of the default limits (see `DEFAULT_LIMITS`). */
  readonly limits?: Partial<DocumentLimits>;
  /** The OCR engine; by default a shared tesseract.js pool sized to the cores, started on first use. */
  readonly ocr?: OcrEngine;
  /** Which PDF pages are OCR'd (default `auto`: pages without usable text). Images are always OCR'd unless `never`. */
  readonly ocrMode?: OcrMode;
  /** Called after each page, for progress bars. */
  readonly onProgress?: (event: ProgressEvent) => void;
  /**
   * Input minimisation: only these 1-based pages of a PDF (frames of an image) are parsed and
   * OCR'd; the others are never rendered or read. Page numbers in the result stay the document's.
   */
  readonly pages?: readonly number[];
  /**
   * Input minimisation within pages (PDF): only the words inside a page's regions (fractions of
   * the page, top-left origin; by the centre of each word's box) are kept, whether they come from
   * the text layer (filtered in the PDF worker) or from OCR; a page that has to be rendered for
   * OCR is rendered and OCR'd only inside the box holding its regions. Pages without a region are
   * read whole. Images are not cut here (see the jobs' `parseImageRegions`).
   */
  readonly regions?: readonly PageRegion[];
}

/** A region of a page as fractions of its width and height (0 to 1, top-left origin). */
export interface PageRegion {
  readonly page: number;
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/** What the content is, found from the bytes alone. */
export interface SniffedType {
  readonly format: DocumentFormat;
  readonly mediaType: string;
  /** The decoded text, for text formats (decoded once, here). */
  readonly text?: string;
}

const EMAIL_HEADER =
  /^(from|to|subject|date|received|message-id|mime-version|return-path|delivered-to|x-[\w-]+|content-type|reply-to|cc):/i;

function looksLikeEmail(text: string): boolean {
  const head = text.slice(0, 16 * 1024).split(/\r?\n\r?\n/, 1)[0] ?? '';
  const lines = head.split(/\r?\n/).filter((l) => !/^\s/.test(l));
  const named = lines.filter((l) => EMAIL_HEADER.test(l));
  return (
    named.length >= 2 &&
    named.length === lines.length &&
    lines.some((l) => /^(from|received|message-id|mime-version):/i.test(l))
  );
}

/** Options of {@link sniffType}. */
export interface SniffOptions {
  /**
   * Whether text is told apart as JSON, NDJSON, e-mail or CSV (default true). A caller that reads
   * any text-like content as one text (a job declared `text/plain`) passes false: text is then
   * `text`, and the CSV structure check, the costliest part of sniffing, is skipped.
   */
  readonly classifyText?: boolean;
}

/**
 * Finds the format from the content: magic bytes (via file-type) for binary formats, then, for
 * text, JSON, NDJSON, e-mail headers or CSV structure, else plain text. The extension is never
 * consulted, so a renamed file cannot pick its own parser.
 *
 * @example
 * ```ts
 * (await sniffType(pdfBytes)).format; // 'pdf'
 * ```
 */
export async function sniffType(bytes: Uint8Array, options: SniffOptions = {}): Promise<SniffedType> {
  // pdf.js accepts a header anywhere in the first kilobyte, as real-world PDFs need.
  const head = new TextDecoder('latin1').decode(bytes.subarray(0, 1024));
  if (head.includes('%PDF-')) return { format: 'pdf', mediaType: 'application/pdf' };
  const detected = await fileTypeFromBuffer(bytes);
  if (detected) {
    const image = IMAGE_TYPES[detected.ext];
    if (image) return { format: 'image', mediaType: image };
    if (detected.ext === 'docx') return { format: 'docx', mediaType: detected.mime };
    if (detected.ext === 'eml') return { format: 'email', mediaType: 'message/rfc822' };
    throw new VeilError('VEIL_UNSUPPORTED_TYPE', `documents of type ${detected.mime} are not supported`);
  }
  const text = decodeText(bytes);
  if (bytes.includes(0) || looksBinary(text))
    throw new VeilError('VEIL_UNSUPPORTED_TYPE', 'binary content of an unknown type is not supported');
  if (options.classifyText === false) return { format: 'text', mediaType: 'text/plain', text };
  const json = jsonKind(text);
  if (json === 'json') return { format: 'json', mediaType: 'application/json', text };
  if (json === 'ndjson') return { format: 'ndjson', mediaType: 'application/x-ndjson', text };
  if (looksLikeEmail(text)) return { format: 'email', mediaType: 'message/rfc822', text };
  if (looksLikeCsv(text)) return { format: 'csv', mediaType: 'text/csv', text };
  return { format: 'text', mediaType: 'text/plain', text };
}

/** Parses with a ready context; e-mail attachments come back through here one level deeper. */
export async function parseWithContext(bytes: Uint8Array, context: ParseContext): Promise<Document> {
  if (bytes.length > context.limits.maxBytes)
    throw new VeilError(
      'VEIL_LIMIT_BYTES',
      `document is larger than limits.maxBytes (${context.limits.maxBytes} bytes)`,
    );
  const type = await sniffType(bytes);
  switch (type.format) {
    case 'pdf':
      return parsePdf(bytes, context);
    case 'image':
      return parseImage(bytes, type.mediaType, context);
    case 'docx':
      return parseDocx(bytes, context.limits);
    case 'email':
      return parseEmail(bytes, context, parseWithContext);
    case 'json':
    case 'ndjson':
      return parseJson(type.text ?? '', type.format, context.limits);
    case 'csv':
      return parseCsv(type.text ?? '');
    case 'text':
      return parseText(type.text ?? '');
  }
}

/** Builds the parse context from caller options (limits validated here, once). */
export function parseContext(options: ParseOptions, stage: ProgressEvent['stage'] = 'parse'): ParseContext {
  return {
    limits: resolveLimits(options.limits),
    ocr: () => options.ocr ?? sharedOcr(),
    ocrMode: options.ocrMode ?? 'auto',
    depth: 0,
    stage,
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    ...(options.pages ? { pages: options.pages } : {}),
    ...(options.regions ? { regions: options.regions } : {}),
  };
}

/**
 * Parses any supported document into the Document model. The type comes from the content; every
 * limit is enforced; failures are VeilErrors with stable codes and messages free of content.
 *
 * @example
 * ```ts
 * const doc = await parseDocument(await readFile('scan.pdf'));
 * doc.pages.length; // 3
 * ```
 */
export async function parseDocument(bytes: Uint8Array, options: ParseOptions = {}): Promise<Document> {
  if (!(bytes instanceof Uint8Array))
    throw new VeilError('VEIL_INVALID_INPUT', 'parseDocument: `bytes` must be a Uint8Array');
  return parseWithContext(bytes, parseContext(options));
}
