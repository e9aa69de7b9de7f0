import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { isVeilError } from '../../../src/errors/veil-error.js';
import {
  enforceKAnonymity,
  inferKind,
  kAnonymityFromPolicy,
  measureRisk,
} from '../../../src/privacy/risk/index.js';
import { Readable, Writable } from 'node:stream';
import { riskCommand } from '../../../src/cli/commands/risk.js';
import { runVeil } from '../../cli/veil.js';
import { createAnalyzer } from '../../../src/engine/analyze.js';
import { anonymizeCsv } from '../../../src/pipeline/structured/csv.js';
import {
  analyzeOptionsFromPolicy,
  loadPolicy,
  parsePolicy,
  planFromPolicy,
  structuredRulesFromPolicy,
} from '../../../src/policy/index.js';
import { PACKAGE_ROOT } from '../../../src/package-root.js';

const HEADER = ['name', 'age', 'zip', 'sex', 'diagnosis'];
const ROWS = [
  ['A', '34', '02139', 'F', 'flu'],
  ['B', '36', '02139', 'F', 'asthma'],
  ['C', '38', '02138', 'F', 'flu'],
  ['D', '31', '02141', 'M', 'diabetes'],
  ['E', '33', '02142', 'M', 'flu'],
  ['F', '47', '02139', 'M', 'asthma'],
  ['G', '45', '02139', 'M', 'asthma'],
  ['H', '41', '02138', 'F', 'diabetes'],
  ['I', '44', '02141', 'F', 'flu'],
  ['J', '52', '02142', 'M', 'asthma'],
];
const CSV = [HEADER, ...ROWS].map((r) => r.join(',')).join('\n') + '\n';

test('measureRisk: k, unique share and l-diversity of a table', () => {
  const raw = measureRisk(HEADER, ROWS, { quasi: ['age', 'zip', 'sex'], sensitive: 'diagnosis', kTarget: 2 });
  assert.deepEqual(raw, {
    rows: 10,
    quasi: ['age', 'zip', 'sex'],
    classes: 10,
    k: 1,
    uniqueShare: 1,
    rowsBelowK: 10,
    sensitive: 'diagnosis',
    l: 1,
    homogeneousClasses: 10,
  });
  const bySex = measureRisk(HEADER, ROWS, { quasi: ['sex'], sensitive: 'diagnosis' });
  assert.equal(bySex.k, 5);
  assert.equal(bySex.uniqueShare, 0);
  assert.equal(bySex.l, 3);
  assert.throws(
    () => measureRisk(HEADER, ROWS, { quasi: ['ssn'] }),
    (e: unknown) => isVeilError(e) && e.code === 'VEIL_INVALID_OPTION' && e.message.includes('"ssn"'),
  );
});

test('inferKind: by the column name, else by the values', () => {
  assert.equal(inferKind('Age', ['40']), 'age');
  assert.equal(inferKind('postcode', ['x']), 'zip');
  assert.equal(inferKind('col3', ['02139', '10001-1234']), 'zip');
  assert.equal(inferKind('col4', ['1980-02-03']), 'date');
  assert.equal(inferKind('sex', ['F', 'M']), 'category');
});

test('enforceKAnonymity generalises age with the generalize operator and ZIP to ZIP3 until k = 3 holds', () => {
  const result = enforceKAnonymity(HEADER, ROWS, { k: 3, quasi: ['age', 'zip', 'sex'], maxSuppression: 0 });
  const after = measureRisk(HEADER, result.rows, { quasi: ['age', 'zip', 'sex'] });
  assert.ok(after.k >= 3, `k ${after.k}`);
  assert.equal(result.k, after.k);
  assert.equal(result.suppressedRows, 0);
  // Names and diagnoses are not quasi-identifiers and pass untouched.
  assert.deepEqual(
    result.rows.map((r) => r[0]),
    ROWS.map((r) => r[0]),
  );
  assert.deepEqual(
    result.rows.map((r) => r[4]),
    ROWS.map((r) => r[4]),
  );
  // Every zip is now a ZIP3 prefix or suppressed, every age a band or suppressed.
  for (const row of result.rows) {
    assert.match(row[2]!, /^(?:021|\*)$/);
    assert.match(row[1]!, /^(?:\d+-\d+|\d+\+|\*)$/);
  }
});

test('enforceKAnonymity suppresses a few outliers when that is within the limit', () => {
  const rows = [
    ...Array.from({ length: 19 }, (_, i) => [`p${i}`, '40', '02139', 'F', 'flu']),
    ['z', '97', '99501', 'M', 'gout'],
  ];
  const result = enforceKAnonymity(HEADER, rows, {
    k: 1 + 1,
    quasi: ['age', 'zip', 'sex'],
    maxSuppression: 0.05,
  });
  // The lone outlier cannot form a class of 2 by itself, so suppression alone fails and the table is generalised instead.
  assert.ok(measureRisk(HEADER, result.rows, { quasi: ['age', 'zip', 'sex'] }).k >= 2);
  const two = [...rows, ['y', '98', '99502', 'M', 'gout']];
  const suppressed = enforceKAnonymity(HEADER, two, {
    k: 2,
    quasi: ['age', 'zip', 'sex'],
    maxSuppression: 0.1,
  });
  assert.equal(suppressed.suppressedRows, 2);
  assert.deepEqual(suppressed.rows.at(-1), ['y', '*', '*', '*', 'gout']);
  assert.deepEqual(suppressed.levels, { age: 0, zip: 0, sex: 0 });
});

