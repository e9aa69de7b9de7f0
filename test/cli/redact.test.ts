import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, writeFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it, test } from 'node:test';
import { runVeil, spawnVeil } from './veil.js';
import { PACKAGE_ROOT } from '../../src/package-root.js';
import { tempDir } from '../temp-dir.js';
import { migratedPGlite } from '../store/pglite-template.js';

/** In-process; `spawnVeil` runs the real binary for the smoke tests below. */
function veil(args: string[], stdin = '') {
  return runVeil(args, { input: stdin, cwd: PACKAGE_ROOT });
}

describe('veil redact', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'veil-redact-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('redacts a text file with the default policy', async () => {
    await writeFile(join(dir, 'a.txt'), 'mail jane@example.org, ssn 536-22-8172.\n');
    const run = await veil(['redact', join(dir, 'a.txt'), '-o', join(dir, 'a.out.txt')]);
    assert.equal(run.code, 0);
    assert.equal(
      await readFile(join(dir, 'a.out.txt'), 'utf8'),
      'mail <EMAIL_ADDRESS_1>, ssn ***-**-8172.\n',
    );
    assert.equal(run.stderr, 'redacted 2 values (EMAIL_ADDRESS 1, US_SSN 1), residual 0\n');
    assert.deepEqual((await readdir(dir)).sort(), ['a.out.txt', 'a.txt'], 'no temporary file is left behind');
  });

  it('reads standard input and writes standard output (the real binary)', () => {
    const run = spawnVeil(['redact', '-'], { input: 'write to jane@example.org', cwd: PACKAGE_ROOT });
    assert.equal(run.code, 0);
    assert.equal(run.stdout, 'write to <EMAIL_ADDRESS_1>');
  });

  it('redacts CSV by column and JSON by path under a policy', async () => {
    const policy = join(dir, 'fields.yaml');
    await writeFile(
      policy,
      [
        'version: 1',
        // Pattern recognizers only, so the expected output does not depend on the name tagger.
        'entities: [EMAIL_ADDRESS, US_SSN]',
        'operators:',
        '  default: { operator: replace }',
        'fields:',
        '  email: { type: EMAIL_ADDRESS }',
        '  ssn: { type: US_SSN, operator: { operator: mask, keep_last: 4 } }',
        '  id: keep',
        '  "$.contact.email": { type: EMAIL_ADDRESS }',
        '  "$.rows[*].id": keep',
        'other_fields: detect',
        '',
      ].join('\n'),
    );
    await writeFile(
      join(dir, 'b.csv'),
      'id,email,ssn,notes\n7,jane@example.org,536-22-8172,"wrote from jane@example.org"\n',
    );
    const csv = await veil(['redact', join(dir, 'b.csv'), '-o', join(dir, 'b.out.csv'), '--policy', policy]);
    assert.equal(csv.code, 0, csv.stderr);
    assert.equal(
      await readFile(join(dir, 'b.out.csv'), 'utf8'),
      'id,email,ssn,notes\n7,<EMAIL_ADDRESS_1>,*******8172,wrote from <EMAIL_ADDRESS_1>\n',
    );

    await writeFile(
      join(dir, 'c.json'),
      JSON.stringify({
        contact: { email: 'jane@example.org' },
        rows: [{ id: 536228172, note: 'SSN 536-22-8172' }],
      }),
    );
    const json = await veil([
      'redact',
      join(dir, 'c.json'),
      '-o',
      join(dir, 'c.out.json'),
      '--policy',
      policy,
    ]);
    assert.equal(json.code, 0, json.stderr);
    assert.equal(
      await readFile(join(dir, 'c.out.json'), 'utf8'),
      '{\n  "contact": {\n    "email": "<EMAIL_ADDRESS_1>"\n  },\n  "rows": [\n    {\n      "id": 536228172,\n      "note": "SSN <US_SSN_1>"\n    }\n  ]\n}\n',
    );
  });

  it('uses the local keyring for keyed operators, creating the key file with mode 0600', async () => {
    const policy = join(dir, 'fpe.yaml');
    await writeFile(
      policy,
      'version: 1\nentities: [US_SSN]\noperators:\n  default: { operator: replace }\n  US_SSN: { operator: fpe }\n',
    );
    const dataDir = join(dir, 'data');
    // The keyring's database starts from the migrated template; the key file is made by the command.
    await migratedPGlite(join(dataDir, 'pglite'));
    const args = ['redact', '-', '--policy', policy, '--data-dir', dataDir];
    const first = await veil(args, 'SSN 536-22-8172');
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /^SSN \d{3}-\d{2}-\d{4}$/);
    assert.notEqual(first.stdout, 'SSN 536-22-8172');
    assert.equal(
      (await veil(args, 'SSN 536-22-8172')).stdout,
      first.stdout,
      'the same key gives the same output',
    );
    assert.equal((await stat(join(dataDir, 'kek.key'))).mode & 0o777, 0o600);
  });

  it('fails with a stable code and no content on stderr, exit 1', async () => {
    const bad = join(dir, 'bad.yaml');
    await writeFile(
      bad,
      'version: 1\noperators:\n  default: { operator: replace }\n  US_SSN: { operator: mask, keep_last: "4" }\n',
    );
    const run = await veil(['redact', '-', '--policy', bad], 'SSN 536-22-8172');
    assert.equal(run.code, 1);
    assert.equal(
      run.stderr,
      'error VEIL_POLICY_INVALID: policy.operators.US_SSN.keep_last: expected a number\n',
    );
    assert.equal(run.stdout, '');

    const missing = await veil(['redact', join(dir, 'nope.txt'), '-o', join(dir, 'nope.out')]);
    assert.equal(missing.code, 1);
    assert.equal(
      missing.stderr,
      'error VEIL_FILE_NOT_FOUND: the input file does not exist or is not a regular file\n',
    );

    await writeFile(join(dir, 'broken.json'), '{"ssn": 536-22-8172');
    const broken = await veil(['redact', join(dir, 'broken.json'), '-o', join(dir, 'broken.out.json')]);
    assert.equal(broken.code, 1);
    assert.equal(broken.stderr, 'error VEIL_MALFORMED_JSON: JSON input is not valid JSON\n');
    await assert.rejects(stat(join(dir, 'broken.out.json')), { code: 'ENOENT' });

    const tokenize = join(dir, 'tok.yaml');
    await writeFile(tokenize, 'version: 1\noperators:\n  default: { operator: tokenize }\n');
    const tok = await veil(['redact', '-', '--policy', tokenize], 'x');
    assert.equal(tok.code, 1);
    assert.match(
      tok.stderr,
      /^error VEIL_INVALID_OPTION: redact: the tokenize operator needs a persistent token vault/,
    );
  });

  it('exits 2 on a usage error (the real binary)', () => {
    const run = spawnVeil(['redact', '-', '--format', 'xml'], { input: '', cwd: PACKAGE_ROOT });
    assert.equal(run.code, 2);
    assert.match(run.stderr, /argument 'xml' is invalid/);
  });
});

