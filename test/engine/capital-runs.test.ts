import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { minCapitalRun } from '../../src/engine/scan/capital-runs.js';
import { textRuns } from '../../src/engine/scan/text-runs.js';

describe('minCapitalRun', () => {
  it('counts consecutive elements that match only capitals and digits', () => {
    assert.equal(minCapitalRun(/(?<![\p{L}\p{N}])[A-HJ-NPR-Z0-9]{17}(?![\p{L}\p{N}])/u), 17);
    assert.equal(minCapitalRun(/[A-Z]{2}-?\d{4}/), 4);
    assert.equal(minCapitalRun(/[A-Z]{5}\d{4}[A-Z]/), 10);
    assert.equal(minCapitalRun(/GB(?:\d{3}|[A-Z]{2})\d/), 5);
    assert.equal(minCapitalRun(/[A-Z]?\d{3}/), 3);
  });
  it('takes the least over alternatives and stops at anything else', () => {
    assert.equal(minCapitalRun(/[A-Z]{8}|\d{4}/), 4);
    assert.equal(minCapitalRun(/\d{3} \d{3}/), 3);
    assert.equal(minCapitalRun(/[A-Za-z]{9}/), 0);
    assert.equal(minCapitalRun(/\w{9}/), 0);
    assert.equal(minCapitalRun(/(\d)\1\1/), 1);
  });
  it('counts only digits under the i flag, where a letter matches either case', () => {
    assert.equal(minCapitalRun(/[A-Z]{3}\d{2}/i), 2);
    assert.equal(minCapitalRun(/ABC/i), 0);
  });
});

describe('runs in a text', () => {
  it('finds the longest run of capitals and digits, and of digits', () => {
    assert.equal(textRuns('VIN 1HGCM82633A004352 on file').longestCapitalRun, 17);
    assert.equal(textRuns('no capitals here').longestCapitalRun, 0);
    assert.equal(textRuns('12 345 6789').longestDigitRun, 4);
    assert.equal(textRuns('none').longestDigitRun, 0);
  });
  it('gives every digit run, the longest runs, their lengths and the digit count in one pass', () => {
    assert.deepEqual(textRuns('AB 12 345X'), {
      text: 'AB 12 345X',
      digitRuns: [3, 5, 6, 9],
      longestDigitRun: 3,
      longestCapitalRun: 4,
      digits: 5,
      letterDigitPair: 2,
      // Runs of two and three digits.
      runLengths: 0b110,
    });
    assert.deepEqual(textRuns('7a88'), {
      text: '7a88',
      digitRuns: [0, 1, 2, 4],
      longestDigitRun: 2,
      longestCapitalRun: 2,
      digits: 3,
      letterDigitPair: 1,
      runLengths: 0b11,
    });
    assert.deepEqual(textRuns(''), {
      text: '',
      digitRuns: [],
      longestDigitRun: 0,
      longestCapitalRun: 0,
      digits: 0,
      letterDigitPair: 0,
      runLengths: 0,
    });
  });
});
