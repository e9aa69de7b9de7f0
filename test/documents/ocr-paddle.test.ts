import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import {
  closeDocumentResources,
  documentText,
  parseDocument,
  redactDocument,
  sharedOcr,
} from '../../src/documents/index.js';
import type { OcrEngine, OcrResult } from '../../src/documents/index.js';
import { createPaddleOcr } from '../../src/documents/ocr/paddle.js';
import { ctcWords, dictionaryClasses } from '../../src/documents/ocr/paddle-decode.js';
import { readingLines, textRegions } from '../../src/documents/ocr/paddle-detect.js';
import { prepareForOcr } from '../../src/documents/ocr/prepare.js';
import { createOcr, useSharedOcr } from '../../src/documents/ocr/select.js';
import { loadConfig } from '../../src/runtime/config.js';
import { ocrFromConfig } from '../../src/runtime/ocr.js';
import { CANARY_EMAIL, CANARY_SSN, textImage } from './fixtures.js';
import { EVAL_URL } from '../repo-paths.js';

const SROIE = fileURLToPath(new URL('sroie/', EVAL_URL));

const LINES = ['INVOICE NO 4521', `SSN ${CANARY_SSN}`, 'TOTAL DUE 12.90'];
const words = (result: OcrResult): string[][] => result.lines.map((line) => line.map((w) => w.text));

let image: Uint8Array;
const engines: OcrEngine[] = [];
const track = (engine: OcrEngine): OcrEngine => (engines.push(engine), engine);

before(async () => {
  image = await textImage(LINES, { width: 700 });
});

after(async () => {
  await Promise.all(engines.map((e) => e.close()));
  await useSharedOcr('auto');
  await closeDocumentResources();
});

