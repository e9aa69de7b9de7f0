import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseValue, VALUE_FINDERS } from '../../../src/ai/fields/types/index.js';
import { normaliseAmount } from '../../../src/ai/fields/types/money.js';
import type { FieldSpec, FieldType } from '../../../src/ai/fields/spec.js';

const spec = (type: FieldType, extra: Partial<FieldSpec> = {}): FieldSpec =>
  ({ name: 'f', type, ...extra }) as FieldSpec;
const value = (type: FieldType, text: string, extra: Partial<FieldSpec> = {}) =>
  parseValue(spec(type, extra), text)?.value ?? null;

test('dates in every common order become YYYY-MM-DD; impossible dates are refused', () => {
  assert.equal(value('date', '25/12/2018'), '2018-12-25');
  assert.equal(value('date', '12-01-19'), '2019-01-12');
  assert.equal(value('date', '03/04/2024'), '2024-04-03');
  assert.equal(value('date', '03/04/2024', { order: 'mdy' }), '2024-03-04');
  assert.equal(value('date', '12/25/2018', { order: 'dmy' }), '2018-12-25', 'the numbers settle the order');
  assert.equal(value('date', '2019.01.12'), '2019-01-12');
  assert.equal(value('date', '12 Jan 2019'), '2019-01-12');
  assert.equal(value('date', '12-JAN-19'), '2019-01-12');
  assert.equal(value('date', 'January 12, 2019'), '2019-01-12');
  assert.equal(value('date', '1st March 2020'), '2020-03-01');
  assert.equal(value('date', '31/02/2020'), null);
  assert.equal(value('date', '29/02/2023'), null);
  assert.equal(value('date', '12/13/14/15'), null);
  const found = VALUE_FINDERS.date('DATE: 25/12/2018 8:13:39 PM', spec('date'));
  assert.deepEqual(
    found.map((m) => [m.value, m.start, m.end]),
    [['2018-12-25', 6, 16]],
  );
  assert.equal(
    VALUE_FINDERS.date('03/04/2024', spec('date'))[0]!.checks.find((c) => c.name === 'order')!.passed,
    false,
  );
});

test('datetimes join a date and a time of day, 12-hour times converted', () => {
  assert.equal(value('datetime', '25/12/2018 8:13:39 PM'), '2018-12-25T20:13:39');
  assert.equal(value('datetime', '2019-01-12 12:05 am'), '2019-01-12T00:05:00');
  assert.equal(value('datetime', '2019-01-12'), null);
});

test('money: amounts as decimal strings, thousands separators and currency marks', () => {
  assert.deepEqual(value('money', 'RM9.00'), { amount: '9.00', currency: 'MYR' });
  assert.deepEqual(value('money', 'MYR 1,234.50'), { amount: '1234.50', currency: 'MYR' });
  assert.deepEqual(value('money', '€ 1.234,56'), { amount: '1234.56', currency: 'EUR' });
  assert.deepEqual(value('money', '$12'), { amount: '12', currency: 'USD' });
  assert.deepEqual(value('money', '12,50 EUR'), { amount: '12.50', currency: 'EUR' });
  assert.deepEqual(value('money', '£0.99'), { amount: '0.99', currency: 'GBP' });
  assert.deepEqual(value('money', '60.30'), { amount: '60.30', currency: null });
  assert.equal(value('money', 'twelve'), null);
  assert.equal(normaliseAmount('1,250'), '1250');
  assert.equal(normaliseAmount('007.50'), '7.50');
});

test('numbers and integers', () => {
  assert.equal(value('number', '1,250.5'), 1250.5);
  assert.equal(value('number', '-3.14159'), -3.14159);
  assert.equal(value('integer', '1,200'), 1200);
  assert.equal(value('integer', '12.5'), null);
});

test('e-mail, phone (E.164 via libphonenumber-js)', () => {
  assert.equal(value('email', 'Jane.Doe@Example.ORG'), 'Jane.Doe@example.org');
  assert.equal(value('email', 'jane@@example.org'), null);
  assert.equal(value('phone', '+44 20 7946 0018'), '+442079460018');
  assert.equal(value('phone', '020 7946 0018', { country: 'GB' }), '+442079460018');
  assert.equal(value('phone', '(212) 555-0199', { country: 'US' }) !== null, true);
  assert.equal(value('phone', '12'), null);
});

