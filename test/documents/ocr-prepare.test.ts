import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createCanvas } from '@napi-rs/canvas';
import sharp from 'sharp';
import { closeDocumentResources, documentText, parseDocument } from '../../src/documents/index.js';
import { glyphHeight } from '../../src/documents/ocr/glyph-height.js';
import { nativeTesseractAvailable } from '../../src/documents/ocr/native.js';
import { prepareForOcr } from '../../src/documents/ocr/prepare.js';
import { createOcr } from '../../src/documents/ocr/select.js';
import { EVAL_URL } from '../repo-paths.js';

// The preparation is tesseract's (glyph size, automatic layout when one block reads nothing): these
// tests read with tesseract, the CLI where installed as `auto` once chose, not with PP-OCR.
const tesseract = createOcr((await nativeTesseractAvailable()) ? 'native' : 'wasm');
const read = { ocr: tesseract };

after(async () => {
  await tesseract.close();
  await closeDocumentResources();
});

const LINES = ['INVOICE NO 4521', 'TOTAL DUE 12.90', 'PAID BY CARD ON 12/03/2024'];

/** Black upper-case lines in DejaVu Sans at `size` px on white, as a PNG. */
function receipt(size: number, width = 600, height = 300): Buffer {
  const canvas = createCanvas(width, height);
  const g = canvas.getContext('2d');
  g.fillStyle = 'white';
  g.fillRect(0, 0, width, height);
  g.fillStyle = 'black';
  g.font = `${size}px DejaVu Sans`;
  LINES.forEach((line, i) => g.fillText(line, 20, 40 + i * size * 2));
  return canvas.toBuffer('image/png');
}

async function grey(png: Buffer): Promise<{ data: Buffer; width: number; height: number }> {
  const { data, info } = await sharp(png).greyscale().raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

describe('glyph height', () => {
  test('is the cap height of upper-case text (DejaVu Sans: 0.73 em)', async () => {
    for (const [size, cap] of [
      [14, 10],
      [20, 14],
      [34, 25],
    ] as const) {
      const { data, width, height } = await grey(receipt(size));
      assert.equal(glyphHeight(data, width, height), cap, `${size} px text`);
    }
  });

  test('is unknown on blank paper and on specks alone', async () => {
    const blank = new Uint8Array(200 * 100).fill(255);
    assert.equal(glyphHeight(blank, 200, 100), undefined);
    const specks = new Uint8Array(200 * 100).fill(255);
    for (let i = 0; i < specks.length; i += 97) specks[i] = 0;
    assert.equal(glyphHeight(specks, 200, 100), undefined);
  });
});

describe('preparing an image for OCR', () => {
  test('enlarges small text to about 24 px glyphs and leaves large text at its size', async () => {
    const small = await prepareForOcr(sharp(receipt(14)));
    assert.deepEqual([small.glyphHeight, small.scale, small.width, small.height], [10, 2.4, 600, 300]);
    assert.deepEqual(
      await sharp(small.png)
        .metadata()
        .then((m) => [m.width, m.height, m.channels]),
      [1440, 720, 1],
    );
    const large = await prepareForOcr(sharp(receipt(34)));
    assert.deepEqual([large.glyphHeight, large.scale], [25, 1]);
    assert.deepEqual(
      await sharp(large.png)
        .metadata()
        .then((m) => [m.width, m.height, m.channels]),
      [600, 300, 1],
    );
  });

  test('enlarges at most 3 times', async () => {
    const tiny = await prepareForOcr(sharp(receipt(8)));
    assert.equal(tiny.glyphHeight, 7);
    assert.equal(tiny.scale, 3);
  });

  test('small text is read, with boxes in pixels of the original image', async () => {
    const doc = await parseDocument(receipt(14), read);
    const page = doc.pages[0]!;
    assert.deepEqual([page.width, page.height], [600, 300]);
    assert.equal(documentText(doc).text, LINES.join('\n'));
    const total = page.lines[1]!.words[0]!;
    assert.ok(total.box, 'OCR words carry boxes');
    // fillText at x=20, baseline y=40+28=68; cap height 10 px.
    assert.ok(Math.abs(total.box.x - 20) <= 3, `TOTAL starts at x=20 (${total.box.x})`);
    assert.ok(Math.abs(total.box.y - 58) <= 3, `TOTAL top at y=58 (${total.box.y})`);
    assert.ok(Math.abs(total.box.height - 10) <= 3, `TOTAL is 10 px tall (${total.box.height})`);
  });
});

test('a scanned PDF page with tiny text is prepared the same way (unprepared, tesseract misreads it), with boxes in points', async () => {
  const { PDFDocument } = await import('pdf-lib');
  const pdf = await PDFDocument.create();
  const image = await pdf.embedPng(receipt(8));
  // Scanned at 300 dpi, the resolution pages are rendered at: 6 px glyphs, as in the image.
  const [width, height] = [(600 * 72) / 300, (300 * 72) / 300];
  pdf.addPage([width, height]).drawImage(image, { x: 0, y: 0, width, height });
  const doc = await parseDocument(await pdf.save(), read);
  const page = doc.pages[0]!;
  assert.equal(page.source, 'ocr');
  assert.equal(documentText(doc).text, LINES.join('\n'));
  const total = page.lines[1]!.words[0]!;
  // fillText at x=20, baseline y=40+16=56, cap height 6 px: at 300 dpi, x 4.8 pt and top 12 pt.
  assert.ok(
    total.box && Math.abs(total.box.x - 4.8) <= 1 && Math.abs(total.box.y - 12) <= 1,
    JSON.stringify(total.box),
  );
});

test('a page that is mostly a ruled table, which one uniform block reads as nothing, is read with automatic layout', async () => {
  const canvas = createCanvas(2480, 3508);
  const g = canvas.getContext('2d');
  g.fillStyle = 'white';
  g.fillRect(0, 0, 2480, 3508);
  g.lineWidth = 4;
  for (let r = 0; r <= 3; r++) g.strokeRect(120, 40 + r * 90, 2280, 0);
  for (const x of [120, 340, 1160, 1480, 1760, 2090, 2400]) g.strokeRect(x, 40, 0, 270);
  g.fillStyle = 'black';
  g.font = '40px DejaVu Sans';
  g.fillText('Account balances at banks', 350, 105);
  const doc = await parseDocument(canvas.toBuffer('image/png'), read);
  assert.equal(documentText(doc).text, 'Account balances at banks');
});

const sroie = fileURLToPath(new URL('sroie/', EVAL_URL));
if (!existsSync(sroie))
  test('SROIE receipts', { skip: `../shared/eval/sroie not found at ${sroie}` }, () => undefined);
else
  test('SROIE receipt 036 (72 dpi, 10 px glyphs): company, date and total are read once enlarged', async () => {
    const bytes = readFileSync(`${sroie}img/036.jpg`);
    const key = JSON.parse(readFileSync(`${sroie}key/036.json`, 'utf8')) as Record<
      'company' | 'date' | 'total',
      string
    >;
    assert.equal((await prepareForOcr(sharp(bytes))).glyphHeight, 10);
    const squash = (text: string): string => text.replace(/\s+/g, '').toUpperCase();
    const text = squash(documentText(await parseDocument(bytes, read)).text);
    for (const field of ['company', 'date', 'total'] as const)
      assert.ok(text.includes(squash(key[field])), `${field} found`);
  });
