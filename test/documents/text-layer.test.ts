import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { closeDocumentResources, documentText, parseDocument } from '../../src/documents/index.js';
import type { Line } from '../../src/documents/model.js';
import { needsOcr } from '../../src/documents/pdf/text-layer.js';
import { EVAL_URL } from '../repo-paths.js';

after(closeDocumentResources);

const lines = (...texts: string[]): Line[] =>
  texts.map((t) => ({ words: t.split(' ').map((w, i) => ({ text: w, box: null, spaceBefore: i > 0 })) }));

describe('whether a PDF text layer can be trusted', () => {
  test("readable text is kept; an empty layer is OCR'd", () => {
    assert.equal(needsOcr(lines('Report due on 3 May', 'Patient: Jane Doe')), false);
    assert.equal(needsOcr(lines('')), true);
  });

  test("a font whose codes are not Unicode (shifted letters, a control character per space) is OCR'd", () => {
    // "Report due for Jane Doe" through a code shift of 29, as such fonts extract.
    const shifted = [...'Report\u0020due\u0020for\u0020Jane\u0020Doe']
      .map((c) => String.fromCharCode(c.charCodeAt(0) - 29))
      .join('');
    assert.equal(needsOcr(lines(shifted)), true);
    assert.equal(needsOcr(lines('Rep\ufffd\ufffdt d\ufffde')), true);
  });

  test('one stray control character in a page of text is not a broken encoding', () => {
    assert.equal(needsOcr(lines(`${'Plain words of a long paragraph. '.repeat(20)}\u0003`)), false);
  });
});

const sample = fileURLToPath(new URL('pdf/samples/contrib/issue-791-non-unicode-cmap.pdf', EVAL_URL));
test(
  'pdfminer sample with a non-Unicode CMap is read by OCR, not as garbage',
  { skip: existsSync(sample) ? false : `../shared/eval not found (${sample})` },
  async () => {
    const doc = await parseDocument(readFileSync(sample));
    assert.equal(doc.pages[0]!.source, 'ocr');
    // "Peněžní prostředky na účtech": the models read English letters, so the Czech accents are
    // misread (tesseract: look-alike letters) or dropped (PP-OCR, the default: "Peneni"), never
    // the words around them, as a non-Unicode font's codes would be.
    assert.match(documentText(doc).text, /^Pen.{1,2}z?n. prost.{1,3}edky na .{1,2}.tech$/);
  },
);
