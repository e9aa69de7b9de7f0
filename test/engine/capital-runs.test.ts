import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { longestCapitalRun, minCapitalRun } from '../../src/engine/scan/capital-runs.js';
import { digitRuns, longestDigitRun } from '../../src/engine/scan/windows.js';

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
    assert.equal(longestCapitalRun('VIN 1HGCM82633A004352 on file'), 17);
    assert.equal(longestCapitalRun('no capitals here'), 0);
    assert.equal(longestDigitRun(digitRuns('12 345 6789')), 4);
    assert.equal(longestDigitRun(digitRuns('none')), 0);
  });
});
