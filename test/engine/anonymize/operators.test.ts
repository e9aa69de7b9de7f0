import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { anonymize, deanonymize, InMemoryTokenVault, TagScope } from '../../../src/engine/anonymize/index.js';
import type { AnonymizationPlan, OperatorConfig } from '../../../src/engine/anonymize/index.js';
import type { Finding } from '../../../src/engine/types.js';
import { testKeys } from './test-keys.js';

const keys = testKeys();

/** A finding for the first occurrence of `value` at or after `from`. */
function at(text: string, type: string, value: string, from = 0): Finding {
  const start = text.indexOf(value, from);
  assert.ok(start >= 0, `test setup: ${value} not in text`);
  return { type, start, end: start + value.length, score: 1, recognizer: 'test' };
}

async function one(value: string, type: string, config: OperatorConfig, context = {}): Promise<string> {
  return (
    await anonymize(
      value,
      [{ type, start: 0, end: value.length, score: 1, recognizer: 'test' }],
      { default: config },
      context,
    )
  ).text;
}

describe('replace', () => {
  it('numbers tags per type and gives the same value the same tag, with output offsets', async () => {
    const text = 'Ann Lee called Bob at bob@x.org, then Ann Lee again';
    const findings = [
      at(text, 'PERSON', 'Ann Lee'),
      at(text, 'PERSON', 'Bob'),
      at(text, 'EMAIL_ADDRESS', 'bob@x.org'),
      at(text, 'PERSON', 'Ann Lee', 10),
    ];
    const result = await anonymize(text, findings, { default: { operator: 'replace' } });
    assert.equal(result.text, '<PERSON_1> called <PERSON_2> at <EMAIL_ADDRESS_1>, then <PERSON_1> again');
    assert.deepEqual(result.items, [
      { type: 'PERSON', start: 0, end: 10, operator: 'replace' },
      { type: 'PERSON', start: 18, end: 28, operator: 'replace' },
      { type: 'EMAIL_ADDRESS', start: 32, end: 49, operator: 'replace' },
      { type: 'PERSON', start: 56, end: 66, operator: 'replace' },
    ]);
  });

  it('keeps numbering across documents that share a TagScope', async () => {
    const tags = new TagScope();
    const plan: AnonymizationPlan = { default: { operator: 'replace' } };
    const a = await anonymize('Bob', [at('Bob', 'PERSON', 'Bob')], plan, { tags });
    const b = await anonymize(
      'Eve and Bob',
      [at('Eve and Bob', 'PERSON', 'Eve'), at('Eve and Bob', 'PERSON', 'Bob')],
      plan,
      { tags },
    );
    assert.equal(a.text, '<PERSON_1>');
    assert.equal(b.text, '<PERSON_2> and <PERSON_1>');
  });

  it('uses a fixed value when one is given, and takes findings in any order', async () => {
    const text = 'a 1 b 2';
    const result = await anonymize(text, [at(text, 'N', '2'), at(text, 'N', '1')], {
      default: { operator: 'replace', value: '[N]' },
    });
    assert.equal(result.text, 'a [N] b [N]');
  });
});

describe('redact and keep', () => {
  it('removes a value, or keeps it and records the decision', async () => {
    const text = 'call 555-0100 or Ann';
    const result = await anonymize(text, [at(text, 'PHONE_NUMBER', '555-0100'), at(text, 'PERSON', 'Ann')], {
      default: { operator: 'redact' },
      operators: { PERSON: { operator: 'keep' } },
    });
    assert.equal(result.text, 'call  or Ann');
    assert.deepEqual(result.items, [
      { type: 'PHONE_NUMBER', start: 5, end: 5, operator: 'redact' },
      { type: 'PERSON', start: 9, end: 12, operator: 'keep' },
    ]);
  });
});

