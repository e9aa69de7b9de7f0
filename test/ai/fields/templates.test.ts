import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  listTemplates,
  loadTemplate,
  parseFieldList,
  parseTemplate,
  validateFields,
} from '../../../src/ai/fields/templates.js';
import { tempDir } from '../../temp-dir.js';

test('the built-in templates load, validate and carry a version and a stable hash', async () => {
  assert.deepEqual(await listTemplates(), ['id_document', 'invoice', 'patient_intake', 'receipt']);
  const receipt = await loadTemplate('receipt');
  assert.equal(receipt.version, 1);
  assert.match(receipt.hash, /^[0-9a-f]{64}$/);
  assert.deepEqual(
    receipt.fields.map((f) => [f.name, f.type]),
    [
      ['company', 'string'],
      ['address', 'address'],
      ['date', 'date'],
      ['total', 'money'],
    ],
  );
  assert.equal((await loadTemplate('receipt')).hash, receipt.hash);
  for (const name of ['invoice', 'id_document', 'patient_intake'])
    assert.ok((await loadTemplate(name)).fields.length > 3);
});

test('the hash ignores YAML style and key order but not settings', () => {
  const a = parseTemplate('name: t\nversion: 1\nfields:\n  - { name: total, type: money }\n', 't');
  const b = parseTemplate('# comment\nfields: [{type: money, name: total}]\nversion: 1\nname: t\n', 't');
  const c = parseTemplate('name: t\nversion: 2\nfields:\n  - { name: total, type: money }\n', 't');
  assert.equal(a.hash, b.hash);
  assert.notEqual(a.hash, c.hash);
});

test('an invalid template is refused at load with VEIL_TEMPLATE_INVALID naming the field', async () => {
  const dir = tempDir('veil-templates-');
  writeFileSync(
    join(dir, 'bad.yaml'),
    'name: bad\nversion: 1\nfields:\n  - { name: total, type: money }\n  - { name: due, type: moneyy }\n',
  );
  await assert.rejects(loadTemplate('bad', { directories: [dir] }), {
    code: 'VEIL_TEMPLATE_INVALID',
    message: /^template bad: field due \(fields\.1\): type: expected a type: one of string, /,
  });
  writeFileSync(join(dir, 'enum.yaml'), 'name: enum\nversion: 1\nfields:\n  - { name: sex, type: enum }\n');
  await assert.rejects(loadTemplate('enum', { directories: [dir] }), {
    code: 'VEIL_TEMPLATE_INVALID',
    message: 'template enum: field sex (fields.0): values: is required for an enum field',
  });
  writeFileSync(
    join(dir, 'typo.yaml'),
    'name: typo\nversion: 1\nfields:\n  - { name: total, type: money, hints: [Total] }\n',
  );
  await assert.rejects(loadTemplate('typo', { directories: [dir] }), {
    code: 'VEIL_TEMPLATE_INVALID',
    message: 'template typo: field total (fields.0): hints: unknown key',
  });
  writeFileSync(
    join(dir, 'dupe.yaml'),
    'name: dupe\nversion: 1\nfields:\n  - { name: total, type: money }\n  - { name: total, type: date }\n',
  );
  await assert.rejects(loadTemplate('dupe', { directories: [dir] }), {
    code: 'VEIL_TEMPLATE_INVALID',
    message: 'template dupe: field total (fields.1): name: is used by another field',
  });
  writeFileSync(join(dir, 'yaml.yaml'), 'name: [\n');
  await assert.rejects(loadTemplate('yaml', { directories: [dir] }), {
    code: 'VEIL_TEMPLATE_INVALID',
    message: /^template yaml: not valid YAML at line/,
  });
  await assert.rejects(loadTemplate('nope', { directories: [dir] }), {
    code: 'VEIL_TEMPLATE_NOT_FOUND',
    message: /known templates: .*receipt/,
  });
});

test('a tenant directory adds templates and may replace a built-in one', async () => {
  const dir = tempDir('veil-templates-');
  writeFileSync(
    join(dir, 'toll.yaml'),
    'name: toll\nversion: 3\nfields:\n  - { name: plate, type: string, hint: Plate }\n',
  );
  writeFileSync(
    join(dir, 'receipt.yml'),
    'name: receipt\nversion: 9\nfields:\n  - { name: total, type: money }\n',
  );
  assert.ok((await listTemplates({ directories: [dir] })).includes('toll'));
  assert.equal((await loadTemplate('toll', { directories: [dir] })).version, 3);
  assert.equal((await loadTemplate('receipt', { directories: [dir] })).version, 9);
});

test("field lists: the --fields shorthand and a job's list are validated with VEIL_FIELD_INVALID", () => {
  assert.deepEqual(parseFieldList('total:money, date:date'), [
    { name: 'total', type: 'money' },
    { name: 'date', type: 'date' },
  ]);
  assert.throws(() => parseFieldList('total'), {
    code: 'VEIL_FIELD_INVALID',
    message: /^field 1: expected name:type/,
  });
  assert.throws(() => parseFieldList('total:cash'), {
    code: 'VEIL_FIELD_INVALID',
    message: /^field total \(fields\.0\): type: expected a type/,
  });
  assert.throws(() => validateFields([{ name: 'total', type: 'money', review_below: 2 }]), {
    code: 'VEIL_FIELD_INVALID',
    message: 'field total (fields.0): review_below: expected a number from 0 to 1',
  });
  assert.throws(() => validateFields([]), {
    code: 'VEIL_FIELD_INVALID',
    message: 'fields: expected at least one field',
  });
});
