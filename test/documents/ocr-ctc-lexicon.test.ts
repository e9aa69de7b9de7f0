import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ctcLogLikelihood,
  lettersCorrected,
  lexiconCorrected,
  numbersCorrected,
} from '../../src/documents/ocr/ctc-lexicon.js';
import { ctcWords } from '../../src/documents/ocr/paddle-decode.js';
import { ctcClasses } from './ctc-lines.js';

const { classes, line } = ctcClasses(['A', 'N', 'a', 's', '0', '1', '8', 'O', 'I', '!']);

describe('CTC likelihood of a text', () => {
  test('sums every alignment of the text over the steps', () => {
    // 'A' in two steps: A A, A blank, blank A = 0.9 × 0.2 + 0.9 × 0.8 + 0.1 × 0.2 = 0.92.
    const two = line([
      { A: 0.9, '': 0.1 },
      { A: 0.2, '': 0.8 },
    ]);
    assert.equal(ctcLogLikelihood(two, 0, 2, 'A').toFixed(4), Math.log(0.92).toFixed(4));
  });

  test('reads letters without regard to case, and is -Infinity for a character the model lacks', () => {
    const one = line([{ A: 0.5, a: 0.3, '': 0.2 }]);
    assert.equal(ctcLogLikelihood(one, 0, 1, 'A').toFixed(4), Math.log(0.8).toFixed(4));
    assert.equal(ctcLogLikelihood(one, 0, 1, 'Z'), -Infinity);
    assert.equal(ctcLogLikelihood(one, 0, 1, 'AN'), -Infinity);
  });
});

// 'AsN' read with an unsure middle letter the model also saw as an 'A'.
const unsure = line([
  { A: 0.9, '': 0.1 },
  { '': 0.9, A: 0.1 },
  { s: 0.6, A: 0.3, '': 0.1 },
  { '': 1 },
  { N: 0.95, '': 0.05 },
]);
const read = ctcWords(unsure.probabilities, unsure.steps, classes);

describe('lexicon correction of low-confidence words', () => {
  test('the read word, its confidence the mean of its letters', () => {
    assert.deepEqual(
      read.map((w) => [w.text, w.confidence.toFixed(3)]),
      [['AsN', '0.817']],
    );
  });

  test('a low-confidence word becomes the lexicon word the model finds nearly as likely', () => {
    const corrected = lexiconCorrected(read, unsure, new Set(['AAN']), { below: 0.9, margin: 1 });
    assert.deepEqual(
      corrected.map((w) => w.text),
      ['AAN'],
    );
  });

  test('a word read with confidence at or above the bound is kept', () => {
    const kept = lexiconCorrected(read, unsure, new Set(['AAN']), { below: 0.8, margin: 1 });
    assert.deepEqual(
      kept.map((w) => w.text),
      ['AsN'],
    );
  });

  test('a lexicon word the model finds much less likely than its reading is not taken', () => {
    // ln P('AsN') - ln P('AAN') = ln(0.6 / 0.3) + small terms ≈ 0.81: beyond a margin of 0.5.
    const kept = lexiconCorrected(read, unsure, new Set(['AAN']), { below: 0.9, margin: 0.5 });
    assert.deepEqual(
      kept.map((w) => w.text),
      ['AsN'],
    );
  });

  test('a lower-case reading is replaced in lower case', () => {
    const lower = line([{ a: 0.9, '': 0.1 }, { '': 1 }, { s: 0.5, a: 0.4, '': 0.1 }]);
    const words = ctcWords(lower.probabilities, lower.steps, classes);
    assert.deepEqual(
      lexiconCorrected(words, lower, new Set(['AA']), { below: 0.9, margin: 1 }).map((w) => w.text),
      ['aa'],
    );
  });
  test('a closing mark the lexicon word takes as its last letter is dropped', () => {
    // 'AsN!': the model saw an 'I' (0.35) where it read the '!' (0.6) that ends the word.
    const marked = line([
      { A: 0.9, '': 0.1 },
      { '': 1 },
      { s: 0.6, A: 0.3, '': 0.1 },
      { '': 1 },
      { N: 0.95, '': 0.05 },
      { '': 1 },
      { '!': 0.6, I: 0.35, '': 0.05 },
    ]);
    const words = ctcWords(marked.probabilities, marked.steps, classes);
    assert.deepEqual(
      words.map((w) => w.text),
      ['AsN!'],
    );
    assert.deepEqual(
      lexiconCorrected(words, marked, new Set(['AANI']), { below: 0.9, margin: 1 }).map((w) => w.text),
      ['AANI'],
    );
  });

  test('a run of letters the model ran together with a number is corrected on its own steps', () => {
    // '1AsN': a house number glued to an unsure word; the word as a whole is no lexicon word.
    const glued = line([
      { '1': 0.99, '': 0.01 },
      { '': 1 },
      { A: 0.9, '': 0.1 },
      { '': 0.9, A: 0.1 },
      { s: 0.6, A: 0.3, '': 0.1 },
      { '': 1 },
      { N: 0.95, '': 0.05 },
    ]);
    const words = ctcWords(glued.probabilities, glued.steps, classes);
    assert.deepEqual(
      lexiconCorrected(words, glued, new Set(['AAN']), { below: 0.9, margin: 1 }).map((w) => w.text),
      ['1AAN'],
    );
  });
});