describe('mask', () => {
  it('masks everything by default', async () =>
    assert.equal(await one('123-45-6789', 'US_SSN', { operator: 'mask' }), '***********'));
  it('keeps the last N', async () =>
    assert.equal(
      await one('123-45-6789', 'US_SSN', { operator: 'mask', char: '#', keepLast: 4 }),
      '#######6789',
    ));
  it('keeps separators', async () =>
    assert.equal(
      await one('123-45-6789', 'US_SSN', { operator: 'mask', keepLast: 4, keepSeparators: true }),
      '***-**-6789',
    ));
  it('masks a count from the start', async () =>
    assert.equal(await one('123-45-6789', 'US_SSN', { operator: 'mask', count: 3 }), '***-45-6789'));
  it('masks a count from the end', async () =>
    assert.equal(
      await one('jane@example.org', 'EMAIL_ADDRESS', { operator: 'mask', count: 4, fromEnd: true }),
      'jane@example****',
    ));
  it('never splits a surrogate pair', async () =>
    assert.equal(await one('a😀b', 'X', { operator: 'mask', keepLast: 1 }), '**b'));
  it('rejects a multi-character mask', async () =>
    assert.rejects(one('x', 'X', { operator: 'mask', char: '**' }), {
      code: 'VEIL_INVALID_OPTION',
      message: 'plan.default.char: expected exactly one character',
    }));
});

describe('hash', () => {
  it('is HMAC-SHA256 under the tenant key: stable within a tenant, different across tenants', async () => {
    const a = await one('jane@example.org', 'EMAIL_ADDRESS', { operator: 'hash' }, { keys, tenant: 't1' });
    assert.equal(a, 'ba62591e7b147fa8c2faeeb88c44b6293210f77d053e25016fe5f2c85ca4aaf9');
    assert.equal(
      await one('jane@example.org', 'EMAIL_ADDRESS', { operator: 'hash' }, { keys, tenant: 't1' }),
      a,
    );
    assert.notEqual(
      await one('jane@example.org', 'EMAIL_ADDRESS', { operator: 'hash' }, { keys, tenant: 't2' }),
      a,
    );
  });

  it('refuses to run without keys (never an unkeyed hash)', async () =>
    assert.rejects(one('x', 'X', { operator: 'hash' }), {
      code: 'VEIL_INVALID_OPTION',
      message: 'anonymize: the hash operator needs `keys` in the context',
    }));
});

describe('encrypt', () => {
  it('reverses exactly, and a ciphertext moved to another entity type does not decrypt', async () => {
    const text = 'Ann Lee';
    const plan: AnonymizationPlan = { default: { operator: 'encrypt' } };
    const done = await anonymize(text, [at(text, 'PERSON', 'Ann Lee')], plan, { keys });
    assert.match(done.text, /^[A-Za-z0-9_-]{40,}$/);
    assert.equal((await deanonymize(done.text, done.items, plan, { keys })).text, 'Ann Lee');
    const moved = done.items.map((i) => ({ ...i, type: 'LOCATION' }));
    await assert.rejects(deanonymize(done.text, moved, plan, { keys }), {
      code: 'VEIL_DECRYPTION_FAILED',
      message: 'decryption failed',
    });
  });
});

describe('fpe', () => {
  const plan: AnonymizationPlan = { default: { operator: 'fpe' } };
  const cases: [string, string, string][] = [
    ['US_SSN', '123-45-6789', '080-46-0777'],
    ['CREDIT_CARD', '4111 1111 1111 1111', '6356 8223 8687 8858'],
    ['PHONE_NUMBER', '(212) 555-0199', '(056) 008-8270'],
  ];
  for (const [type, value, expected] of cases) {
    it(`keeps the layout of a ${type} and reverses exactly`, async () => {
      const done = await anonymize(value, [at(value, type, value)], plan, { keys });
      assert.equal(done.text, expected);
      assert.equal((await deanonymize(done.text, done.items, plan, { keys })).text, value);
    });
  }

  it('keeps a card number Luhn-valid', async () => {
    assert.ok(luhnValid('6356822386878858'));
  });

  it('tags a value with too few digits for FF3-1 instead, and says so in the item', async () => {
    const done = await anonymize('ext 12345', [at('ext 12345', 'PHONE_NUMBER', '12345')], plan, { keys });
    assert.equal(done.text, 'ext <PHONE_NUMBER_1>');
    assert.deepEqual(done.items, [{ type: 'PHONE_NUMBER', start: 4, end: 20, operator: 'replace' }]);
  });
});

