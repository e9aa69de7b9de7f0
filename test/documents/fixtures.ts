// Fixtures built at test time, so no binary test data is committed.
import JSZip from 'jszip';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import sharp from 'sharp';

export const CANARY_EMAIL = 'zelda.canary@example.org';
export const CANARY_SSN = '536-22-8104';

/** A text PDF: one line per entry of `pages[i]`, Helvetica 14 pt, with document metadata set. */
export async function textPdf(pages: readonly (readonly string[])[], metadata = true): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  if (metadata) {
    doc.setAuthor(CANARY_EMAIL);
    doc.setTitle(`Record ${CANARY_SSN}`);
    doc.setSubject(CANARY_EMAIL);
  }
  for (const lines of pages) {
    const page = doc.addPage([612, 792]);
    lines.forEach((line, i) => page.drawText(line, { x: 72, y: 700 - i * 24, size: 14, font }));
  }
  return doc.save({ useObjectStreams: false });
}

/** A PNG of black text lines on white, rendered from SVG by sharp. */
export async function textImage(
  lines: readonly string[],
  options: { width?: number; exif?: boolean; format?: 'png' | 'jpeg' } = {},
): Promise<Uint8Array> {
  const width = options.width ?? 1000;
  const height = 60 + lines.length * 60;
  const text = lines
    .map(
      (line, i) =>
        `<text x="30" y="${70 + i * 60}" font-family="DejaVu Sans, sans-serif" font-size="34">${line.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</text>`,
    )
    .join('');
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><rect width="100%" height="100%" fill="white"/>${text}</svg>`;
  let image = sharp(Buffer.from(svg));
  if (options.exif) image = image.withExif({ IFD0: { Artist: CANARY_EMAIL, ImageDescription: CANARY_SSN } });
  return options.format === 'jpeg' ? image.jpeg({ quality: 95 }).toBuffer() : image.png().toBuffer();
}

/** A minimal DOCX: paragraphs in the body, one in a header. */
export async function docx(paragraphs: readonly string[], header?: string): Promise<Uint8Array> {
  const zip = new JSZip();
  const p = (text: string): string =>
    `<w:p><w:r><w:t xml:space="preserve">${text.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</w:t></w:r></w:p>`;
  const ns = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"';
  zip.file(
    '[Content_Types].xml',
    '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
  );
  zip.file(
    '_rels/.rels',
    '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>',
  );
  zip.file(
    'word/document.xml',
    `<?xml version="1.0"?><w:document ${ns}><w:body>${paragraphs.map(p).join('')}</w:body></w:document>`,
  );
  if (header) zip.file('word/header1.xml', `<?xml version="1.0"?><w:hdr ${ns}>${p(header)}</w:hdr>`);
  return zip.generateAsync({ type: 'uint8array', compression: 'DEFLATE' });
}

/** An e-mail with a text body and optional base64 attachments. */
export function eml(
  body: string,
  attachments: readonly { name: string; type: string; content: Uint8Array }[] = [],
): Uint8Array {
  const boundary = 'veil-boundary-1';
  const parts = [`--${boundary}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n${body}\r\n`];
  for (const a of attachments)
    parts.push(
      `--${boundary}\r\nContent-Type: ${a.type}; name="${a.name}"\r\nContent-Disposition: attachment; filename="${a.name}"\r\nContent-Transfer-Encoding: base64\r\n\r\n${Buffer.from(a.content).toString('base64').replace(/.{76}/g, '$&\r\n')}\r\n`,
    );
  const message =
    `From: Sender <sender@example.com>\r\nTo: Records <records@example.com>\r\nSubject: Case file\r\nMessage-ID: <1@example.com>\r\nMIME-Version: 1.0\r\n` +
    `Content-Type: multipart/mixed; boundary="${boundary}"\r\n\r\n${parts.join('')}--${boundary}--\r\n`;
  return new TextEncoder().encode(message);
}

export const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

/** Every place a canary could hide in output bytes: Latin-1, UTF-16 (both orders), and PDF hex strings of those. */
export function rawContains(bytes: Uint8Array, value: string): boolean {
  const buffer = Buffer.from(bytes);
  const utf16be = Buffer.from(value, 'utf16le').swap16();
  const forms = [Buffer.from(value, 'latin1'), Buffer.from(value, 'utf16le'), utf16be];
  const hex = [
    ...forms.map((f) => f.toString('hex')),
    ...forms.map((f) => f.toString('hex').toUpperCase()),
  ].map((h) => Buffer.from(h, 'latin1'));
  return [...forms, ...hex].some((form) => buffer.includes(form));
}