describe('a letter among the digits of a number', () => {
  // '8110O': the last character read as the letter O, with a zero close behind it (CTC needs a
  // blank between the two zeros of '00').
  const postcode = line([
    { '8': 0.99, '': 0.01 },
    { '1': 0.99, '': 0.01 },
    { '': 1 },
    { '1': 0.99, '': 0.01 },
    { '0': 0.99, '': 0.01 },
    { '': 1 },
    { O: 0.55, '0': 0.4, '': 0.05 },
  ]);
  const words = ctcWords(postcode.probabilities, postcode.steps, classes);

  test('becomes the likeliest digit when the letter was unsure', () => {
    assert.deepEqual(
      words.map((w) => w.text),
      ['8110O'],
    );
    assert.deepEqual(
      numbersCorrected(words, postcode, { below: 0.9, margin: 1 }).map((w) => w.text),
      ['81100'],
    );
  });

  test('stays when the letter was read with confidence', () => {
    assert.deepEqual(
      numbersCorrected(words, postcode, { below: 0.5, margin: 1 }).map((w) => w.text),
      ['8110O'],
    );
  });
});

describe('a digit among the letters of a word', () => {
  // 'A0N': the middle character read as a zero, with the letters O and A together likelier.
  const steps = (middle: Record<string, number>) =>
    line([{ A: 0.99, '': 0.01 }, { '': 1 }, middle, { '': 1 }, { N: 0.99, '': 0.01 }]);

  test('becomes the likeliest letter when the letters outweigh the digits at its step', () => {
    const word = steps({ '0': 0.45, O: 0.35, A: 0.15, '': 0.05 });
    const read = ctcWords(word.probabilities, word.steps, classes);
    assert.deepEqual(
      read.map((w) => w.text),
      ['A0N'],
    );
    assert.deepEqual(
      lettersCorrected(read, word, { below: 0.9, margin: 1 }).map((w) => w.text),
      ['AON'],
    );
  });

  test('stays when the digits outweigh the letters, or when it was read with confidence', () => {
    const digit = steps({ '0': 0.45, '1': 0.2, O: 0.3, '': 0.05 });
    const read = ctcWords(digit.probabilities, digit.steps, classes);
    assert.deepEqual(
      lettersCorrected(read, digit, { below: 0.9, margin: 1 }).map((w) => w.text),
      ['A0N'],
    );
    const sure = steps({ '0': 0.45, O: 0.35, A: 0.15, '': 0.05 });
    assert.deepEqual(
      lettersCorrected(ctcWords(sure.probabilities, sure.steps, classes), sure, {
        below: 0.4,
        margin: 1,
      }).map((w) => w.text),
      ['A0N'],
    );
  });

  test('a word with two digits is a code and stays', () => {
    const code = line([
      { A: 0.99, '': 0.01 },
      { '': 1 },
      { '1': 0.99, '': 0.01 },
      { '': 1 },
      { '0': 0.45, O: 0.35, A: 0.15, '': 0.05 },
      { '': 1 },
      { N: 0.99, '': 0.01 },
    ]);
    const read = ctcWords(code.probabilities, code.steps, classes);
    assert.deepEqual(
      lettersCorrected(read, code, { below: 0.9, margin: 1 }).map((w) => w.text),
      ['A10N'],
    );
  });
});
