import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, createAnalyzer } from '../../src/engine/analyze.js';
import { resolveOverlaps } from '../../src/engine/overlap.js';
import { supportedEntities } from '../../src/engine/recognizers/index.js';
import { VeilError } from '../../src/errors/veil-error.js';
import { repoUrl } from '../repo-paths.js';

const TEXT = 'Mail jane@example.org or call (212) 555-0199. SSN 536-22-1245.';

test('findings are sorted, non-overlapping and carry type, offsets, score and recognizer', () => {
  const found = analyze(TEXT);
  const types = found.map((f) => f.type);
  assert.ok(types.includes('EMAIL_ADDRESS') && types.includes('PHONE_NUMBER') && types.includes('US_SSN'));
  for (let i = 1; i < found.length; i++) assert.ok(found[i - 1]!.end <= found[i]!.start);
  const email = found.find((f) => f.type === 'EMAIL_ADDRESS')!;
  assert.deepEqual(
    { ...email, score: undefined },
    { type: 'EMAIL_ADDRESS', start: 5, end: 21, score: undefined, recognizer: 'email' },
  );
});

test('entities option restricts the types reported', () => {
  assert.deepEqual(
    analyze(TEXT, { entities: ['US_SSN'] }).map((f) => f.type),
    ['US_SSN'],
  );
});

test('threshold drops findings below it', () => {
  const all = analyze('zip code 98547', { threshold: 0, entities: ['ZIP_CODE'] });
  assert.ok(all.some((f) => f.type === 'ZIP_CODE'));
  assert.deepEqual(analyze('zip code 98547', { threshold: 0.9, entities: ['ZIP_CODE'] }), []);
});

test('context words raise a score: a bare 9-digit number is an SSN only next to "SSN"', () => {
  assert.deepEqual(analyze('reference 536221245', { entities: ['US_SSN'] }), []);
  assert.equal(analyze('SSN 536221245', { entities: ['US_SSN'] })[0]?.type, 'US_SSN');
});

test('allow list suppresses exact values; deny list always reports its terms', () => {
  assert.deepEqual(
    analyze('Mail jane@example.org', { allowList: ['jane@example.org'], entities: ['EMAIL_ADDRESS'] }),
    [],
  );
  const denied = analyze('Project Bluebird is late', {
    denyList: [{ type: 'PROJECT', values: ['Bluebird'] }],
    entities: ['PROJECT'],
  });
  assert.deepEqual(
    denied.map((f) => [f.type, f.start, f.end, f.score]),
    [['PROJECT', 8, 16, 1]],
  );
  assert.deepEqual(analyze('xBluebird', { denyList: ['Bluebird'], entities: ['DENY_LIST'] }), []);
});

test('custom recognizers are data: pattern, validator by name, context and score', () => {
  const employee = {
    name: 'employee',
    entity: 'EMPLOYEE_ID',
    patterns: [{ regex: '\\bEMP-\\d{6}\\b', score: 0.3 }],
    context: ['employee'],
  };
  assert.deepEqual(analyze('EMP-123456', { recognizers: [employee], entities: ['EMPLOYEE_ID'] }), []);
  const found = analyze('employee EMP-123456', { recognizers: [employee], entities: ['EMPLOYEE_ID'] });
  assert.deepEqual(
    found.map((f) => [f.type, f.start, f.end, f.recognizer]),
    [['EMPLOYEE_ID', 9, 19, 'employee']],
  );
  const luhnCard = {
    name: 'card',
    entity: 'GIFT_CARD',
    patterns: [{ regex: '\\b\\d{16}\\b', score: 0.2 }],
    validator: 'luhn',
    validatedScore: 0.8,
  };
  assert.equal(analyze('4111111111111111', { recognizers: [luhnCard], entities: ['GIFT_CARD'] }).length, 1);
  assert.equal(analyze('4111111111111112', { recognizers: [luhnCard], entities: ['GIFT_CARD'] }).length, 0);
});

test('bad custom recognizers are refused with a stable code and a path', () => {
  const codeOf = (fn: () => unknown) => {
    try {
      fn();
    } catch (error) {
      return error instanceof VeilError ? [error.code, error.message] : ['not a VeilError', ''];
    }
    return ['no error', ''];
  };
  assert.deepEqual(
    codeOf(() =>
      analyze('x', {
        recognizers: [{ name: 'x', entity: 'X_ID', patterns: [{ regex: '(a+)+$', score: 0.5 }] }],
      }),
    )[0],
    'VEIL_INVALID_RECOGNIZER',
  );
  assert.deepEqual(
    codeOf(() =>
      analyze('x', { recognizers: [{ name: 'x', entity: 'X_ID', patterns: [{ regex: '([', score: 0.5 }] }] }),
    )[0],
    'VEIL_INVALID_RECOGNIZER',
  );
  const [code, message] = codeOf(() =>
    analyze('x', { recognizers: [{ name: 'x', entity: 'X_ID', patterns: [{ regex: 'a', score: 2 }] }] }),
  );
  assert.equal(code, 'VEIL_INVALID_RECOGNIZER');
  assert.match(message!, /^recognizer\.patterns\.0\.score: /);
  assert.equal(
    codeOf(() =>
      analyze('x', {
        recognizers: [{ name: 'x', entity: 'X_ID', patterns: [{ regex: 'a', score: 1 }], validator: 'nope' }],
      }),
    )[0],
    'VEIL_INVALID_RECOGNIZER',
  );
});

