import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { isSwedishOrganisationNumber } from '../../../src/engine/recognizers/national/eu-north.js';
import {
  isGermanKvnr,
  isGermanLanr,
  isGermanRvnr,
} from '../../../src/engine/recognizers/national/germany-insurance.js';
import { isKoreanBrn, isKoreanFrn, isKoreanRrn } from '../../../src/engine/recognizers/national/korea.js';
import { isSouthAfricanId } from '../../../src/engine/recognizers/national/south-africa.js';
import { isThaiTnin } from '../../../src/engine/recognizers/national/thailand.js';
import { isTurkishTckn } from '../../../src/engine/recognizers/national/turkey.js';
import { isAsciiDigits } from '../../../src/engine/validators/checksums.js';
import { spans } from './detect.js';

const digits = (length: number) =>
  fc.array(fc.integer({ min: 0, max: 9 }), { minLength: length, maxLength: length }).map((d) => d.join(''));
const pad = (n: number) => String(n).padStart(2, '0');
/** A YYMMDD date that exists in a year ending in YY in both the 1900s and the 2000s (day ≤ 28). */
const yymmdd = fc
  .tuple(fc.integer({ min: 0, max: 99 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 28 }))
  .map(([y, m, d]) => pad(y) + pad(m) + pad(d));
const upper = fc.integer({ min: 65, max: 90 }).map((c) => String.fromCharCode(c));

interface Scheme {
  readonly type: string;
  readonly body: fc.Arbitrary<string>;
  /** The full value with the candidate check character appended (and any formatting). */
  readonly complete: (body: string, check: string) => string;
  readonly valid: (value: string) => boolean;
  /** Context put before the value when it is looked for in text. */
  readonly context: string;
  /** The candidate check characters: all ten digits unless the scheme says otherwise. */
  readonly checks?: readonly string[];
}

const TEN = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];
const HUNDRED = TEN.flatMap((a) => TEN.map((b) => a + b));

/**
 * Birth dates before October 2020, when Korean numbers still carried a check digit: the seventh
 * digit 1 or 2 (1900s) for citizens, 5 or 6 for foreigners.
 */
const koreanBody = (sex: readonly number[]) =>
  fc.tuple(yymmdd, fc.constantFrom(...sex), digits(5)).map(([date, s, rest]) => `${date}${s}${rest}`);

const SCHEMES: readonly Scheme[] = [
  {
    type: 'DE_LANR',
    body: digits(6),
    complete: (b, c) => `${b}${c}01`,
    valid: isGermanLanr,
    context: 'LANR',
  },
  {
    type: 'DE_KVNR',
    body: fc.tuple(upper, digits(8)).map(([l, d]) => l + d),
    complete: (b, c) => b + c,
    valid: isGermanKvnr,
    context: 'KVNR',
  },
  {
    type: 'DE_RVNR',
    body: fc
      .tuple(
        digits(2),
        yymmdd.map((d) => d.slice(4) + d.slice(2, 4) + d.slice(0, 2)),
        upper,
        digits(2),
      )
      .map(([a, date, l, s]) => `${a} ${date} ${l} ${s}`),
    complete: (b, c) => `${b} ${c}`,
    valid: isGermanRvnr,
    context: 'Rentenversicherungsnummer',
  },
  {
    type: 'SE_ORGANISATIONSNUMMER',
    body: fc
      .tuple(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 20, max: 99 }), digits(6))
      .map(([k, m, rest]) => `${k}${rest[0]}${m}${rest.slice(1, 3)}-${rest.slice(3)}`),
    complete: (b, c) => b + c,
    valid: isSwedishOrganisationNumber,
    context: 'organisationsnummer',
  },
  {
    type: 'KR_RRN',
    body: koreanBody([1, 2]),
    complete: (b, c) => `${b.slice(0, 6)}-${b.slice(6)}${c}`,
    valid: isKoreanRrn,
    context: '주민등록번호',
  },
  {
    type: 'KR_FRN',
    body: koreanBody([5, 6]),
    complete: (b, c) => `${b.slice(0, 6)}-${b.slice(6)}${c}`,
    valid: isKoreanFrn,
    context: '외국인등록번호',
  },
  {
    type: 'KR_BRN',
    body: fc.tuple(fc.integer({ min: 101, max: 999 }), digits(6)).map(([office, rest]) => `${office}${rest}`),
    complete: (b, c) => `${b.slice(0, 3)}-${b.slice(3, 5)}-${b.slice(5)}${c}`,
    valid: isKoreanBrn,
    context: 'BRN',
  },
  {
    type: 'TH_TNIN',
    body: fc.tuple(fc.integer({ min: 1, max: 8 }), digits(11)).map(([k, d]) => `${k}${d}`),
    complete: (b, c) => `${b[0]}-${b.slice(1, 5)}-${b.slice(5, 10)}-${b.slice(10)}-${c}`,
    valid: isThaiTnin,
    context: 'Thai ID',
  },
  {
    type: 'TR_TCKN',
    body: fc.tuple(fc.integer({ min: 1, max: 9 }), digits(8)).map(([k, d]) => `${k}${d}`),
    complete: (b, c) => b + c,
    valid: isTurkishTckn,
    context: 'TC Kimlik No',
    checks: HUNDRED,
  },
  {
    type: 'ZA_ID_NUMBER',
    body: fc
      .tuple(yymmdd, digits(4), fc.integer({ min: 0, max: 2 }), fc.constantFrom(8, 9))
      .map(([date, seq, c, a]) => `${date} ${seq} ${c}${a}`),
    complete: (b, c) => b + c,
    valid: isSouthAfricanId,
    context: 'ID number',
  },
];

describe('generated identifiers', () => {
  for (const scheme of SCHEMES) {
    it(`${scheme.type}: exactly one check value completes any body, and that value is found after its label`, () => {
      fc.assert(
        fc.property(scheme.body, (body) => {
          const passing = (scheme.checks ?? TEN).filter((c) => scheme.valid(scheme.complete(body, c)));
          assert.equal(passing.length, 1, `${body}: ${passing.join(', ')}`);
          const value = scheme.complete(body, passing[0]!);
          const text = `${scheme.context} ${value}`;
          assert.deepEqual(spans(scheme.type, text), [
            { type: scheme.type, start: text.length - value.length, end: text.length },
          ]);
        }),
        { numRuns: 60 },
      );
    });
  }
});

describe('isAsciiDigits', () => {
  it('answers as /^\\d+$/ does, on any string', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: fc.constantFrom(...'0123456789'), maxLength: 20 }),
          fc.string({ unit: 'binary', maxLength: 20 }),
          fc.string({ unit: fc.constantFrom(...'0123456789٣۴\n a'), maxLength: 6 }),
        ),
        (value) => assert.equal(isAsciiDigits(value), /^\d+$/.test(value), JSON.stringify(value)),
      ),
      { numRuns: 3000 },
    );
  });
});
