import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { OcrEngine, OcrResult, OcrWord } from '../../src/documents/index.js';
import { closeDocumentResources } from '../../src/documents/index.js';
import { createNativeTesseractOcr, nativeTesseractAvailable } from '../../src/documents/ocr/native.js';
import { createOcr } from '../../src/documents/ocr/select.js';
import { checkedReading, createVotingOcr, voteReadings } from '../../src/documents/ocr/vote.js';
import { createPaddleOcr } from '../../src/documents/ocr/paddle.js';
import { CANARY_SSN, textImage } from './fixtures.js';

const installed = await nativeTesseractAvailable();
/** `paddle-checked` reads with English and Malay (Debian's tesseract-ocr-msa, which .ci/run installs). */
const malay = await nativeTesseractAvailable('tesseract', 'eng+msa');
const LINES = ['INVOICE NO 4521', `SSN ${CANARY_SSN}`, 'TOTAL DUE 12.90'];

const word = (text: string, x: number, confidence: number, width = 60): OcrWord => ({
  text,
  box: { x, y: 10, width, height: 20 },
  confidence,
});
const texts = (result: OcrResult): string[][] => result.lines.map((line) => line.map((w) => w.text));

describe('voting over readings of one image', () => {
  test('each word takes the text most readings agree on, weighed by confidence', () => {
    const voted = voteReadings([
      { lines: [[word('ACME', 0, 0.9), word('SON', 80, 0.6), word('BHD', 160, 0.9)]] },
      { lines: [[word('ACME', 2, 0.9), word('SDN', 82, 0.7), word('BHD', 158, 0.9)]] },
      { lines: [[word('ACNE', 1, 0.5), word('SDN', 79, 0.8), word('8HD', 161, 0.4)]] },
    ]);
    assert.deepEqual(texts(voted), [['ACME', 'SDN', 'BHD']]);
    const [acme, sdn] = voted.lines[0]!;
    // The first reading's boxes stay; the confidence is the winner's times its share of the vote.
    assert.deepEqual(sdn!.box, { x: 80, y: 10, width: 60, height: 20 });
    assert.equal(sdn!.confidence.toFixed(3), ((0.8 * 1.52) / 2.13).toFixed(3));
    assert.equal(acme!.confidence.toFixed(3), ((0.9 * 1.82) / 2.33).toFixed(3));
  });

  test('a word read in another place or at another width is no alternative; ties keep the first reading', () => {
    const voted = voteReadings([
      { lines: [[word('TOTAL', 0, 0.6), word('9.00', 100, 0.5)]] },
      // Two words where the first reading has one, and one twice as wide.
      { lines: [[word('TO', 0, 0.9, 25), word('TAL', 30, 0.9, 30), word('19.00', 100, 0.9, 120)]] },
      { lines: [[word('T0TAL', 0, 0.6)]] },
    ]);
    assert.deepEqual(texts(voted), [['TOTAL', '9.00']]);
    assert.deepEqual(voteReadings([]), { lines: [] });
  });
});