test('bad input and options give stable codes, never a crash', () => {
  assert.throws(() => analyze(42 as unknown as string), { code: 'VEIL_INVALID_INPUT' });
  assert.throws(() => analyze(null as unknown as string), { code: 'VEIL_INVALID_INPUT' });
  assert.throws(() => analyze('x', { threshold: 1.5 }), { code: 'VEIL_INVALID_OPTION' });
  assert.throws(() => analyze('x', { language: 'xx' }), { code: 'VEIL_INVALID_OPTION' });
  assert.throws(() => analyze('x', { entities: ['NOT_A_TYPE'] }), { code: 'VEIL_UNKNOWN_ENTITY' });
  assert.throws(() => createAnalyzer()(undefined as unknown as string), { code: 'VEIL_INVALID_INPUT' });
});

test('lone surrogates and NUL bytes are analysed without error, offsets intact', () => {
  const text = '\uD800 jane@example.org \u0000 \uDFFF 536-22-1245';
  const found = analyze(text);
  assert.equal(text.slice(found[0]!.start, found[0]!.end), 'jane@example.org');
  assert.ok(found.some((f) => text.slice(f.start, f.end) === '536-22-1245'));
});

test('offsets are UTF-16 indices: astral characters before a value shift it by two', () => {
  const text = '😀😀 jane@example.org';
  const [email] = analyze(text, { entities: ['EMAIL_ADDRESS'] });
  assert.deepEqual([email!.start, email!.end], [5, 21]);
});

test('overlaps: higher score wins, then longer, deterministic in any input order', () => {
  const a = { type: 'A', start: 0, end: 10, score: 0.5, recognizer: 'a' };
  const b = { type: 'B', start: 5, end: 12, score: 0.9, recognizer: 'b' };
  const c = { type: 'C', start: 20, end: 25, score: 0.6, recognizer: 'c' };
  const d = { type: 'D', start: 20, end: 30, score: 0.6, recognizer: 'd' };
  assert.deepEqual(resolveOverlaps([a, b, c, d]), [b, d]);
  assert.deepEqual(resolveOverlaps([d, c, b, a]), [b, d]);
  // Same type: one entity seen twice, merged into the union with the higher score.
  const month = { type: 'DATE_TIME', start: 3, end: 7, score: 0.7, recognizer: 'names' };
  const monthYear = { type: 'DATE_TIME', start: 3, end: 12, score: 0.65, recognizer: 'words' };
  assert.deepEqual(resolveOverlaps([month, monthYear]), [{ ...month, end: 12 }]);
});

test('a validated card beats a phone reading of the same digits', () => {
  const found = analyze('pay with 4111 1111 1111 1111 please');
  assert.deepEqual(
    found.map((f) => f.type),
    ['CREDIT_CARD'],
  );
});

test('numbers that are not identifiers are not reported', () => {
  const text =
    'The order of 1500 units at 12.50 each, total 18750, shipped in 3 boxes of 500; page 42, section 7.3.';
  assert.deepEqual(
    analyze(text).filter((f) => f.type !== 'DATE_TIME'),
    [],
  );
});

test('the engine knows at least 80 entity types', () => {
  const types = supportedEntities();
  assert.ok(types.length >= 80, `only ${types.length} entity types`);
  for (const required of [
    'PERSON',
    'LOCATION',
    'ORGANIZATION',
    'NRP',
    'DATE_TIME',
    'AGE',
    'EMAIL_ADDRESS',
    'PHONE_NUMBER',
    'CREDIT_CARD',
    'IBAN_CODE',
    'IP_ADDRESS',
    'URL',
    'US_SSN',
    'US_ITIN',
    'US_PASSPORT',
    'US_DRIVER_LICENSE',
    'US_BANK_NUMBER',
    'MEDICAL_LICENSE',
    'CRYPTO',
    'UK_NHS',
    'UK_NINO',
    'STREET_ADDRESS',
    'ZIP_CODE',
    'MAC_ADDRESS',
    'US_NPI',
    'MEDICAL_RECORD_NUMBER',
    'VIN',
    'IMEI',
    'SECRET',
  ])
    assert.ok(types.includes(required), `missing ${required}`);
});

test('docs/entities.md lists every entity type (run npm run docs:entities after adding one)', async () => {
  const { readFileSync } = await import('node:fs');
  const docs = readFileSync(repoUrl('docs/entities.md'), 'utf8');
  for (const type of supportedEntities())
    assert.ok(docs.includes(`| \`${type}\` |`), `${type} missing from docs/entities.md`);
});