test('enforceKAnonymity fails with VEIL_K_ANONYMITY_UNMET, naming no value, when the table is smaller than k', () => {
  assert.throws(
    () => enforceKAnonymity(HEADER, ROWS.slice(0, 3), { k: 5, quasi: ['age'] }),
    (e: unknown) => isVeilError(e) && e.code === 'VEIL_K_ANONYMITY_UNMET' && !/34|02139|flu/.test(e.message),
  );
});

test('property: the output always reaches k (when the table has k rows) and only quasi columns change', () => {
  const row = fc.tuple(
    fc.integer({ min: 0, max: 99 }),
    fc.constantFrom('02139', '02140', '10001', '94110'),
    fc.constantFrom('F', 'M', 'X'),
  );
  fc.assert(
    fc.property(
      fc.array(row, { minLength: 5, maxLength: 60 }),
      fc.integer({ min: 2, max: 5 }),
      (cells, k) => {
        const rows = cells.map(([age, zip, sex], i) => [`n${i}`, String(age), zip, sex, 'd']);
        const result = enforceKAnonymity(HEADER, rows, { k, quasi: ['age', 'zip', 'sex'] });
        return (
          measureRisk(HEADER, result.rows, { quasi: ['age', 'zip', 'sex'] }).k >= k &&
          result.rows.every((r, i) => r[0] === rows[i]![0] && r[4] === 'd')
        );
      },
    ),
    { seed: 7, numRuns: 100 },
  );
});

test('kAnonymityFromPolicy: a bare k takes the generalised and AGE/ZIP columns as quasi-identifiers', () => {
  const policy = parsePolicy(`version: 1
operators: { default: { operator: redact } }
fields:
  age: { type: AGE, operator: { operator: generalize } }
  zip: { type: ZIP_CODE, operator: { operator: keep } }
  name: { type: PERSON }
k_anonymity: 4
`);
  assert.deepEqual(kAnonymityFromPolicy(policy), { k: 4, quasi: ['age', 'zip'] });
  assert.equal(kAnonymityFromPolicy({ ...policy, k_anonymity: undefined }), undefined);
});

function veil(args: string[]) {
  return runVeil(args, { cwd: PACKAGE_ROOT });
}

describe('veil risk and veil redact with k_anonymity', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'veil-risk-'));
    await writeFile(join(dir, 'people.csv'), CSV);
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('veil risk prints k, unique rows and l; --k makes it exit 3 when k is not met', async () => {
    const run = await veil([
      'risk',
      join(dir, 'people.csv'),
      '--quasi',
      'age,zip,sex',
      '--sensitive',
      'diagnosis',
      '--k',
      '2',
    ]);
    assert.equal(run.code, 3, run.stderr);
    assert.equal(
      run.stdout,
      'rows: 10\nquasi-identifiers: age, zip, sex\nequivalence classes: 10\nk (smallest class): 1\nunique rows: 100.0%\nrows in classes below k=2: 10\nl-diversity of diagnosis: 1\nclasses with one diagnosis value: 10\n',
    );
    assert.deepEqual(await riskCommand(join(dir, 'people.csv'), { quasi: ['sex'] }), {
      rows: 10,
      quasi: ['sex'],
      classes: 2,
      k: 5,
      uniqueShare: 0,
    });
  });

  test('veil redact of a CSV under k_anonymity: 3 writes a table that veil risk finds 3-anonymous', async () => {
    await writeFile(
      join(dir, 'policy.yaml'),
      `version: 1
operators: { default: { operator: redact } }
fields:
  name: { type: PERSON, operator: { operator: replace } }
  age: { type: AGE, operator: { operator: keep } }
  zip: { type: ZIP_CODE, operator: { operator: keep } }
  sex: keep
  diagnosis: keep
k_anonymity: { k: 3, quasi: [age, zip, sex], max_suppression: 0 }
`,
    );
    const out = join(dir, 'out.csv');
    const run = await veil([
      'redact',
      join(dir, 'people.csv'),
      '-o',
      out,
      '--policy',
      join(dir, 'policy.yaml'),
      '--format',
      'csv',
    ]);
    assert.equal(run.code, 0, run.stderr);
    const text = await readFile(out, 'utf8');
    assert.ok(!text.includes('02139'), 'full ZIP codes are generalised');
    const risk = await riskCommand(out, { quasi: ['age', 'zip', 'sex'] });
    assert.ok(risk.k >= 3, `k ${risk.k}`);
  });

  test('the CSV writer refuses with VEIL_K_ANONYMITY_UNMET and writes nothing when k cannot be reached', async () => {
    const policy = await loadPolicy(join(dir, 'policy.yaml'));
    const chunks: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        chunks.push(chunk.toString());
        done();
      },
    });
    const small = [HEADER, ...ROWS.slice(0, 2)].map((r) => r.join(',')).join('\n') + '\n';
    await assert.rejects(
      anonymizeCsv(Readable.from([small]), sink, {
        plan: planFromPolicy(policy),
        analyze: createAnalyzer(analyzeOptionsFromPolicy(policy)),
        rules: structuredRulesFromPolicy(policy),
        kAnonymity: kAnonymityFromPolicy(policy)!,
      }),
      (e: unknown) =>
        isVeilError(e) &&
        e.code === 'VEIL_K_ANONYMITY_UNMET' &&
        e.message === 'k-anonymity: the table has 2 rows, fewer than k = 3',
    );
    assert.ok(!chunks.join('').includes('02139'), 'no row was written');
  });
});
