import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import type { FieldCandidate } from '../../src/ai/fields/extractor.js';
import { checkSecondReading } from '../../src/ai/fields/second-reading.js';
import type { FieldSpec } from '../../src/ai/fields/spec.js';
import type { Box, Document } from '../../src/documents/model.js';
import { createNativeTesseractOcr, nativeTesseractAvailable } from '../../src/documents/ocr/native.js';
import { createRegionReader, secondReadingOcr } from '../../src/documents/second-reading.js';
import { textImage } from './fixtures.js';

const installed = await nativeTesseractAvailable();
const skip = installed ? false : 'the tesseract CLI is not installed (apt-get install tesseract-ocr)';
const ocr = installed ? createNativeTesseractOcr({ processes: 1 }) : undefined;
after(async () => ocr?.close());

// What the page prints, and what the first engine is taken to have read: the address with MUDA misread as MUBA.
const PRINTED = ['SYARIKAT PERNIAGAAN GIN KEE', 'JALAN MUDA 12, KLANG'];
const FIRST_READING = ['SYARIKAT PERNIAGAAN GIN KEE', 'JALAN MUBA 12, KLANG'];
const WIDTH = 900;

/** The box of printed line `i` of `textImage` (baseline at 70 + 60i, 34 px glyphs, from x = 30). */
const lineBox = (i: number, text: string): Box => ({
  x: 28,
  y: 34 + i * 60,
  width: text.length * 22,
  height: 46,
});

function firstReading(height: number): Document {
  return {
    format: 'image',
    mediaType: 'image/png',
    pages: [
      {
        number: 1,
        width: WIDTH,
        height,
        unit: 'px',
        source: 'ocr',
        lines: FIRST_READING.map((text, i) => ({
          words: [{ text, box: lineBox(i, text), spaceBefore: false, confidence: 0.9 }],
        })),
      },
    ],
    tables: [],
    records: [],
  };
}

const fields: FieldSpec[] = [
  { name: 'company', type: 'string', position: 'top' },
  { name: 'address', type: 'address' },
];
const candidate = (i: number): FieldCandidate => ({
  value: FIRST_READING[i]!,
  confidence: 0.8,
  page: 1,
  box: lineBox(i, FIRST_READING[i]!),
  checks: [],
});

describe('second reading of a rendered image', () => {
  test(
    'a field the crop reads alike is agreed; one whose crop reads otherwise is disagreed',
    { skip },
    async () => {
      const png = await textImage(PRINTED, { width: WIDTH });
      const { height } = await sharp(png).metadata();
      const document = firstReading(height!);
      const reader = createRegionReader({ bytes: png, mediaType: 'image/png', document, ocr: ocr! });
      const checked = await checkSecondReading(
        { company: candidate(0), address: candidate(1) },
        fields,
        reader,
      );
      assert.equal(checked.company?.agreement, 'agreed');
      assert.equal(checked.company?.confidence, 0.911);
      assert.equal(checked.address?.agreement, 'disagreed');
      assert.equal(checked.address?.confidence, 0.573);
      // Each region gives back its own words only: the address's crop does not hold the company's.
      const [company, address] = await reader([
        { page: 1, box: lineBox(0, PRINTED[0]!) },
        { page: 1, box: lineBox(1, PRINTED[1]!) },
      ]);
      assert.match(company!, /GIN KEE/);
      assert.doesNotMatch(company!, /JALAN/);
      assert.match(address!, /JALAN MUDA 12/);
      assert.doesNotMatch(address!, /SYARIKAT/);
    },
  );

  test(
    'scope doubtful reads again only the fields whose letters OCR doubted (`sure_letters` failed)',
    { skip },
    async () => {
      const png = await textImage(PRINTED, { width: WIDTH });
      const { height } = await sharp(png).metadata();
      const document = firstReading(height!);
      const base = createRegionReader({ bytes: png, mediaType: 'image/png', document, ocr: ocr! });
      const asked: number[] = [];
      const reader: typeof base = (regions) => {
        asked.push(regions.length);
        return base(regions);
      };
      const doubtedAddress = { ...candidate(1), checks: [{ name: 'sure_letters', passed: false }] };
      const sureCompany = { ...candidate(0), checks: [{ name: 'sure_letters', passed: true }] };
      const checked = await checkSecondReading(
        { company: sureCompany, address: doubtedAddress },
        fields,
        reader,
        'doubtful',
      );
      assert.deepEqual(asked, [1], 'one region read: the doubted address');
      assert.equal(checked.company?.agreement, 'unchecked');
      assert.equal(checked.company?.confidence, 0.8);
      assert.equal(checked.address?.agreement, 'disagreed');
      assert.equal(checked.address?.confidence, 0.573);
      // Nothing doubted: nothing read.
      await checkSecondReading({ company: sureCompany }, fields.slice(0, 1), reader, 'doubtful');
      assert.deepEqual(asked, [1]);
    },
  );

  test(
    'a document without page images, or parsed from other bytes, is left unchecked',
    { skip },
    async () => {
      const png = await textImage(PRINTED, { width: WIDTH });
      const other = createRegionReader({
        bytes: png,
        mediaType: 'image/png',
        // Page sizes that are not the image's: the regions would be the wrong pixels.
        document: firstReading(10),
        ocr: ocr!,
      });
      assert.deepEqual(await other([{ page: 1, box: lineBox(0, PRINTED[0]!) }]), [null]);
      const text = createRegionReader({
        bytes: png,
        mediaType: 'text/plain',
        document: { ...firstReading(10), format: 'text' },
        ocr: ocr!,
      });
      const checked = await checkSecondReading({ company: candidate(0) }, fields.slice(0, 1), text);
      assert.equal(checked.company?.agreement, 'unchecked');
      assert.equal(checked.company?.confidence, 0.8);
    },
  );

  test('the second engine is the tesseract CLI when installed, else none', async () => {
    const engine = await secondReadingOcr();
    assert.equal(engine !== null, installed);
    await engine?.close();
  });
});