function luhnValid(digits: string): boolean {
  let sum = 0;
  [...digits].reverse().forEach((c, i) => {
    let d = Number(c) * (i % 2 === 1 ? 2 : 1);
    if (d > 9) d -= 9;
    sum += d;
  });
  return sum % 10 === 0;
}

describe('date_shift', () => {
  const plan: AnonymizationPlan = { default: { operator: 'date_shift' } };
  const text = 'admitted 3/5/1980, discharged 2024-03-09T10:30:00Z; seen Tuesday, March 5th, 2024';
  const findings = [
    at(text, 'DATE_TIME', '3/5/1980'),
    at(text, 'DATE_TIME', '2024-03-09T10:30:00Z'),
    at(text, 'DATE_TIME', 'Tuesday, March 5th, 2024'),
  ];

  it('moves every date of a subject by the same offset, keeping each layout, and reverses exactly', async () => {
    const done = await anonymize(text, findings, plan, { keys, subject: 'patient-1' });
    assert.equal(
      done.text,
      'admitted 10/23/1980, discharged 2024-10-27T10:30:00Z; seen Wednesday, October 23rd, 2024',
    );
    assert.deepEqual(
      done.items.map((i) => i.format),
      ['{M1}/{D1}/{Y}', '{Y}-{M2}-{D2}', '{Wd:Ft}, {Mon:Ft} {Do}, {Y}'],
    );
    assert.equal((await deanonymize(done.text, done.items, plan, { keys, subject: 'patient-1' })).text, text);
  });

  it('gives another subject another offset', async () => {
    const done = await anonymize(text, findings, plan, { keys, subject: 'patient-2' });
    assert.equal(
      done.text,
      'admitted 1/4/1981, discharged 2025-01-08T10:30:00Z; seen Saturday, January 4th, 2025',
    );
  });

  it('tags a date it cannot read exactly', async () => {
    const done = await anonymize('last spring', [at('last spring', 'DATE_TIME', 'last spring')], plan, {
      keys,
    });
    assert.equal(done.text, '<DATE_TIME_1>');
    assert.equal(done.items[0]?.operator, 'replace');
  });
});

describe('generalize', () => {
  const plan: AnonymizationPlan = { default: { operator: 'generalize' } };
  const cases: [string, string, string][] = [
    ['AGE', '42 years old', '40-49 years old'],
    ['AGE', '93', '90+'],
    ['ZIP_CODE', '94107-1234', '941'],
    ['ZIP_CODE', '03601', '000'],
    ['DATE_TIME', 'March 5, 2024', '2024'],
    ['DATE_TIME', 'spring of 1987', '1987'],
    ['PERSON', 'Ann', '<PERSON_1>'],
  ];
  for (const [type, value, expected] of cases)
    it(`${type} ${value} → ${expected}`, async () =>
      assert.equal((await anonymize(value, [at(value, type, value)], plan)).text, expected));

  it('uses a custom band width', async () =>
    assert.equal(await one('42', 'AGE', { operator: 'generalize', bandWidth: 5 }), '40-44'));
});

describe('custom', () => {
  it('runs the function, sync or async', async () => {
    assert.equal(
      await one('Ann', 'PERSON', { operator: 'custom', apply: (v, t) => `${t}:${v.length}` }),
      'PERSON:3',
    );
    assert.equal(
      await one('Ann', 'PERSON', { operator: 'custom', apply: async (v) => v.toUpperCase() }),
      'ANN',
    );
  });
});

