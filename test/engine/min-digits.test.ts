import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { createAnalyzer } from '../../src/engine/analyze.js';
import { defaultRecognizers } from '../../src/engine/recognizers/index.js';
import { minDigits } from '../../src/engine/scan/min-digits.js';

describe('minDigits', () => {
  it('counts the digits every match must hold', () => {
    assert.equal(minDigits(/\d{3}-\d{2}-\d{4}/), 9);
    assert.equal(minDigits(/[0-9]{2}[1-9]7/), 4);
    assert.equal(minDigits(/(?:\d{4}[ -]?){3}\d{1,4}/), 13);
  });
  it('takes the least of alternatives and the least count of repetitions', () => {
    assert.equal(minDigits(/[A-Z]{2}\d{2}|\d{6}/), 2);
    assert.equal(minDigits(/\d*x|\d{5}/), 0);
    assert.equal(minDigits(/(?:\d\d)?\d/), 1);
  });
  it('never counts classes that can match a non-digit, look-arounds or back-references', () => {
    assert.equal(minDigits(/\p{N}{9}/u), 0);
    assert.equal(minDigits(/[0-9A-F]{12}/), 0);
    assert.equal(minDigits(/\w{9}/), 0);
    assert.equal(minDigits(/[^a-z]{4}/), 0);
    assert.equal(minDigits(/(?<=\d{4})x(?=\d)/), 0);
    assert.equal(minDigits(/(\d)\1/), 1);
  });
});

/** The default recognizers with their digit bound removed: every one runs on every text. */
const unbounded = createAnalyzer({
  useDefaultRecognizers: false,
  recognizers: defaultRecognizers().map((recognizer) => ({ ...recognizer, minDigits: 0 })),
});
const bounded = createAnalyzer();

const PIECES = ['0', '1', '7', '42', '2001', '078', '05', '1120', '4111', '-', '/', '.', ' ', ':', 'GB', 'DE', 'AB', 'X', 'ssn', 'card', 'no.', '\n'];

describe('skipping recognizers by their digit bound', () => {
  it('never changes the findings (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...PIECES), { maxLength: 40 }).map((parts) => parts.join('')), (text) => {
        assert.deepEqual(bounded(text), unbounded(text));
      }),
      { numRuns: 400 },
    );
  });
  it('gives every default pattern recognizer a bound, and identifiers a real one', () => {
    const bounds = new Map(defaultRecognizers().map((r) => [r.name, r.minDigits ?? 0]));
    assert.equal(bounds.get('us-ssn'), 9);
    assert.ok((bounds.get('credit-card') ?? 0) >= 12);
  });
});