describe('the PP-OCR engine (VEIL_OCR=paddle)', () => {
  test('reads a rendered text image into lines of words with boxes and confidences', async () => {
    const paddle = track(createPaddleOcr({ concurrency: 1 }));
    const result = await paddle.recognize(image);
    assert.deepEqual(words(result), [
      ['INVOICE', 'NO', '4521'],
      ['SSN', CANARY_SSN],
      ['TOTAL', 'DUE', '12.90'],
    ]);
    const { width, height } = await sharp(image).metadata();
    result.lines.forEach((line, i) => {
      // Lines are 60 px apart from y = 70 (the baseline); each word's box holds its line's middle.
      const middle = 58 + i * 60;
      for (const word of line) {
        assert.ok(word.box.y <= middle && word.box.y + word.box.height >= middle, word.text);
        assert.ok(word.box.x >= 0 && word.box.x + word.box.width <= width!, word.text);
        assert.ok(word.box.y + word.box.height <= height!, word.text);
        assert.ok(word.confidence > 0.5 && word.confidence <= 1, `${word.text}: ${word.confidence}`);
      }
      // Words of a line run left to right without overlapping much.
      for (let w = 1; w < line.length; w++)
        assert.ok(line[w]!.box.x >= line[w - 1]!.box.x + line[w - 1]!.box.width * 0.8, line[w]!.text);
    });
  });

  test(
    'reads a scanned SROIE receipt into words with boxes',
    { skip: existsSync(`${SROIE}img/000.jpg`) ? false : `${SROIE} is absent (set VEIL_EVAL_DIR)` },
    async () => {
      const paddle = track(createPaddleOcr({ concurrency: 1 }));
      const prepared = await prepareForOcr(sharp(readFileSync(`${SROIE}img/000.jpg`)).autoOrient());
      const result = await paddle.recognize(prepared.png);
      const text = words(result)
        .map((line) => line.join(' '))
        .join('\n');
      assert.ok(result.lines.length >= 20, `${result.lines.length} lines`);
      assert.match(text, /9\.00/);
      assert.match(text, /25\/12\/2018/);
      const { width } = await sharp(prepared.png).metadata();
      for (const word of result.lines.flat()) {
        assert.ok(word.box.width > 0 && word.box.height > 0, word.text);
        assert.ok(word.box.x >= 0 && word.box.x + word.box.width <= width! + 0.5, word.text);
      }
    },
  );

  test('is chosen by VEIL_OCR=paddle, and the shared engine reads with it', async () => {
    assert.equal(loadConfig({ VEIL_OCR: 'paddle' }).config.VEIL_OCR, 'paddle');
    const picked: string[] = [];
    const chosen = track(createOcr('paddle', { onSelected: (engine) => picked.push(engine) }));
    assert.deepEqual(picked, ['paddle']);
    assert.deepEqual(words(await chosen.recognize(image))[0], ['INVOICE', 'NO', '4521']);
    await useSharedOcr('paddle');
    const parsed = await parseDocument(image, { ocr: sharedOcr() });
    assert.match(documentText(parsed).text, /TOTAL DUE 12\.90/);
  });

  test('is what auto picks when ONNX Runtime and the models load, told to the runtime on first use', async () => {
    const picked: string[] = [];
    const auto = track(createOcr('auto', { onSelected: (engine) => picked.push(engine) }));
    assert.deepEqual(picked, [], 'nothing is looked for before the first image');
    assert.deepEqual(words(await auto.recognize(image))[1], ['SSN', CANARY_SSN]);
    assert.deepEqual(picked, ['paddle']);

    const told: string[] = [];
    await ocrFromConfig(loadConfig({}).config, (engine) => told.push(engine));
    const parsed = await parseDocument(image, { ocr: sharedOcr() });
    assert.match(documentText(parsed).text, /INVOICE NO 4521/);
    assert.deepEqual(told, ['paddle']);
  });

  test(
    'VEIL_OCR_LEXICON=none reads every word as the model did; malaysia checks doubtful ones against the lexicon',
    { skip: existsSync(`${SROIE}img/011.jpg`) ? false : `${SROIE} is absent (set VEIL_EVAL_DIR)` },
    async () => {
      const receipt = readFileSync(`${SROIE}img/011.jpg`);
      const read = async (lexicon: string): Promise<string> => {
        await ocrFromConfig(loadConfig({ VEIL_OCR: 'paddle', VEIL_OCR_LEXICON: lexicon }).config);
        return documentText(await parseDocument(receipt, { ocr: sharedOcr() })).text;
      };
      // The model reads the town's last letter as N with low confidence; the lexicon knows SHAH ALAM.
      const bare = await read('none');
      assert.match(bare, /SHAH ALAN/);
      const checked = await read('malaysia');
      assert.match(checked, /SHAH ALAM/);
      assert.doesNotMatch(checked, /SHAH ALAN/);
    },
  );

  test('fails with stable codes: an undecodable image, a reading past its limit, a closed engine', async () => {
    const paddle = track(createPaddleOcr({ concurrency: 1 }));
    await assert.rejects(paddle.recognize(new Uint8Array([1, 2, 3, 4])), { code: 'VEIL_OCR_FAILED' });
    const big = await textImage(Array.from({ length: 30 }, (_, i) => `LINE ${i} OF A LONG PAGE`));
    await assert.rejects(paddle.recognize(big, { timeoutMs: 1 }), { code: 'VEIL_LIMIT_TIME' });
    const slow = track(createPaddleOcr({ concurrency: 1, timeoutMs: 1 }));
    await assert.rejects(slow.recognize(big), { code: 'VEIL_OCR_TIMEOUT' });
    const closing = track(createPaddleOcr({ concurrency: 1 }));
    const reading = closing.recognize(big);
    await closing.close();
    await assert.rejects(reading, (error: Error & { code?: string }) => {
      assert.equal(error.code, 'VEIL_OCR_FAILED');
      assert.ok(!error.message.includes('LINE'), 'the error echoes no content');
      return true;
    });
    // A closed engine starts again on next use.
    assert.deepEqual(words(await closing.recognize(image))[0], ['INVOICE', 'NO', '4521']);
  });

  test('redaction of an image read by it masks the values it found', async () => {
    const paddle = track(createPaddleOcr({ concurrency: 1 }));
    const input = await textImage([`Mail ${CANARY_EMAIL}`, `SSN ${CANARY_SSN} today`]);
    const out = await redactDocument(input, {
      detection: { entities: ['EMAIL_ADDRESS', 'US_SSN'] },
      ocr: paddle,
    });
    assert.equal(out.residual, 0);
    assert.deepEqual(out.counts, { EMAIL_ADDRESS: 1, US_SSN: 1 });
    const text = documentText(await parseDocument(out.bytes, { ocr: paddle })).text;
    assert.ok(!text.includes(CANARY_SSN) && !text.includes('zelda'), 'the output still reads a canary');
    assert.match(text, /today/);
  });
});