describe('tokenize and the in-memory vault', () => {
  it('gives the same token for the same value, tenant and scope, and resolves it back', async () => {
    const vault = new InMemoryTokenVault({ keys });
    const plan: AnonymizationPlan = { default: { operator: 'tokenize' } };
    const text = 'Ann met Ann';
    const done = await anonymize(text, [at(text, 'PERSON', 'Ann'), at(text, 'PERSON', 'Ann', 4)], plan, {
      keys,
      vault,
      tenant: 't1',
      scope: 'job-1',
    });
    const [first, second] = done.text.split(' met ');
    assert.match(first!, /^tok_[0-9a-f]{32}$/);
    assert.equal(first, second);
    assert.equal(vault.size, 1);
    const other = await anonymize('Ann', [at('Ann', 'PERSON', 'Ann')], plan, {
      keys,
      vault,
      tenant: 't1',
      scope: 'job-2',
    });
    assert.notEqual(other.text, first);
    assert.equal(
      (await deanonymize(done.text, done.items, plan, { keys, vault, tenant: 't1', scope: 'job-1' })).text,
      text,
    );
    await assert.rejects(deanonymize(done.text, done.items, plan, { keys, vault, tenant: 't2' }), {
      code: 'VEIL_TOKEN_NOT_FOUND',
    });
  });

  it('creates one entry for many concurrent requests of one value', async () => {
    const vault = new InMemoryTokenVault({ keys });
    const tokens = await Promise.all(
      Array.from({ length: 50 }, () =>
        vault.tokenFor({ tenant: 't', scope: 's', subject: 'p', type: 'PERSON', value: 'Ann' }),
      ),
    );
    assert.equal(new Set(tokens).size, 1);
    assert.equal(vault.size, 1);
  });

  it('crypto-shreds a forgotten subject: the entries stay, their tokens no longer resolve, and new tokens differ', async () => {
    const vault = new InMemoryTokenVault({ keys });
    const request = { tenant: 't', scope: 's', subject: 'p-42', type: 'PERSON', value: 'Ann Lee' };
    const token = await vault.tokenFor(request);
    const bystander = await vault.tokenFor({ ...request, subject: 'p-7' });
    assert.deepEqual(await vault.valueFor('t', token), { type: 'PERSON', value: 'Ann Lee' });
    assert.equal(await vault.forgetSubject('t', 'p-42'), 1);
    assert.equal(vault.size, 2);
    assert.equal(await vault.valueFor('t', token), undefined);
    assert.deepEqual(await vault.valueFor('t', bystander), { type: 'PERSON', value: 'Ann Lee' });
    const again = await vault.tokenFor(request);
    assert.notEqual(again, token);
    assert.equal(await vault.valueFor('t', token), undefined);
  });

  it('needs a vault', async () =>
    assert.rejects(one('x', 'X', { operator: 'tokenize' }, { keys }), {
      code: 'VEIL_INVALID_OPTION',
      message: 'anonymize: the tokenize operator needs `vault` in the context',
    }));
});

describe('input checks', () => {
  const plan: AnonymizationPlan = { default: { operator: 'redact' } };
  it('rejects overlapping findings', async () =>
    assert.rejects(
      anonymize(
        'abcdef',
        [
          { type: 'A', start: 0, end: 4, score: 1, recognizer: 't' },
          { type: 'B', start: 2, end: 6, score: 1, recognizer: 't' },
        ],
        plan,
      ),
      {
        code: 'VEIL_INVALID_INPUT',
        message: 'anonymize: findings: spans overlap at offset 2; resolve overlaps first (analyze does)',
      },
    ));
  it('rejects a finding outside the text', async () =>
    assert.rejects(anonymize('abc', [{ type: 'A', start: 1, end: 9, score: 1, recognizer: 't' }], plan), {
      code: 'VEIL_INVALID_INPUT',
    }));
  it('rejects an unknown operator with the plan path', async () =>
    assert.rejects(anonymize('abc', [], { default: { operator: 'scramble' } as unknown as OperatorConfig }), {
      code: 'VEIL_INVALID_OPTION',
      message:
        'plan.default.operator: expected one of replace, redact, mask, hash, encrypt, tokenize, fpe, date_shift, generalize, keep, custom',
    }));
  it('never treats an inherited property as an entity type', async () =>
    assert.equal(
      (
        await anonymize('abc', [{ type: 'constructor', start: 0, end: 3, score: 1, recognizer: 't' }], {
          default: { operator: 'replace' },
          operators: {},
        })
      ).text,
      '<constructor_1>',
    ));
});
