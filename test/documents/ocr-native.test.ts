import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { closeDocumentResources, documentText, parseDocument, sharedOcr } from '../../src/documents/index.js';
import type { OcrEngine, OcrResult } from '../../src/documents/index.js';
import {
  createNativeTesseractOcr,
  nativeTesseractAvailable,
  tsvLines,
} from '../../src/documents/ocr/native.js';
import { createTesseractOcr } from '../../src/documents/ocr/pool.js';
import { createOcr, useSharedOcr } from '../../src/documents/ocr/select.js';
import { loadConfig } from '../../src/runtime/config.js';
import { ocrFromConfig } from '../../src/runtime/ocr.js';
import { CANARY_SSN, textImage } from './fixtures.js';

// The native engine is Debian's `tesseract-ocr` (.ci/run installs it; README says how).
const installed = await nativeTesseractAvailable();
const LINES = ['INVOICE NO 4521', `SSN ${CANARY_SSN}`, 'TOTAL DUE 12.90'];
/** PP-OCR model files that are not there: `auto` must pass PP-OCR over. */
const NO_MODELS = {
  detection: '/nonexistent/det.onnx',
  recognition: '/nonexistent/rec.onnx',
  dictionary: '/nonexistent/keys.txt',
};

const words = (result: OcrResult): string[][] => result.lines.map((line) => line.map((w) => w.text));

let image: Uint8Array;
let privateTmp: string;
const savedTmp = process.env.TMPDIR;
const engines: OcrEngine[] = [];
const track = (engine: OcrEngine): OcrEngine => (engines.push(engine), engine);

before(async () => {
  image = await textImage(LINES, { width: 700 });
  // Every temp file the engine (and tesseract, through TMPDIR) makes lands here, so the test sees it.
  privateTmp = await mkdtemp(join(tmpdir(), 'veil-ocr-test-'));
  process.env.TMPDIR = privateTmp;
});

afterEach(async () => {
  assert.deepEqual(await readdir(privateTmp), [], 'a temp file or folder was left behind');
});

