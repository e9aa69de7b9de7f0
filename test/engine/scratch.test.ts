// Each analyzer owns its recognizers' working memory (`Scratch`): two analyzers used side by side,
// in turn or from interleaved async loops, find exactly what each finds alone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setImmediate } from 'node:timers/promises';
import { createAnalyzer, type AnalyzeOptions } from '../../src/engine/analyze.js';
import type { Scratch } from '../../src/engine/scratch.js';
import type { Finding, Recognizer } from '../../src/engine/types.js';
import { testDocuments } from '../ai/corpus.js';

const DOCUMENTS = testDocuments().map((d) => d.text);
// Long texts (tagged in several slices, so the buffers grow) between short ones (which would
// read stale tokens if a buffer were shared and not rewritten).
const LONG = DOCUMENTS.join('\n\n');
const TEXTS = DOCUMENTS.flatMap((text, i) => (i % 7 === 0 ? [LONG.slice(i * 97), text] : [text]));

const FULL: AnalyzeOptions = {};
const NAMES: AnalyzeOptions = { entities: ['PERSON', 'STREET_ADDRESS', 'PHONE_NUMBER'], threshold: 0.6 };

function alone(options: AnalyzeOptions, texts: readonly string[]): Finding[][] {
  const run = createAnalyzer(options);
  return texts.map((text) => run(text));
}

test('two analyzers used in turn find what each finds alone', () => {
  const reversed = [...TEXTS].reverse();
  const expectedFull = alone(FULL, TEXTS);
  const expectedNames = alone(NAMES, reversed);
  assert.ok(expectedFull.some((f) => f.some((x) => x.type === 'PERSON')));
  assert.ok(expectedNames.some((f) => f.some((x) => x.type === 'STREET_ADDRESS')));
  const full = createAnalyzer(FULL);
  const names = createAnalyzer(NAMES);
  const gotFull: Finding[][] = [];
  const gotNames: Finding[][] = [];
  for (let i = 0; i < TEXTS.length; i++) {
    gotFull.push(full(TEXTS[i]!));
    gotNames.push(names(reversed[i]!));
  }
  assert.deepEqual(gotFull, expectedFull);
  assert.deepEqual(gotNames, expectedNames);
});

test('interleaved async calls on two analyzers find what each finds alone', async () => {
  const expected = alone(FULL, TEXTS);
  const expectedNames = alone(NAMES, TEXTS);
  const loop = async (options: AnalyzeOptions, offset: number): Promise<Finding[][]> => {
    const run = createAnalyzer(options);
    const found: Finding[][] = new Array<Finding[]>(TEXTS.length);
    // Each loop starts at a different text and yields between calls, so long and short texts interleave.
    for (let k = 0; k < TEXTS.length; k++) {
      const i = (k + offset) % TEXTS.length;
      found[i] = run(TEXTS[i]!);
      await setImmediate();
    }
    return found;
  };
  const [a, b, c] = await Promise.all([loop(FULL, 0), loop(NAMES, 3), loop(FULL, 11)]);
  assert.deepEqual(a, expected);
  assert.deepEqual(b, expectedNames);
  assert.deepEqual(c, expected);
});

test('each analyzer passes its own scratch to every call, the same one each time', () => {
  const seen: (Scratch | undefined)[] = [];
  const spy: Recognizer = {
    name: 'scratch-spy',
    entities: ['SPY'],
    trigger: { kind: 'all' },
    find: (_text, _window, scratch) => {
      seen.push(scratch);
      return [];
    },
  };
  const first = createAnalyzer({ recognizers: [spy], useDefaultRecognizers: false });
  const second = createAnalyzer({ recognizers: [spy], useDefaultRecognizers: false });
  first('one');
  second('two');
  first('three');
  assert.equal(seen.length, 3);
  assert.ok(seen[0] !== undefined && seen[1] !== undefined);
  assert.notEqual(seen[0], seen[1]);
  assert.equal(seen[0], seen[2]);
});
