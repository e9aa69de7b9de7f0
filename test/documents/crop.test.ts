import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import sharp from 'sharp';
import {
  closeDocumentResources,
  documentText,
  parseDocument,
  renderFieldCrop,
  type Box,
  type CropRequest,
  type Document,
} from '../../src/documents/index.js';
import { createAnalyzer } from '../../src/engine/analyze.js';
import type { Finding } from '../../src/engine/types.js';
import { isVeilError } from '../../src/errors/veil-error.js';
import { textImage, utf8 } from './fixtures.js';

after(closeDocumentResources);

const NEIGHBOUR = 'Maria Lopez';
const MEMBER = 'Ann Quigley';
const TOTAL = '1,234,567.89';

/** A receipt-like PNG: labels on the left, values in a column on the right, names under the total. */
async function receipt(): Promise<Uint8Array> {
  const rows: [number, number, string][] = [
    [30, 60, 'GROCER MART SDN BHD'],
    [30, 110, 'Receipt 20417   12/03/2024'],
    [30, 170, 'TOTAL'],
    [330, 170, TOTAL],
    [30, 214, 'Cashier'],
    [330, 214, NEIGHBOUR],
    [30, 258, 'Member'],
    [330, 258, MEMBER],
    [30, 314, 'Thank you, come again'],
  ];
  const text = rows
    .map(
      ([x, y, t]) =>
        `<text x="${x}" y="${y}" font-family="DejaVu Sans, sans-serif" font-size="30">${t}</text>`,
    )
    .join('');
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="700" height="350"><rect width="100%" height="100%" fill="white"/>${text}</svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}

/** A one-page text PDF of label and value rows (Helvetica 14 pt, rows 24 pt apart, values at x = 250 pt). */
async function labelledPdf(rows: readonly (readonly [string, string])[]): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  const font = await pdf.embedFont(StandardFonts.Helvetica);
  const page = pdf.addPage([612, 792]);
  rows.forEach(([label, value], i) => {
    page.drawText(label, { x: 72, y: 700 - i * 24, size: 14, font });
    if (value) page.drawText(value, { x: 250, y: 700 - i * 24, size: 14, font });
  });
  return pdf.save();
}

/** The union of the boxes of the words that spell `value` on one line. */
function boxOf(doc: Document, value: string): Box {
  for (const line of doc.pages[0]!.lines) {
    const words = line.words.filter((w) => value.split(' ').includes(w.text) && w.box);
    if (words.map((w) => w.text).join(' ') !== value) continue;
    const boxes = words.map((w) => w.box!);
    const x = Math.min(...boxes.map((b) => b.x));
    const y = Math.min(...boxes.map((b) => b.y));
    return {
      x,
      y,
      width: Math.max(...boxes.map((b) => b.x + b.width)) - x,
      height: Math.max(...boxes.map((b) => b.y + b.height)) - y,
    };
  }
  throw new Error(`the fixture's OCR did not read ${value}`);
}

/** The engine's findings over the document, with the two names the fixture prints deny-listed as PERSON. */
function findingsOf(doc: Document): Finding[] {
  const detect = createAnalyzer({
    entities: ['PERSON'],
    denyList: [{ type: 'PERSON', values: [NEIGHBOUR, MEMBER] }],
  });
  return detect(documentText(doc).text);
}

/** What OCR reads from a crop, through the project's own OCR path. */
async function read(png: Uint8Array): Promise<string> {
  return documentText(await parseDocument(png)).text;
}

async function veilCode(work: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await work;
  } catch (error) {
    assert.ok(isVeilError(error), `expected a VeilError, got ${String(error)}`);
    return { code: error.code, message: error.message };
  }
  assert.fail('expected the crop to be refused');
}

