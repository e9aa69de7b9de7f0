import { VeilError } from '../../errors/veil-error.js';
import { openZip } from '../archive/zip.js';
import type { DocumentLimits } from '../limits.js';
import type { Document, Line } from '../model.js';

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decodeXml(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);/g, (whole, name: string) => {
    if (name.startsWith('#x')) return String.fromCodePoint(Number.parseInt(name.slice(2), 16));
    if (name.startsWith('#')) return String.fromCodePoint(Number.parseInt(name.slice(1), 10));
    return ENTITIES[name] ?? whole;
  });
}

/** Paragraph texts of a WordprocessingML part: `w:t` runs, with tabs and breaks kept as whitespace. */
export function wordParagraphs(xml: string): string[] {
  const paragraphs: string[] = [];
  for (const [paragraph] of xml.matchAll(/<w:p[\s>][\s\S]*?<\/w:p>|<w:p\/>/g)) {
    let text = '';
    for (const token of paragraph.matchAll(/<w:t(?:\s[^>]*)?>([^<]*)<\/w:t>|<w:(tab|br|cr)\b[^>]*\/>/g)) {
      if (token[1] !== undefined) text += decodeXml(token[1]);
      else text += token[2] === 'tab' ? '\t' : '\n';
    }
    paragraphs.push(...text.split('\n'));
  }
  return paragraphs;
}

/**
 * Parses a DOCX through the bounded zip reader: the body, then headers, footers, footnotes,
 * endnotes and comments, since personal data hides in all of them. Entries are never written to
 * disk.
 *
 * @example
 * ```ts
 * parseDocx(bytes, DEFAULT_LIMITS).pages[0].lines; // one line per paragraph
 * ```
 */
export function parseDocx(bytes: Uint8Array, limits: DocumentLimits): Document {
  const zip = openZip(bytes, limits);
  const parts = zip.entries
    .map((e) => e.name)
    .filter((name) => /^word\/(document|header\d*|footer\d*|footnotes|endnotes|comments)\.xml$/.test(name))
    .sort((a, b) => (a === 'word/document.xml' ? -1 : b === 'word/document.xml' ? 1 : a.localeCompare(b)));
  if (!parts.includes('word/document.xml'))
    throw new VeilError('VEIL_MALFORMED_DOCUMENT', 'DOCX: word/document.xml is missing');
  const lines: Line[] = [];
  for (const name of parts) {
    const xml = new TextDecoder().decode(zip.read(name));
    for (const paragraph of wordParagraphs(xml))
      lines.push({ words: paragraph.length > 0 ? [{ text: paragraph, box: null, spaceBefore: false }] : [] });
  }
  return {
    format: 'docx',
    mediaType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    pages: [{ number: 1, width: 0, height: 0, unit: null, source: 'text', lines }],
    tables: [],
    records: [],
  };
}
