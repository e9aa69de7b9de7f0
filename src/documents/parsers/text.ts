import chardet from 'chardet';
import type { Document, Line } from '../model.js';

/**
 * Decodes bytes to a string: a byte-order mark wins, then strict UTF-8, then the charset chardet
 * guesses (windows-1252, ISO-8859-x, Shift_JIS, ...) through the WHATWG decoder.
 *
 * @example
 * ```ts
 * decodeText(new Uint8Array([0x63, 0x61, 0x66, 0xe9])); // 'café' (windows-1252)
 * ```
 */
export function decodeText(bytes: Uint8Array): string {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf)
    return new TextDecoder('utf-8').decode(bytes.subarray(3));
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes.subarray(2));
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder('utf-16be').decode(bytes.subarray(2));
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    // Not UTF-8: fall through to detection.
  }
  const guess = chardet.detect(bytes.subarray(0, 64 * 1024));
  try {
    if (guess) return new TextDecoder(guess.toLowerCase()).decode(bytes);
  } catch {
    // A name chardet knows but the WHATWG decoder does not: windows-1252 decodes any byte.
  }
  return new TextDecoder('windows-1252').decode(bytes);
}

/** True when decoded text looks like binary data (control characters other than layout). */
export function looksBinary(text: string): boolean {
  const sample = text.slice(0, 8192);
  if (sample.length === 0) return false;
  let control = 0;
  for (let i = 0; i < sample.length; i++) {
    const c = sample.charCodeAt(i);
    if ((c < 32 && c !== 9 && c !== 10 && c !== 13 && c !== 12) || c === 0xfffd) control++;
  }
  return control / sample.length > 0.02;
}

/** Lines of text as model lines: each line one word without a box, so the text is kept verbatim. */
export function textLines(text: string): Line[] {
  return text
    .split('\n')
    .map((line) => ({ words: line.length > 0 ? [{ text: line, box: null, spaceBefore: false }] : [] }));
}

/**
 * Parses plain text into a one-page document whose text is the decoded input, unchanged.
 *
 * @example
 * ```ts
 * parseText('Call 212-555-0199').pages[0].lines.length; // 1
 * ```
 */
export function parseText(text: string, mediaType = 'text/plain'): Document {
  return {
    format: 'text',
    mediaType,
    pages: [{ number: 1, width: 0, height: 0, unit: null, source: 'text', lines: textLines(text) }],
    tables: [],
    records: [],
  };
}