test('IBAN (ibantools), card numbers (Luhn), national identifiers (the engine)', () => {
  assert.equal(value('iban', 'GB82 WEST 1234 5698 7654 32'), 'GB82WEST12345698765432');
  assert.equal(value('iban', 'GB83 WEST 1234 5698 7654 32'), null);
  assert.equal(value('card_number', '4111 1111 1111 1111'), '4111111111111111');
  assert.equal(value('card_number', '4111 1111 1111 1112'), null);
  assert.equal(value('national_id', '536-22-1245', { entity: 'US_SSN' }), '536-22-1245');
  assert.equal(value('national_id', 'QQ 12 34 56 C'), null, 'QQ is never a NINO prefix');
  assert.equal(value('national_id', 'AB 12 34 56 C', { entity: 'UK_NINO' }), 'AB 12 34 56 C');
  assert.throws(() => value('national_id', '1', { entity: 'NOT_A_TYPE' }), { code: 'VEIL_FIELD_INVALID' });
});

test('enum, boolean (a ticked box), name, address, string', () => {
  assert.equal(value('enum', 'FEMALE', { values: ['female', 'male'] }), 'female');
  assert.equal(value('enum', 'unknown', { values: ['female', 'male'] }), null);
  assert.equal(value('boolean', '[x]'), true);
  assert.equal(value('boolean', '☐'), false);
  assert.equal(value('boolean', 'No'), false);
  assert.equal(value('name', ': Jane  Doe'), 'Jane Doe');
  assert.equal(parseValue(spec('name'), '12345')!.checks[0]!.passed, false);
  assert.equal(value('address', '12 Baker Street,  London'), '12 Baker Street, London');
  assert.equal(value('string', '  ACME TRADING -'), 'ACME TRADING');
});

const pad = (n: number, w = 2) => String(n).padStart(w, '0');
const realDate = fc.date({
  min: new Date('1971-01-01T00:00:00Z'),
  max: new Date('2068-12-31T00:00:00Z'),
  noInvalidDate: true,
});
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

test('property: a date formatted in any common order parses back to itself', () => {
  fc.assert(
    fc.property(
      realDate,
      fc.constantFrom('/', '-', '.'),
      fc.integer({ min: 0, max: 4 }),
      (date, sep, style) => {
        const [y, m, d] = [date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate()];
        const iso = `${y}-${pad(m)}-${pad(d)}`;
        const formats: [string, FieldSpec['order']][] = [
          [`${pad(d)}${sep}${pad(m)}${sep}${y}`, 'dmy'],
          [`${pad(m)}${sep}${pad(d)}${sep}${y}`, 'mdy'],
          [`${y}${sep}${pad(m)}${sep}${pad(d)}`, 'ymd'],
          [`${d} ${MONTHS[m - 1]} ${y}`, 'dmy'],
          [`${pad(d)}${sep}${pad(m)}${sep}${pad(y % 100)}`, 'dmy'],
        ];
        const [text, order] = formats[style]!;
        assert.equal(value('date', text, { order }), iso, text);
      },
    ),
    { numRuns: 500 },
  );
});

test('property: an amount formatted with separators and a currency mark parses back to itself', () => {
  fc.assert(
    fc.property(
      fc.bigInt({ min: 0n, max: 10n ** 12n }),
      fc.boolean(),
      fc.constantFrom(['RM', 'MYR'], ['€', 'EUR'], ['$', 'USD'], ['£', 'GBP'], ['', null]),
      (cents, european, [mark, currency]) => {
        const whole = (cents / 100n).toString();
        const fraction = pad(Number(cents % 100n));
        const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, european ? '.' : ',');
        const text = `${mark}${grouped}${european ? ',' : '.'}${fraction}`;
        assert.deepEqual(value('money', text), { amount: `${whole}.${fraction}`, currency }, text);
      },
    ),
    { numRuns: 500 },
  );
});
