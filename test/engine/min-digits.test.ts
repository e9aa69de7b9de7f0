import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { createAnalyzer } from '../../src/engine/analyze.js';
import { defaultRecognizers } from '../../src/engine/recognizers/index.js';
import { maxMatchLength, minDigitRun, minDigits } from '../../src/engine/scan/min-digits.js';
import { digitRunTrigger, TRIGGERS } from '../../src/engine/scan/triggers.js';
import { windowsFor } from '../../src/engine/scan/windows.js';

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

describe('minDigitRun and maxMatchLength', () => {
  it('finds the run of consecutive digits every match holds', () => {
    assert.equal(minDigitRun(/\d{3}-?\d{2}-?\d{4}/), 4);
    assert.equal(minDigitRun(/DE\d{9}|\d{11}/), 9);
    assert.equal(minDigitRun(/(?<!\w)[1-9]\d{10}(?!\w)/), 11);
    assert.equal(minDigitRun(/\d{2}[0-9A-F]\d{2}/), 2);
    assert.equal(minDigitRun(/\d{2}\d?\d{2}/), 4);
    assert.equal(minDigitRun(/(?:\d{5})?x/), 0);
  });
  it('bounds the length of a match, or says it is unbounded', () => {
    assert.equal(maxMatchLength(/\d{3}-\d{2}-\d{4}/), 11);
    assert.equal(maxMatchLength(/a|bcd/), 3);
    assert.equal(maxMatchLength(/[\p{L}\d]{2}/u), 4);
    assert.equal(maxMatchLength(/[a-z\d]{2}x/u), 3);
    assert.equal(maxMatchLength(/.|[^a]|\D|\u{1F600}/u), 2);
    assert.equal(maxMatchLength(/./), 1);
    assert.equal(maxMatchLength(new RegExp('[a]', 'v')), Infinity);
    assert.equal(maxMatchLength(/\d+/), Infinity);
    assert.equal(maxMatchLength(/(\d)\1/), 2);
    assert.equal(maxMatchLength(/\d{3}([ -]?)\d{3}\1\d{3}/), 11);
    assert.equal(maxMatchLength(/(a\1)b/), 2);
    assert.equal(maxMatchLength(/(\d+)\1/), Infinity);
  });
  it('falls back to the safe bounds on syntax it cannot read', () => {
    const unreadable = { source: '(?', flags: '' } as RegExp;
    assert.equal(minDigits(unreadable), 0);
    assert.equal(minDigitRun(unreadable), 0);
    assert.equal(maxMatchLength(unreadable), Infinity);
  });
  it('digit-run triggers round down runs and round up margins, and select only long enough runs', () => {
    const trigger = digitRunTrigger(9, 22);
    assert.deepEqual(trigger, { kind: 'digitRun', id: 'digits6+32', minRun: 6, margin: 32 });
    assert.equal(digitRunTrigger(7, 20), trigger);
    const text = 'call 12 or 34, ref 1234567 today';
    assert.deepEqual(windowsFor(text, trigger), [{ start: 0, end: text.length }]);
    assert.deepEqual(windowsFor('only 12 and 345 here, nothing longer at all', trigger), []);
  });
});

/**
 * The default recognizers with their digit and capital-run bounds removed and every digit-run
 * trigger widened to the plain digit trigger: every one runs wherever there is a digit.
 */
const unbounded = createAnalyzer({
  useDefaultRecognizers: false,
  recognizers: defaultRecognizers().map((recognizer) => ({
    ...recognizer,
    minDigits: 0,
    maxLength: undefined,
    minDigitRun: 0,
    minCapitalRun: 0,
    trigger: recognizer.trigger.kind === 'digitRun' ? TRIGGERS.digit : recognizer.trigger,
  })),
});
const bounded = createAnalyzer();

const PIECES = [
  '0',
  '1',
  '7',
  '42',
  '2001',
  '078',
  '05',
  '1120',
  '4111',
  '123456789',
  '82',
  '-',
  '/',
  '.',
  ' ',
  ':',
  'GB',
  'DE',
  'AB',
  'X',
  'ssn',
  'card',
  'no.',
  'IBAN',
  '\n',
  'VIN',
  '1HGCM',
  'ABCDE',
  'Z',
  '536-22-1245',
];

describe('skipping recognizers by their digit bound, digit runs and capital runs', () => {
  it('never changes the findings (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...PIECES), { maxLength: 40 }).map((parts) => parts.join('')),
        (text) => {
          assert.deepEqual(bounded(text), unbounded(text));
        },
      ),
      { numRuns: 400 },
    );
  });
  it('gives every default pattern recognizer a bound, and identifiers a real one', () => {
    const bounds = new Map(defaultRecognizers().map((r) => [r.name, r.minDigits ?? 0]));
    assert.equal(bounds.get('us-ssn'), 9);
    assert.ok((bounds.get('credit-card') ?? 0) >= 12);
  });
});