test(
  'veil redact on a PDF writes a truly redacted PDF and reports residual 0',
  { timeout: 300_000 },
  async () => {
    const { readFileSync, writeFileSync } = await import('node:fs');
    const { textPdf } = await import('../documents/fixtures.js');
    const dir = tempDir('veil-redact-pdf-');
    const input = join(dir, 'letter.pdf');
    const output = join(dir, 'letter.redacted.pdf');
    const policy = join(dir, 'policy.yaml');
    writeFileSync(
      policy,
      'version: 1\nentities: [EMAIL_ADDRESS, US_SSN]\noperators:\n  default: { operator: redact }\n',
    );
    writeFileSync(input, await textPdf([['Contact jane.doe@example.org', 'SSN 536-22-1245']]));
    for (const extra of [[], ['--searchable']]) {
      const run = await veil(['redact', input, '-o', output, '--policy', policy, ...extra]);
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stderr, /redacted 2 values \(application\/pdf, residual 0\)/);
      const bytes = readFileSync(output);
      assert.equal(bytes.subarray(0, 5).toString('latin1'), '%PDF-');
      assert.ok(
        !bytes.toString('latin1').includes('jane.doe') && !bytes.toString('latin1').includes('536-22-1245'),
      );
    }
    const extracted = await veil(['extract', output]);
    assert.match(extracted.stdout, /Contact/, 'the searchable output has a text layer');
  },
);

test(
  "veil redact on a DOCX applies the policy's operators and reports residual 0",
  { timeout: 120_000 },
  async () => {
    const { readFileSync, writeFileSync } = await import('node:fs');
    const { docx } = await import('../documents/fixtures.js');
    const dir = tempDir('veil-redact-docx-');
    try {
      const input = join(dir, 'letter.docx');
      const output = join(dir, 'letter.txt');
      writeFileSync(
        input,
        await docx(['Contact jane.doe@example.org', 'or jane.doe@example.org again'], 'SSN 536-22-1245'),
      );
      const run = await veil(['redact', input, '-o', output]);
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stderr, /\(text\/plain, residual 0\)/);
      const text = readFileSync(output, 'utf8');
      // The default policy: numbered tags, the same value keeps its tag; SSNs keep their last four.
      assert.equal(text.match(/<EMAIL_ADDRESS_1>/g)?.length, 2, text);
      assert.match(text, /\*\*\*-\*\*-1245/);
      assert.ok(!text.includes('jane.doe') && !text.includes('536-22'));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
);
