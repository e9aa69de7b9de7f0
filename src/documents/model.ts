/**
 * The one document model every parser produces. Geometry-bearing formats (PDF, images) fill
 * `pages` with words and boxes; text formats fill one page whose words have no box; CSV fills
 * `tables`; JSON and NDJSON fill `records`. Detection never looks at the model directly: it runs
 * on `documentText(doc)`, whose offset map leads every finding back to its page, boxes, cell or
 * JSON path.
 */

/** The formats Veil parses, named after what the content is, never after a file name. */
export type DocumentFormat = 'pdf' | 'image' | 'docx' | 'email' | 'text' | 'csv' | 'json' | 'ndjson';

/**
 * An axis-aligned rectangle with a top-left origin, in the page's `unit`: PDF points for PDF pages
 * (whatever the page rotation or crop box), pixels for images.
 */
export interface Box {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/** A word (or unbreakable run) of text and where it is drawn. */
export interface Word {
  readonly text: string;
  /** Where the word is drawn; null for formats without geometry (text, DOCX, e-mail). */
  readonly box: Box | null;
  /** True when a space separates this word from the previous one on its line. */
  readonly spaceBefore: boolean;
  /** OCR confidence in [0, 1]; absent for text layers. */
  readonly confidence?: number;
  /**
   * Per character of `text` (UTF-16 units), the probability the OCR model gave to its being another
   * letter or digit that no check of the engine would have put right (`ctc-doubt.ts`): 0 for
   * punctuation and for letters of a lexicon word. A word's mean `confidence` hides one doubtful
   * letter among sure ones (`U13/EG` for `U13/BG` at 0.97); a field's confidence reads these.
   * Absent when the engine gives none (tesseract, text layers).
   */
  readonly doubts?: readonly number[];
}

/** Words on one line, in reading order. */
export interface Line {
  readonly words: readonly Word[];
}

/**
 * Where a page's words came from: `text-layer+ocr` is a PDF page whose text layer is kept and
 * whose large images (a pasted scan, a photographed ID) were OCR'd, their words added after it.
 */
export type PageSource = 'text-layer' | 'ocr' | 'text-layer+ocr' | 'text';

export interface Page {
  /** 1-based page number within the whole document (attachments continue the numbering). */
  readonly number: number;
  readonly width: number;
  readonly height: number;
  readonly unit: 'pt' | 'px' | null;
  readonly source: PageSource;
  readonly lines: readonly Line[];
  /** The attachment this page came from (e-mail), by file name; absent for the document itself. */
  readonly origin?: string;
}

/** A table of text cells (CSV). The header row, when present, is in `columns`, not in `rows`. */
export interface Table {
  readonly columns: readonly string[];
  readonly rows: readonly (readonly string[])[];
  readonly origin?: string;
}

/** A JSON value as parsed. */
export type JsonValue =
  null | boolean | number | string | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/** JSON documents or NDJSON lines, one value each. */
export interface RecordSet {
  readonly values: readonly JsonValue[];
  readonly origin?: string;
}

export interface Document {
  readonly format: DocumentFormat;
  /** The media type detected from the content. */
  readonly mediaType: string;
  readonly pages: readonly Page[];
  readonly tables: readonly Table[];
  readonly records: readonly RecordSet[];
}