describe('review crops', async () => {
  const bytes = await receipt();
  const doc = await parseDocument(bytes);
  const findings = findingsOf(doc);
  const base = {
    bytes,
    mediaType: 'image/png',
    document: doc,
    findings,
    page: 1,
    maxPageShare: 0.2,
  } as const;

  test('image: the total is readable and the cashier name its crop reaches is masked', async () => {
    assert.ok(findings.some((f) => documentText(doc).text.slice(f.start, f.end) === NEIGHBOUR));
    const total = boxOf(doc, TOTAL);
    const cashier = boxOf(doc, NEIGHBOUR);
    // A margin that reaches well into the cashier's line, as a generous policy would.
    const request: CropRequest = { ...base, box: total, margin: 0.12 };
    const crop = await renderFieldCrop(request);
    const bottom = total.y + total.height + Math.round(0.12 * 350);
    assert.ok(bottom > cashier.y + cashier.height / 2, 'the crop covers most of the cashier line');
    const text = await read(crop.png);
    assert.match(text, /1,234,567\.89/);
    assert.doesNotMatch(text, /Maria|Lopez|Mar|pez/);
    // Without the findings the same crop shows the name: the mask, not the geometry, hides it.
    assert.match(await read((await renderFieldCrop({ ...request, findings: [] })).png), /Maria/);
  });

  test("image: a name field's own candidate stays readable, the next line's name is masked", async () => {
    const crop = await renderFieldCrop({ ...base, box: boxOf(doc, NEIGHBOUR), margin: 0.12 });
    const text = await read(crop.png);
    assert.match(text, /Maria Lopez/);
    assert.doesNotMatch(text, /Ann|Quigley/);
  });

  test('image: page-share arithmetic on the pixel grid, and the PNG has the reported size', async () => {
    const page = await textImage(['Invoice 4471'], { width: 1000 }); // 1000 x 120 px
    const plain = await parseDocument(page);
    const request = {
      bytes: page,
      mediaType: 'image/png',
      document: plain,
      findings: [],
      page: 1,
      maxPageShare: 0.5,
    };
    // margin 0.01 of the shorter side (120 px) = 1 px a side.
    const crop = await renderFieldCrop({ ...request, box: { x: 100, y: 20, width: 200, height: 50 } });
    assert.deepEqual([crop.width, crop.height, crop.pageShare], [202, 52, (202 * 52) / 120_000]);
    const meta = await sharp(crop.png).metadata();
    assert.deepEqual([meta.format, meta.width, meta.height], ['png', 202, 52]);
    // At the page's corner the margin is cut by the page, and fractional boxes round outward.
    const corner = await renderFieldCrop({
      ...request,
      box: { x: 0, y: 0.4, width: 99.2, height: 19.5 },
      margin: 0.05,
    });
    assert.deepEqual([corner.width, corner.height, corner.pageShare], [106, 26, (106 * 26) / 120_000]);
  });

  test('image: a photo stored sideways (EXIF orientation) is cropped upright, where the document says', async () => {
    const upright = await receipt();
    // Orientation 6: the pixels are stored turned a quarter left; viewers turn them right.
    const sideways = await sharp(upright)
      .rotate(270)
      .jpeg({ quality: 95 })
      .withMetadata({ orientation: 6 })
      .toBuffer();
    const parsed = await parseDocument(sideways);
    assert.deepEqual([parsed.pages[0]!.width, parsed.pages[0]!.height], [700, 350]);
    const crop = await renderFieldCrop({
      ...base,
      bytes: sideways,
      mediaType: 'image/jpeg',
      document: parsed,
      findings: findingsOf(parsed),
      box: boxOf(parsed, TOTAL),
      margin: 0.12,
    });
    const text = await read(crop.png);
    assert.match(text, /1,234,567\.89/);
    assert.doesNotMatch(text, /Maria|Lopez/);
  });

  test('cap: the margin shrinks to keep the crop within maxPageShare', async () => {
    const total = boxOf(doc, TOTAL);
    const area = 700 * 350;
    const loose = await renderFieldCrop({ ...base, box: total, margin: 0.05, maxPageShare: 0.2 });
    const capped = await renderFieldCrop({ ...base, box: total, margin: 0.05, maxPageShare: 0.04 });
    assert.ok(loose.pageShare > 0.04, `the uncapped crop is larger than the cap (${loose.pageShare})`);
    assert.ok(capped.pageShare <= 0.04, `capped share ${capped.pageShare}`);
    // The margin is the largest whole-pixel one within the cap: one more pixel a side would break it.
    assert.ok(((capped.width + 2) * (capped.height + 2)) / area > 0.04);
    assert.ok(capped.width > total.width && capped.height > total.height, 'the box itself is never cut');
  });

  test('cap: a box alone larger than the cap is refused, with no content in the message', async () => {
    const { code, message } = await veilCode(
      renderFieldCrop({ ...base, box: { x: 20, y: 140, width: 660, height: 140 }, maxPageShare: 0.05 }),
    );
    assert.equal(code, 'VEIL_REVIEW_CROP_TOO_LARGE');
    assert.match(message, /covers 37\.7% of the page, more than the crop cap \(maxPageShare\) of 5\.0%/);
    for (const word of ['Maria', 'Lopez', 'TOTAL', '1,234', 'GROCER']) assert.ok(!message.includes(word));
  });

  test('bad page numbers, boxes, options and formats get clear errors', async () => {
    const box = { x: 10, y: 10, width: 50, height: 20 };
    for (const page of [0, 2, 1.5, Number.NaN]) {
      const { code, message } = await veilCode(renderFieldCrop({ ...base, box, page }));
      assert.equal(code, 'VEIL_INVALID_INPUT');
      assert.match(
        message,
        /^crop: page (0|2|1\.5|NaN) is not a page of the document \(its pages: 1 to 1\)$/,
      );
    }
    assert.equal(
      (await veilCode(renderFieldCrop({ ...base, box: { ...box, x: 900 } }))).code,
      'VEIL_INVALID_INPUT',
    );
    assert.equal(
      (await veilCode(renderFieldCrop({ ...base, box: { ...box, width: 0 } }))).code,
      'VEIL_INVALID_INPUT',
    );
    assert.equal(
      (await veilCode(renderFieldCrop({ ...base, box, maxPageShare: 0 }))).code,
      'VEIL_INVALID_OPTION',
    );
    assert.equal(
      (await veilCode(renderFieldCrop({ ...base, box, margin: -0.1 }))).code,
      'VEIL_INVALID_OPTION',
    );
    const text = await parseDocument(utf8('Plain text has no page image.'));
    const wrong = await veilCode(renderFieldCrop({ ...base, box, document: text, mediaType: 'text/plain' }));
    assert.equal(wrong.code, 'VEIL_UNSUPPORTED_TYPE');
    // A document parsed from another image does not describe these bytes.
    const other = await parseDocument(await textImage(['Other'], { width: 400 }));
    assert.equal(
      (await veilCode(renderFieldCrop({ ...base, box, document: other }))).code,
      'VEIL_INVALID_INPUT',
    );
  });

  test('PDF: the crop is rendered at the redaction resolution with the neighbour name masked', async () => {
    const pdf = await labelledPdf([
      ['Claim', '88213'],
      ['Amount payable', '4,310.75'],
      ['Adjuster', NEIGHBOUR],
      ['Page ends here', ''],
    ]);
    const parsed = await parseDocument(pdf, { ocrMode: 'never' });
    assert.equal(parsed.pages[0]!.source, 'text-layer');
    const amount = boxOf(parsed, '4,310.75');
    const request: CropRequest = {
      bytes: pdf,
      mediaType: 'application/pdf',
      document: parsed,
      findings: findingsOf(parsed),
      page: 1,
      box: amount,
      margin: 0.04, // 24.5 pt: reaches the adjuster's line, 24 pt below
      maxPageShare: 0.05,
    };
    const crop = await renderFieldCrop(request);
    // 612 x 792 pt at 200 dpi is 1700 x 2200 px; the margin is round(0.04 * 1700) = 68 px a side.
    const scale = 200 / 72;
    const x0 = Math.floor(amount.x * scale) - 68;
    const x1 = Math.ceil((amount.x + amount.width) * scale) + 68;
    const y0 = Math.floor(amount.y * scale) - 68;
    const y1 = Math.ceil((amount.y + amount.height) * scale) + 68;
    assert.deepEqual([crop.width, crop.height], [x1 - x0, y1 - y0]);
    assert.equal(crop.pageShare, ((x1 - x0) * (y1 - y0)) / (1700 * 2200));
    const meta = await sharp(crop.png).metadata();
    assert.deepEqual([meta.width, meta.height], [crop.width, crop.height]);
    const text = await read(crop.png);
    assert.match(text, /4,310\.75/);
    assert.doesNotMatch(text, /Maria|Lopez/);
    assert.match(await read((await renderFieldCrop({ ...request, findings: [] })).png), /Maria/);
    // A page the document lacks is refused before anything is rendered.
    assert.equal((await veilCode(renderFieldCrop({ ...request, page: 3 }))).code, 'VEIL_INVALID_INPUT');
    // A document parsed from another PDF does not describe these bytes: its page is another size.
    const other = await PDFDocument.create();
    other.addPage([600, 800]);
    const mismatch = await veilCode(
      renderFieldCrop({
        ...request,
        document: await parseDocument(await other.save(), { ocrMode: 'never' }),
      }),
    );
    assert.deepEqual(mismatch, {
      code: 'VEIL_INVALID_INPUT',
      message: 'crop: the document does not describe these bytes (page sizes differ)',
    });
  });
});