after(async () => {
  if (savedTmp === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = savedTmp;
  await Promise.all(engines.map((e) => e.close()));
  await useSharedOcr('auto');
  await closeDocumentResources();
  await rm(privateTmp, { recursive: true, force: true });
});

describe('tesseract TSV', () => {
  test('becomes lines of words with pixel boxes and confidences in [0, 1]', () => {
    const tsv = [
      'level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext',
      '1\t1\t0\t0\t0\t0\t0\t0\t463\t1013\t-1\t',
      '4\t1\t1\t1\t1\t0\t75\t32\t244\t31\t-1\t',
      '5\t1\t1\t1\t1\t1\t75\t32\t51\t23\t92.5\ttan',
      '5\t1\t1\t1\t1\t2\t138\t37\t91\t18\t90\twoon',
      '5\t1\t1\t1\t2\t1\t73\t97\t52\t13\t96\tBOOK',
      '5\t1\t1\t1\t2\t2\t132\t97\t23\t13\t-1\t ',
      '5\t1\t2\t1\t1\t1\t10\t200\t20\t10\t50\tTA',
      '',
    ].join('\n');
    assert.deepEqual(tsvLines(tsv), [
      [
        { text: 'tan', box: { x: 75, y: 32, width: 51, height: 23 }, confidence: 0.925 },
        { text: 'woon', box: { x: 138, y: 37, width: 91, height: 18 }, confidence: 0.9 },
      ],
      [{ text: 'BOOK', box: { x: 73, y: 97, width: 52, height: 13 }, confidence: 0.96 }],
      [{ text: 'TA', box: { x: 10, y: 200, width: 20, height: 10 }, confidence: 0.5 }],
    ]);
  });
});

describe(
  'the native tesseract engine',
  { skip: installed ? false : 'tesseract-ocr is not installed' },
  () => {
    test('reads the words with their boxes, in the model tesseract.js returns', async () => {
      const native = track(createNativeTesseractOcr({ processes: 1 }));
      const wasm = track(createTesseractOcr({ workers: 1 }));
      const [fromNative, fromWasm] = await Promise.all([native.recognize(image), wasm.recognize(image)]);
      assert.deepEqual(words(fromNative), [
        ['INVOICE', 'NO', '4521'],
        ['SSN', CANARY_SSN],
        ['TOTAL', 'DUE', '12.90'],
      ]);
      assert.deepEqual(words(fromNative), words(fromWasm));
      // The same words sit in the same place (within a few pixels) with a confidence in (0, 1].
      fromNative.lines.flat().forEach((word, i) => {
        const other = fromWasm.lines.flat()[i]!;
        assert.ok(
          Math.abs(word.box.x - other.box.x) <= 4 && Math.abs(word.box.y - other.box.y) <= 4,
          word.text,
        );
        assert.ok(word.confidence > 0.5 && word.confidence <= 1, `${word.text}: ${word.confidence}`);
      });
    });

    test('leaves no file behind: the image goes over stdin, the private folder is deleted', async () => {
      const native = track(createNativeTesseractOcr({ processes: 2 }));
      const results = await Promise.all([native.recognize(image), native.recognize(image)]);
      assert.equal(results.length, 2);
      // afterEach asserts the TMPDIR the engine used is empty again.
    });

    test('kills a process past its time limit with a stable error, and cleans up', async () => {
      const native = track(createNativeTesseractOcr({ processes: 1, timeoutMs: 5 }));
      const big = await sharp({ create: { width: 3000, height: 3000, channels: 3, background: 'white' } })
        .composite([{ input: Buffer.from(image), top: 100, left: 100 }])
        .png()
        .toBuffer();
      await assert.rejects(native.recognize(big), { code: 'VEIL_OCR_TIMEOUT' });
    });

    test('kills a process whose output passes the bound', async () => {
      const native = track(createNativeTesseractOcr({ processes: 1, maxOutputBytes: 64 }));
      await assert.rejects(native.recognize(image), (error: Error & { code?: string }) => {
        assert.equal(error.code, 'VEIL_OCR_FAILED');
        assert.match(error.message, /passed 64 bytes/);
        assert.ok(!error.message.includes('INVOICE'));
        return true;
      });
    });

    test('a scanned document parses to the same text through either engine', async () => {
      const png = await textImage(LINES);
      const viaNative = await parseDocument(png, { ocr: track(createOcr('native')) });
      const viaWasm = await parseDocument(png, { ocr: track(createOcr('wasm', { wasm: { workers: 1 } })) });
      assert.equal(documentText(viaNative).text, documentText(viaWasm).text);
      assert.match(documentText(viaNative).text, /TOTAL DUE 12\.90/);
    });

    test('auto picks the native engine when it is installed and PP-OCR does not load', async () => {
      const picked: string[] = [];
      const auto = track(
        createOcr('auto', { paddle: { models: NO_MODELS }, onSelected: (engine) => picked.push(engine) }),
      );
      assert.deepEqual(picked, [], 'nothing is looked for before the first image');
      assert.deepEqual(words(await auto.recognize(image))[0], ['INVOICE', 'NO', '4521']);
      assert.deepEqual(picked, ['native']);
    });
  },
);

describe('choosing the OCR engine', () => {
  test('native without the command fails with a code that says how to install it', async () => {
    const missing = track(createNativeTesseractOcr({ binary: '/nonexistent/tesseract' }));
    await assert.rejects(missing.recognize(image), (error: Error & { code?: string }) => {
      assert.equal(error.code, 'VEIL_OCR_UNAVAILABLE');
      assert.match(error.message, /apt-get install tesseract-ocr/);
      return true;
    });
  });

  test('auto falls back to tesseract.js when neither PP-OCR nor the command loads', async () => {
    const picked: string[] = [];
    const auto = track(
      createOcr('auto', {
        paddle: { models: NO_MODELS },
        native: { binary: '/nonexistent/tesseract' },
        wasm: { workers: 1 },
        onSelected: (engine) => picked.push(engine),
      }),
    );
    assert.deepEqual(words(await auto.recognize(image))[2], ['TOTAL', 'DUE', '12.90']);
    assert.deepEqual(picked, ['wasm']);
  });

  test('VEIL_OCR is validated, defaults to auto, and native is checked at start', async () => {
    assert.equal(loadConfig({}).config.VEIL_OCR, 'auto');
    assert.equal(loadConfig({ VEIL_OCR: 'wasm' }).config.VEIL_OCR, 'wasm');
    assert.throws(
      () => loadConfig({ VEIL_OCR: 'gpu' }),
      (error: Error & { code?: string }) => {
        assert.equal(error.code, 'VEIL_CONFIG_INVALID');
        assert.match(error.message, /VEIL_OCR: expected auto .*native .*wasm/);
        return true;
      },
    );
    const path = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      await assert.rejects(ocrFromConfig({ VEIL_OCR: 'native' }), { code: 'VEIL_OCR_UNAVAILABLE' });
    } finally {
      process.env.PATH = path;
    }
  });

  test('the shared engine follows VEIL_OCR', async () => {
    await ocrFromConfig({ VEIL_OCR: 'wasm' });
    const wasm = sharedOcr();
    assert.deepEqual(words(await wasm.recognize(image))[0], ['INVOICE', 'NO', '4521']);
    await ocrFromConfig({ VEIL_OCR: 'auto' });
    assert.notEqual(sharedOcr(), wasm, 'a new choice starts a new engine');
  });
});