describe('PP-OCR post-processing', () => {
  test('text boxes are regions of the probability map, grown and in reading order', () => {
    const width = 40;
    const height = 20;
    const data = new Float32Array(width * height);
    const fill = (x0: number, y0: number, x1: number, y1: number): void => {
      for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) data[y * width + x] = 0.9;
    };
    fill(22, 4, 36, 8); // right, first line
    fill(2, 5, 16, 9); // left, first line
    fill(4, 14, 30, 18); // second line
    fill(38, 0, 39, 1); // a speck
    const lines = readingLines(textRegions({ data, width, height }));
    assert.equal(lines.length, 2);
    assert.deepEqual(
      lines.map((line) => line.length),
      [2, 1],
    );
    const left = lines[0]![0]!;
    // 14 × 4 pixels, upright, grown by 14·4·1.5 / (2·18) ≈ 2.33 on every side, centred on (9, 7).
    assert.equal(left.angle, 0);
    assert.ok(Math.abs(left.cx - 9) < 1e-9 && Math.abs(left.cy - 7) < 1e-9, `${left.cx}, ${left.cy}`);
    assert.ok(Math.abs(left.width - (14 + 4.667)) < 0.01, String(left.width));
    assert.ok(Math.abs(left.bounds.x - (2 - 2.333)) < 0.01, String(left.bounds.x));
  });

  test('a line drawn askew is found along its slope', () => {
    const width = 200;
    const height = 60;
    const data = new Float32Array(width * height);
    const slope = Math.tan((5 * Math.PI) / 180);
    for (let x = 20; x < 180; x++)
      for (let dy = 0; dy < 5; dy++) data[Math.round(20 + x * slope + dy) * width + x] = 0.9;
    const [region] = textRegions({ data, width, height });
    assert.ok(Math.abs((region!.angle * 180) / Math.PI - 5) < 0.5, String(region!.angle));
    // Across the line it stays thin (5 pixels, grown): its upright box is 14 pixels taller.
    assert.ok(region!.height < region!.bounds.height - 10, `${region!.height} ${region!.bounds.height}`);
  });

  test('CTC decoding folds repeats and blanks, splits at spaces, and leaves out non-Latin classes', () => {
    const classes = dictionaryClasses('A\nB\n中\n');
    assert.deepEqual(classes.text, ['', 'A', 'B', '中', ' ']);
    // Steps: A A blank A space 中(best, left out: B next) B
    const steps = [
      [0.1, 0.9, 0, 0, 0],
      [0.1, 0.9, 0, 0, 0],
      [0.9, 0.1, 0, 0, 0],
      [0.1, 0.8, 0, 0, 0.1],
      [0.1, 0, 0, 0, 0.9],
      [0, 0, 0.3, 0.7, 0],
      [0.2, 0, 0.8, 0, 0],
    ];
    const decoded = ctcWords(Float32Array.from(steps.flat()), steps.length, classes);
    assert.deepEqual(
      decoded.map((w) => [w.text, w.first, w.last]),
      [
        ['AA', 0, 3],
        ['B', 5, 6],
      ],
    );
    assert.ok(Math.abs(decoded[0]!.confidence - 0.85) < 1e-6);
  });
});
