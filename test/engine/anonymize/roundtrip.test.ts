import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { anonymize, deanonymize, InMemoryTokenVault } from '../../../src/engine/anonymize/index.js';
import type { AnonymizationPlan } from '../../../src/engine/anonymize/index.js';
import type { Finding } from '../../../src/engine/types.js';
import { testKeys } from './test-keys.js';

const keys = testKeys();
const RUNS = { numRuns: 150 };

/** Non-overlapping spans over a text of `length` characters, each typed from `types`. */
function spansOf(length: number, types: readonly string[]): fc.Arbitrary<Finding[]> {
  return fc.uniqueArray(fc.integer({ min: 0, max: length }), { maxLength: 12 }).chain((cuts) => {
    const sorted = [...cuts].sort((a, b) => a - b);
    const pairs: [number, number][] = [];
    for (let i = 0; i + 1 < sorted.length; i += 2) pairs.push([sorted[i]!, sorted[i + 1]!]);
    return fc
      .tuple(...pairs.map(() => fc.constantFrom(...types)))
      .map((picked) =>
        pairs.map(([start, end], i) => ({ type: picked[i]!, start, end, score: 1, recognizer: 'prop' })),
      );
  });
}

describe('deanonymize(anonymize(x)) = x', () => {
  it('for encrypt and tokenize over any text and any spans', async () => {
    const plan: AnonymizationPlan = {
      default: { operator: 'encrypt' },
      operators: { PERSON: { operator: 'tokenize' } },
    };
    const vault = new InMemoryTokenVault({ keys });
    await fc.assert(
      fc.asyncProperty(
        fc
          .string({ unit: 'grapheme', maxLength: 80 })
          .chain((text) => fc.tuple(fc.constant(text), spansOf(text.length, ['PERSON', 'EMAIL_ADDRESS']))),
        fc.constantFrom('p1', 'p2', undefined),
        async ([text, findings], subject) => {
          // Spans must not cut a surrogate pair: encryption refuses lone surrogates.
          fc.pre(
            findings.every(
              (f) =>
                !/[\uD800-\uDBFF]$/.test(text.slice(0, f.start)) &&
                !/[\uD800-\uDBFF]$/.test(text.slice(0, f.end)),
            ),
          );
          const context = { keys, vault, tenant: 't1', scope: 's', subject };
          const done = await anonymize(text, findings, plan, context);
          const back = await deanonymize(done.text, done.items, plan, context);
          assert.equal(back.text, text);
          assert.deepEqual(
            back.restored.map((i) => [i.start, i.end]),
            findings.map((f) => [f.start, f.end]),
          );
        },
      ),
      RUNS,
    );
  });

  it('for fpe on digit strings with any separators, keeping the layout', async () => {
    const plan: AnonymizationPlan = { default: { operator: 'fpe' } };
    const value = fc
      .array(fc.oneof(fc.constantFrom(...'0123456789'), fc.constantFrom('-', ' ', '(', ')', '.', '+')), {
        minLength: 6,
        maxLength: 40,
      })
      .map((c) => c.join(''));
    await fc.assert(
      fc.asyncProperty(value, fc.constantFrom('US_SSN', 'PHONE_NUMBER', 'CREDIT_CARD'), async (v, type) => {
        const findings = [{ type, start: 0, end: v.length, score: 1, recognizer: 'prop' }];
        const done = await anonymize(
          `x ${v} y`,
          findings.map((f) => ({ ...f, start: 2, end: 2 + v.length })),
          plan,
          { keys },
        );
        const item = done.items[0]!;
        if (item.operator === 'fpe')
          assert.equal(done.text.replace(/[0-9]/g, '0'), `x ${v} y`.replace(/[0-9]/g, '0'));
        const back = await deanonymize(done.text, done.items, plan, { keys });
        if (item.operator === 'fpe') assert.equal(back.text, `x ${v} y`);
      }),
      RUNS,
    );
  });

  it('for card numbers: a Luhn-valid number stays Luhn-valid', async () => {
    const plan: AnonymizationPlan = { default: { operator: 'fpe' } };
    const card = fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 12, maxLength: 18 }).map((d) => {
      const payload = d.join('');
      return payload + String(luhnDigit(payload));
    });
    await fc.assert(
      fc.asyncProperty(card, async (number) => {
        const done = await anonymize(
          number,
          [{ type: 'CREDIT_CARD', start: 0, end: number.length, score: 1, recognizer: 'prop' }],
          plan,
          { keys },
        );
        assert.match(done.text, /^[0-9]+$/);
        assert.equal(luhnDigit(done.text.slice(0, -1)), Number(done.text.at(-1)));
        assert.equal((await deanonymize(done.text, done.items, plan, { keys })).text, number);
      }),
      RUNS,
    );
  });

  it('for date_shift over dates in many layouts, and the gap between two dates of a subject is kept', async () => {
    const plan: AnonymizationPlan = { default: { operator: 'date_shift', maxDays: 400 } };
    const MONTHS = [
      'January',
      'February',
      'March',
      'April',
      'May',
      'June',
      'July',
      'August',
      'September',
      'October',
      'November',
      'December',
    ];
    const date = fc.date({
      min: new Date('1900-01-01T00:00:00Z'),
      max: new Date('2099-12-31T00:00:00Z'),
      noInvalidDate: true,
    });
    const pad = (n: number): string => String(n).padStart(2, '0');
    const layouts: ((d: Date) => string)[] = [
      (d) => `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`,
      (d) => `${d.getUTCMonth() + 1}/${d.getUTCDate()}/${d.getUTCFullYear()}`,
      (d) => `${pad(d.getUTCDate())}.${pad(d.getUTCMonth() + 1)}.${d.getUTCFullYear()}`,
      (d) => `${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()}, ${d.getUTCFullYear()}`,
      (d) => `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]!.slice(0, 3).toUpperCase()} ${d.getUTCFullYear()}`,
      (d) => `${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())}/${d.getUTCFullYear()} 14:05`,
    ];
    await fc.assert(
      fc.asyncProperty(
        date,
        date,
        fc.integer({ min: 0, max: layouts.length - 1 }),
        fc.string({ maxLength: 8 }),
        async (a, b, layout, subject) => {
          const first = layouts[layout]!(a);
          const second = layouts[0]!(b);
          const text = `${first} and ${second}`;
          const findings = [
            { type: 'DATE_TIME', start: 0, end: first.length, score: 1, recognizer: 'prop' },
            { type: 'DATE_TIME', start: first.length + 5, end: text.length, score: 1, recognizer: 'prop' },
          ];
          const done = await anonymize(text, findings, plan, { keys, subject });
          assert.deepEqual(
            done.items.map((i) => i.operator),
            ['date_shift', 'date_shift'],
          );
          assert.equal((await deanonymize(done.text, done.items, plan, { keys, subject })).text, text);
          const shiftedSecond = new Date(
            `${done.text.slice(done.items[1]!.start, done.items[1]!.end)}T00:00:00Z`,
          );
          const original = new Date(`${second}T00:00:00Z`);
          const offset = (shiftedSecond.getTime() - original.getTime()) / 86_400_000;
          assert.ok(offset !== 0 && Math.abs(offset) <= 400);
        },
      ),
      RUNS,
    );
  });
});

function luhnDigit(payload: string): number {
  let sum = 0;
  [...payload].reverse().forEach((c, i) => {
    let d = Number(c) * (i % 2 === 0 ? 2 : 1);
    if (d > 9) d -= 9;
    sum += d;
  });
  return (10 - (sum % 10)) % 10;
}
