// A pattern recognizer skips a pattern whose every match needs a longer digit or capital run, a
// surer letter-digit pair or a whole digit run of another length than the text being analysed
// holds (`CURRENT_RUNS`). Skipping must never change what a recognizer finds: each default
// recognizer runs on each test document with the document's runs and without them, and both must
// find the same.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { patternRecognizer } from '../../src/engine/recognizers/pattern.js';
import { defaultRecognizers } from '../../src/engine/recognizers/index.js';
import { CURRENT_RUNS, textRuns } from '../../src/engine/scan/text-runs.js';
import { Scratch } from '../../src/engine/scratch.js';
import { testDocuments } from '../ai/corpus.js';

const TEXTS = [
  ...testDocuments().map((d) => d.text),
  'SSN 078-05-1120, NHS 943 476 5919, IBAN GB82 WEST 1234 5698 7654 32, passport X12345678',
  'Order 12 of 3 May: AB 12 x 7, ref 2024/118; call 0044 20 7946 0958.',
];

/** A scratch whose current runs are those of `text`, as `analyze` leaves them for `find`. */
function scratchFor(text: string): Scratch {
  const scratch = new Scratch();
  scratch.of(CURRENT_RUNS).runs = textRuns(text);
  return scratch;
}

test('the per-pattern gates never change what a recognizer finds', () => {
  let found = 0;
  for (const recognizer of defaultRecognizers()) {
    if (recognizer.name === 'ner-tagger') continue;
    for (const text of TEXTS) {
      const window = { start: 0, end: text.length };
      const gated = recognizer.find(text, window, scratchFor(text));
      assert.deepEqual(gated, recognizer.find(text, window, new Scratch()), recognizer.name);
      found += gated.length;
    }
  }
  assert.ok(found > 50, `only ${found} findings: the texts do not exercise the recognizers`);
});

test('a pattern needing a longer digit run than the text holds is skipped, the others run', () => {
  const recognizer = patternRecognizer({
    name: 'two-shapes',
    entity: 'CODE',
    patterns: [
      { regex: /\b\d{9}\b/, score: 0.5 },
      { regex: /\b[A-Z]\d{2}\b/, score: 0.5 },
    ],
  });
  const text = 'A12 and 123456789';
  const window = { start: 0, end: text.length };
  const all = recognizer.find(text, window, scratchFor(text)).map((f) => text.slice(f.start, f.end));
  assert.deepEqual(all.sort(), ['123456789', 'A12']);
  // Runs of a text without the nine-digit run: only the second pattern may run.
  const scratch = new Scratch();
  scratch.of(CURRENT_RUNS).runs = textRuns('A12 and 1234');
  const gated = recognizer.find(text, window, scratch).map((f) => text.slice(f.start, f.end));
  assert.deepEqual(gated, ['A12']);
});

test('a pattern needing a whole run of nine digits is skipped on a text whose runs have other lengths', () => {
  const recognizer = patternRecognizer({
    name: 'nine',
    entity: 'CODE',
    patterns: [{ regex: /(?<!\w)\d{9}(?!\w)/, score: 0.5 }],
  });
  for (const [text, found] of [
    ['ids 123456789 and 1234567890', ['123456789']],
    ['id 1234567890 only', []],
  ] as const) {
    const window = { start: 0, end: text.length };
    const gated = recognizer.find(text, window, scratchFor(text)).map((f) => text.slice(f.start, f.end));
    assert.deepEqual(gated, found, text);
  }
  // The runs describe another text than the window: the gate is not read.
  const text = 'id 123456789';
  const scratch = new Scratch();
  scratch.of(CURRENT_RUNS).runs = textRuns('id 1234567890');
  assert.equal(recognizer.find(text, { start: 0, end: text.length }, scratch).length, 1);
});
