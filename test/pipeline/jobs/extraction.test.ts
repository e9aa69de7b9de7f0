import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PDFDocument } from 'pdf-lib';
import { closeDocumentResources } from '../../../src/documents/resources.js';
import { parseDocument } from '../../../src/documents/parse.js';
import { documentText } from '../../../src/documents/text.js';
import { parsePageRanges, resolveExtraction } from '../../../src/pipeline/jobs/extraction.js';
import { jobDocument } from '../../../src/pipeline/jobs/text.js';
import { textImage, textPdf } from '../../documents/fixtures.js';

test('page ranges parse to sorted distinct pages, and bad ones name the setting', () => {
  assert.deepEqual(parsePageRanges('4, 1-2,2'), [1, 2, 4]);
  for (const bad of ['0', '3-1', 'x', '1-2000000', ''])
    assert.throws(() => parsePageRanges(bad), {
      code: 'VEIL_INVALID_INPUT',
      message: /^jobs: pages must be page ranges/,
    });
});

test('an extraction request: a template kept whole with its hash, or fields; regions within the pages', async () => {
  const receipt = await resolveExtraction({ template: 'receipt', pages: '1' });
  assert.equal(receipt.template?.name, 'receipt');
  assert.match(receipt.template!.hash, /^[0-9a-f]{64}$/);
  assert.deepEqual(receipt.pages, [1]);
  const list = await resolveExtraction({
    fields: [{ name: 'total', type: 'money' }],
    regions: [{ page: 1, x: 0, y: 0.5, width: 1, height: 0.5 }],
  });
  assert.equal(list.template, null);
  assert.equal(list.extractor, 'rules');
  await assert.rejects(
    resolveExtraction({
      template: 'receipt',
      pages: '1',
      regions: [{ page: 2, x: 0, y: 0, width: 1, height: 1 }],
    }),
    { code: 'VEIL_INVALID_INPUT', message: /regions\.0\.page/ },
  );
  await assert.rejects(
    resolveExtraction({ template: 'receipt', regions: [{ page: 1, x: 0.5, y: 0, width: 0.6, height: 1 }] }),
    { code: 'VEIL_INVALID_INPUT' },
  );
  await assert.rejects(resolveExtraction({ template: 'receipt', extractor: 'auto' }), {
    code: 'VEIL_EXTRACTOR_UNAVAILABLE',
  });
  await assert.rejects(resolveExtraction({}), { code: 'VEIL_INVALID_INPUT' });
});

test('input minimisation: pages outside the ranges and image text outside the regions are never read', async () => {
  try {
    const pdf = await textPdf([['FIRST PAGE SECRET'], ['Total 9.00'], ['THIRD PAGE SECRET']], false);
    const { text, document } = await jobDocument(pdf, null, { pages: [2], regions: null });
    assert.deepEqual(
      document.pages.map((p) => p.number),
      [2],
    );
    assert.equal(text.trim(), 'Total 9.00');
    const png = await textImage(['TOP SECRET LINE', '', '', '', 'Total 9.00'], { width: 600 });
    const cropped = await jobDocument(png, null, {
      pages: null,
      regions: [{ page: 1, x: 0, y: 0.6, width: 1, height: 0.4 }],
    });
    assert.match(cropped.text, /Total 9\.00/);
    assert.doesNotMatch(cropped.text, /SECRET/);
    const word = cropped.document.pages[0]!.lines[0]!.words[0]!;
    assert.ok(
      word.box!.y >= 0.6 * cropped.document.pages[0]!.height - 2,
      'boxes are placed back in the page',
    );
  } finally {
    await closeDocumentResources();
  }
});

test("a scanned PDF page with regions is rendered and OCR'd only inside the box holding them", async () => {
  try {
    const png = await textImage(['TOP SECRET LINE', '', '', '', 'Total 9.00'], { width: 600 });
    const pdf = await PDFDocument.create();
    const image = await pdf.embedPng(png);
    const page = pdf.addPage([image.width / 2, image.height / 2]);
    page.drawImage(image, { x: 0, y: 0, width: image.width / 2, height: image.height / 2 });
    const scan = await pdf.save();
    // Without regions the whole page is read: the test can see the line it must not read.
    assert.match(documentText(await parseDocument(scan)).text, /SECRET/);
    const clipped = await parseDocument(scan, {
      regions: [{ page: 1, x: 0, y: 0.6, width: 1, height: 0.4 }],
    });
    const text = documentText(clipped).text;
    assert.match(text, /Total 9\.00/);
    assert.doesNotMatch(text, /SECRET/, "nothing outside the clip is rendered or OCR'd");
    const [first] = clipped.pages;
    const word = first!.lines[0]!.words[0]!;
    assert.ok(word.box!.y >= 0.6 * first!.height - 2, "the clip's words are placed back on the page");
    const job = await jobDocument(scan, null, {
      pages: null,
      regions: [{ page: 1, x: 0, y: 0.6, width: 1, height: 0.4 }],
    });
    assert.match(job.text, /Total 9\.00/);
    assert.doesNotMatch(job.text, /SECRET/);
  } finally {
    await closeDocumentResources();
  }
});

test('a text-layer PDF page with regions: only the words inside them leave the PDF worker, nothing is rendered', async () => {
  try {
    // Lines sit 24 pt apart from 92 pt below the top of a 792 pt page: line i's centre is near (87 + 24 i) / 792.
    const pdf = await textPdf(
      [['TOP SECRET LINE', 'Shop Name', 'MIDDLE SECRET LINE', 'Total 9.00', 'BOTTOM SECRET LINE']],
      false,
    );
    // Without regions the whole page is read: the test can see the lines it must not read.
    assert.match(documentText(await parseDocument(pdf)).text, /TOP SECRET[\s\S]*BOTTOM SECRET/);
    const band = (line: number): { page: number; x: number; y: number; width: number; height: number } => ({
      page: 1,
      x: 0,
      y: (87 + 24 * line - 9) / 792,
      width: 1,
      height: 18 / 792,
    });
    // Two regions with a line between them: the box holding both covers the middle line too.
    const clipped = await parseDocument(pdf, { regions: [band(1), band(3)] });
    const [page] = clipped.pages;
    assert.equal(page!.source, 'text-layer', 'a text layer inside the regions is read, not rendered');
    assert.deepEqual(
      page!.lines.map((l) => l.words.map((w) => w.text).join(' ')),
      ['Shop Name', 'Total 9.00'],
    );
    for (const word of page!.lines.flatMap((l) => l.words)) {
      const cy = (word.box!.y + word.box!.height / 2) / page!.height;
      assert.ok(cy >= band(1).y && cy <= band(3).y + band(3).height, 'boxes stay on the page');
    }
    const job = await jobDocument(pdf, null, { pages: null, regions: [band(3)] });
    assert.equal(job.text.trim(), 'Total 9.00');
  } finally {
    await closeDocumentResources();
  }
});
