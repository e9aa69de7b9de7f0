import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { nativeTesseractAvailable } from '../../src/documents/ocr/native.js';
import { textImage, textPdf } from '../documents/fixtures.js';
import { runVeil } from './veil.js';
import { tempDir } from '../temp-dir.js';

const veil = (args: string[]) => runVeil(args);

const dir = tempDir('veil-cli-fields-');
const receipt = join(dir, 'receipt.pdf');
writeFileSync(
  receipt,
  await textPdf(
    [
      [
        'ACME TRADING SDN BHD',
        'NO 12, JALAN MAJU 3,',
        '81100 JOHOR BAHRU, JOHOR.',
        'Date: 25/12/2018',
        'Contact: jane.doe@example.org',
        'Grand Total RM 9.00',
      ],
    ],
    false,
  ),
);

test('veil fields --template receipt --json prints the fields object and no transcript', async () => {
  const { code, stdout, stderr } = await veil(['fields', receipt, '--template', 'receipt', '--json']);
  assert.equal(code, 0, stderr);
  const out = JSON.parse(stdout) as {
    template: { name: string; version: number; hash: string };
    fields: Record<
      string,
      {
        value: unknown;
        type: string;
        status: string;
        sensitivity: string;
        page: number;
        box: unknown;
        checks: unknown[];
        confidence: number;
      }
    >;
    text?: string;
  };
  assert.equal(out.template.name, 'receipt');
  assert.match(out.template.hash, /^[0-9a-f]{64}$/);
  assert.deepEqual(Object.keys(out.fields), ['company', 'address', 'date', 'total']);
  assert.equal(out.fields.company!.value, 'ACME TRADING SDN BHD');
  assert.equal(out.fields.date!.value, '2018-12-25');
  assert.deepEqual(out.fields.total!.value, { amount: '9.00', currency: 'MYR' });
  assert.equal(out.fields.total!.type, 'money');
  assert.equal(out.fields.total!.page, 1);
  assert.deepEqual(Object.keys(out.fields.total!).sort(), [
    'box',
    'checks',
    'confidence',
    'page',
    'sensitivity',
    'status',
    'type',
    'value',
  ]);
  assert.equal(out.text, undefined);
  assert.ok(!stdout.includes('jane.doe'), 'nothing but the requested fields');
});

test('the table hides values of personal data unless --show-values; --include-text adds the transcript', async () => {
  const table = await veil(['fields', receipt, '--fields', 'email:email,total:money']);
  assert.equal(table.code, 0, table.stderr);
  const lines = table.stdout.trim().split('\n');
  assert.match(lines[0]!, /^field\s+type\s+status\s+confidence\s+sensitivity\s+page\s+value$/);
  assert.match(lines[1]!, /^email\s+email\s+\w+\s+[01]\.\d\d\s+direct\s+1\s+\(hidden: direct\)$/);
  assert.match(lines[2]!, /^total\s+money\s+\w+\s+[01]\.\d\d\s+financial\s+1\s+\(hidden: financial\)$/);
  assert.ok(!table.stdout.includes('jane.doe'));
  const shown = await veil(['fields', receipt, '--fields', 'email:email,total:money', '--show-values']);
  assert.match(shown.stdout, /jane\.doe@example\.org/);
  assert.match(shown.stdout, /9\.00 MYR/);
  const withText = await veil(['fields', receipt, '--fields', 'total:money', '--json', '--include-text']);
  assert.match((JSON.parse(withText.stdout) as { text: string }).text, /ACME TRADING SDN BHD/);
});

test('stable errors: model extractor not wired, unknown template, bad field list, both or neither', async () => {
  const model = await veil(['fields', receipt, '--template', 'receipt', '--extractor', 'model']);
  assert.equal(model.code, 1);
  assert.match(model.stderr, /^error VEIL_EXTRACTOR_UNAVAILABLE: /);
  assert.match(
    (await veil(['fields', receipt, '--template', 'nope'])).stderr,
    /^error VEIL_TEMPLATE_NOT_FOUND: no template named nope; known templates: id_document, invoice, patient_intake, receipt/,
  );
  assert.match(
    (await veil(['fields', receipt, '--fields', 'total:cash'])).stderr,
    /^error VEIL_FIELD_INVALID: field total \(fields\.0\): type: /,
  );
  assert.match(
    (await veil(['fields', receipt])).stderr,
    /^error VEIL_FIELD_INVALID: give either --template NAME or --fields/,
  );
});

// A receipt photo: the second reading only reads page images, so a PDF would stay `unchecked` either way.
const photo = join(dir, 'receipt.png');
writeFileSync(
  photo,
  await textImage([
    'ACME TRADING SDN BHD',
    'NO 12, JALAN MAJU 3,',
    '81100 JOHOR BAHRU, JOHOR.',
    'Date: 25/12/2018',
  ]),
);
const tesseract = await nativeTesseractAvailable();

test('the second reading is opt-in: text fields stay unchecked without --second-reading, read with it', async () => {
  type Out = { fields: Record<string, { value: unknown; confidence: number; agreement?: string }> };
  const plain = await veil(['fields', photo, '--template', 'receipt', '--json', '--timings']);
  assert.equal(plain.code, 0, plain.stderr);
  const before = (JSON.parse(plain.stdout) as Out).fields;
  assert.equal(before.company!.value, 'ACME TRADING SDN BHD');
  assert.equal(before.company!.agreement, 'unchecked');
  assert.equal(before.address!.agreement, 'unchecked');
  assert.equal(before.date!.agreement, undefined, 'only free-text fields carry an agreement');
  assert.match(plain.stderr, /\(second reading 0 ms\)/);
  if (!tesseract) return;
  const read = await veil(['fields', photo, '--template', 'receipt', '--json', '--second-reading']);
  assert.equal(read.code, 0, read.stderr);
  const after = (JSON.parse(read.stdout) as Out).fields;
  for (const name of ['company', 'address']) {
    const [was, is] = [before[name]!, after[name]!];
    assert.equal(is.value, was.value, 'the reading weighs a value, never changes it');
    // Which it is depends on tesseract's reading of the crop (it has read this BHD as BHC); either way the confidence moves with it.
    assert.ok(is.agreement === 'agreed' || is.agreement === 'disagreed', `${name} read again`);
    assert.ok(
      is.agreement === 'agreed' ? is.confidence > was.confidence : is.confidence < was.confidence,
      `${name} ${is.agreement}: ${was.confidence} -> ${is.confidence}`,
    );
  }
  assert.equal(after.date!.confidence, before.date!.confidence);
});

test('--second-reading-of doubtful reads again only the text fields whose letters OCR doubted', async () => {
  type Out = {
    fields: Record<string, { agreement?: string; checks: { name: string; passed: boolean }[] }>;
  };
  const wrong = await veil(['fields', photo, '--template', 'receipt', '--second-reading-of', 'some']);
  assert.notEqual(wrong.code, 0);
  assert.match(wrong.stderr, /doubtful/);
  if (!tesseract) return;
  const run = await veil([
    'fields',
    photo,
    '--template',
    'receipt',
    '--json',
    '--second-reading-of',
    'doubtful',
  ]);
  assert.equal(run.code, 0, run.stderr);
  const fields = (JSON.parse(run.stdout) as Out).fields;
  for (const name of ['company', 'address']) {
    const field = fields[name]!;
    const doubted = field.checks.some((c) => c.name === 'sure_letters' && !c.passed);
    assert.equal(
      field.agreement === 'unchecked',
      !doubted,
      `${name}: ${field.agreement}, doubted ${doubted}`,
    );
  }
});
