// The occupation frames' trigger puts one word boundary before the whole alternation of frames,
// where it was written with a boundary before each frame (the faster form for V8). Windows are
// built from the trigger's hits, so both forms must give the same hits on every text: checked on
// generated texts made of the frames' words, near misses and separators.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { FRAME, FRAME_TRIGGER, FRAMES } from '../../src/engine/recognizers/occupations.js';
import { windowsFor } from '../../src/engine/scan/windows.js';

/** The trigger as first written: a boundary before each frame. */
const PER_FRAME = new RegExp(FRAMES.map((frame) => `\\b${frame}`).join('|'), 'gi');

/** The frames' search as first written: the look-behind repeated before each frame. */
const FRAME_PER_FRAME = new RegExp(FRAMES.map((frame) => `(?<![\\p{L}\\p{N}])${frame}`).join('|'), 'giu');

/**
 * Every hit of `regex` over `text` as `index:length`, scanning as `windowsFor` does; with
 * `group`, the hit also says whether capture group 1 took part (the recognizer reads it).
 */
function hits(regex: RegExp, text: string, group = false): string[] {
  const global = new RegExp(regex.source, regex.flags);
  const found: string[] = [];
  for (let match = global.exec(text); match !== null; match = global.exec(text)) {
    if (match[0].length === 0) global.lastIndex++;
    found.push(`${match.index}:${match[0].length}${group ? `:${match[1] === undefined}` : ''}`);
  }
  return found;
}

const PIECES = [
  ' ',
  ' ',
  '\n',
  '\t',
  ',',
  '.',
  '-',
  "'",
  'é',
  'x',
  '1',
  'a',
  'an',
  'A',
  'as',
  'of',
  'is',
  'IS',
  'was',
  'been',
  'had',
  'has',
  'who',
  'he',
  'she',
  'the',
  'work',
  'Worked',
  'working',
  'employed',
  'practised',
  'practicing',
  'hired',
  'appointed',
  'job',
  'post',
  'position',
  'profession',
  'occupation',
  'become',
  'became',
  'becoming',
  'applicant',
  'Claimant',
  'victim',
  'deceased',
  'teacher',
];
/** Frames as they are written in text, whole and cut short. */
const FRAGMENTS = [
  'was a ',
  'is an ',
  'had been a ',
  'has\tbeen an ',
  'worked as a ',
  'works as ',
  'employed as an ',
  'practising as a ',
  'the post of ',
  'position of a ',
  'who was a ',
  'she became a ',
  'the applicant, a ',
  'Applicant, an ',
  'becoming an ',
  'homework as a ',
  'thesis a ',
  'was a',
  'as a ',
];
const texts = fc
  .array(fc.oneof(fc.constantFrom(...FRAGMENTS), fc.constantFrom(...PIECES)), { maxLength: 30 })
  .map((pieces) => pieces.join(''));

test('the frames trigger hits where a boundary before each frame hits', () => {
  for (const fragment of FRAGMENTS)
    assert.deepEqual(hits(FRAME_TRIGGER.pattern, fragment), hits(PER_FRAME, fragment), fragment);
  fc.assert(
    fc.property(texts, (text) => {
      assert.deepEqual(hits(FRAME_TRIGGER.pattern, text), hits(PER_FRAME, text));
    }),
    { numRuns: 3000, seed: 19 },
  );
});

test('the frames search finds what a look-behind before each frame finds, with the same group', () => {
  for (const fragment of FRAGMENTS)
    assert.deepEqual(hits(FRAME, fragment, true), hits(FRAME_PER_FRAME, fragment, true), fragment);
  assert.deepEqual(hits(FRAME, 'It was a baker; she worked as a nurse; xwas a', true), [
    '3:6:false',
    '20:12:true',
  ]);
  fc.assert(
    fc.property(texts, (text) => {
      assert.deepEqual(hits(FRAME, text, true), hits(FRAME_PER_FRAME, text, true));
    }),
    { numRuns: 3000, seed: 23 },
  );
});

test('the frames trigger opens a window around each frame', () => {
  const text = 'He lives in Leeds. He worked as a school teacher in York for years.';
  assert.deepEqual(hits(FRAME_TRIGGER.pattern, text), ['22:12']);
  assert.deepEqual(windowsFor(text, FRAME_TRIGGER), [{ start: 0, end: text.length }]);
  assert.deepEqual(hits(FRAME_TRIGGER.pattern, 'homework as a chore; thesis a draft'), []);
});