describe('one reading checked against another engine', () => {
  const lexicon = new Set(['JALAN', 'BESAR']);

  test("a word the second engine reads otherwise, surer and in printable characters, takes the second's text", () => {
    const checked = checkedReading(
      { lines: [[word('BATANG', 0, 0.95), word('BERJUTA', 80, 0.7), word('45600', 160, 0.9)]] },
      { lines: [[word('BATANG', 2, 0.9), word('BERJUNTAI', 81, 0.9), word('45600', 161, 0.99)]] },
      lexicon,
    );
    assert.deepEqual(texts(checked), [['BATANG', 'BERJUNTAI', '45600']]);
    // Boxes stay the first reading's; the taken word keeps the second engine's confidence.
    assert.deepEqual(checked.lines[0]![1]!.box, { x: 80, y: 10, width: 60, height: 20 });
    assert.equal(checked.lines[0]![1]!.confidence, 0.9);
  });

  test('a symbol, a less sure reading, punctuation alone or a reading elsewhere leaves the first', () => {
    const checked = checkedReading(
      {
        lines: [
          [word('S117,', 0, 0.8), word('BERJUNTA!', 80, 0.6), word('SECOND', 160, 0.9)],
          [word('FLOOR', 0, 0.8), word('NO.5', 200, 0.5)],
        ],
      },
      {
        lines: [
          [word('$117,', 1, 0.95), word('BERJUNTA}', 81, 0.9), word('SEC0ND', 161, 0.5)],
          [word('FLOOR.', 1, 0.99), word('NO.53', 200, 0.9, 120)],
        ],
      },
      lexicon,
    );
    assert.deepEqual(texts(checked), [
      ['S117,', 'BERJUNTA!', 'SECOND'],
      ['FLOOR', 'NO.5'],
    ]);
  });

  test('a lexicon word wins over a non-word, whichever engine read it and however sure', () => {
    const checked = checkedReading(
      { lines: [[word('JALAN', 0, 0.6), word('8ESAR', 80, 0.9)]] },
      { lines: [[word('JA1AN', 0, 0.95), word('BESAR', 80, 0.5)]] },
      lexicon,
    );
    assert.deepEqual(texts(checked), [['JALAN', 'BESAR']]);
    const bare = checkedReading(
      { lines: [[word('JALAN', 0, 0.6)]] },
      { lines: [[word('JA1AN', 0, 0.95)]] },
      null,
    );
    assert.deepEqual(texts(bare), [['JA1AN']], 'without a lexicon, the surer reading');
  });
});

describe(
  'the checked engine (VEIL_OCR=paddle-checked)',
  { skip: malay ? false : 'tesseract-ocr or tesseract-ocr-msa is not installed' },
  () => {
    test('reads an image with PP-OCR and tesseract and returns the lines of the first', async () => {
      const image = await textImage(LINES, { width: 700 });
      const checked = createOcr('paddle-checked');
      const paddle = createPaddleOcr({ concurrency: 1 });
      try {
        const [both, alone] = await Promise.all([checked.recognize(image), paddle.recognize(image)]);
        assert.deepEqual(texts(both), [
          ['INVOICE', 'NO', '4521'],
          ['SSN', CANARY_SSN],
          ['TOTAL', 'DUE', '12.90'],
        ]);
        assert.deepEqual(
          both.lines.map((line) => line.map((w) => w.box)),
          alone.lines.map((line) => line.map((w) => w.box)),
        );
      } finally {
        await Promise.all([checked.close(), paddle.close()]);
      }
    });
  },
);

describe('the voting engine', { skip: installed ? false : 'tesseract-ocr is not installed' }, () => {
  const engines: OcrEngine[] = [];
  after(async () => {
    await Promise.all(engines.map((e) => e.close()));
    await closeDocumentResources();
  });

  test('reads an image with every reader, an enlarged reading in the original pixels', async () => {
    const image = await textImage(LINES, { width: 700 });
    const plain = createNativeTesseractOcr({ processes: 1 });
    const enlarged = createVotingOcr([{ engine: plain, scale: 1.5 }]);
    const vote = createOcr('vote');
    engines.push(plain, vote);
    const [once, larger, voted] = await Promise.all([
      plain.recognize(image),
      enlarged.recognize(image),
      vote.recognize(image),
    ]);
    assert.deepEqual(texts(voted), [
      ['INVOICE', 'NO', '4521'],
      ['SSN', CANARY_SSN],
      ['TOTAL', 'DUE', '12.90'],
    ]);
    assert.deepEqual(texts(larger), texts(once));
    larger.lines.flat().forEach((w, i) => {
      const other = once.lines.flat()[i]!;
      assert.ok(Math.abs(w.box.x - other.box.x) <= 4 && Math.abs(w.box.y - other.box.y) <= 4, w.text);
      assert.ok(Math.abs(w.box.width - other.box.width) <= 6, w.text);
    });
  });
});
