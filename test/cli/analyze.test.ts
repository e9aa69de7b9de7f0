import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { runVeil } from './veil.js';
import { tempDir } from '../temp-dir.js';

const veil = (args: string[], input?: string) => runVeil(args, input === undefined ? {} : { input });

const dir = tempDir('veil-cli-');
const file = join(dir, 'note.txt');
writeFileSync(file, 'Mail jane@example.org, SSN 536-22-1245.\n');

test('veil analyze FILE prints type, offsets and score, and hides values by default', async () => {
  const { code, stdout, stderr } = await veil(['analyze', file, '--entities', 'EMAIL_ADDRESS,US_SSN']);
  assert.equal(code, 0, stderr);
  assert.deepEqual(stdout.trim().split('\n'), ['EMAIL_ADDRESS\t5\t21\t1.00', 'US_SSN\t27\t38\t0.85']);
  assert.ok(!stdout.includes('jane@') && !stdout.includes('536-22'));
});

test('veil analyze --json and --jsonl give a finding its parts, as offsets only', async () => {
  const text = 'Please correct it to Mrs. Amy Kupcová?';
  const person = {
    type: 'PERSON',
    start: 21,
    end: 37,
    score: 0.95,
    parts: [
      { type: 'TITLE', start: 21, end: 25 },
      { type: 'NAME', start: 26, end: 37 },
    ],
  };
  const json = await veil(['analyze', '-', '--json', '--entities', 'PERSON'], text);
  assert.equal(json.code, 0, json.stderr);
  assert.deepEqual(JSON.parse(json.stdout), [person]);
  const jsonl = await veil(
    ['analyze', '--jsonl', '--entities', 'PERSON'],
    `${JSON.stringify({ id: 1, text })}\n`,
  );
  assert.equal(jsonl.code, 0, jsonl.stderr);
  assert.deepEqual(JSON.parse(jsonl.stdout), { id: 1, entities: [person] });
  assert.ok(!json.stdout.includes('Kupcov') && !jsonl.stdout.includes('Kupcov'));
});

test('veil analyze --show-values prints the values; - reads standard input', async () => {
  const { code, stdout } = await veil(
    ['analyze', '-', '--show-values', '--entities', 'EMAIL_ADDRESS'],
    'to a@b.io',
  );
  assert.equal(code, 0);
  assert.equal(stdout.trim(), 'EMAIL_ADDRESS\t3\t9\t1.00\t"a@b.io"');
});

test('veil analyze --jsonl answers every line in order and reports malformed lines without stopping', async () => {
  const input = [
    JSON.stringify({ id: 'a', text: 'mail x@y.org' }),
    'not json',
    JSON.stringify({ id: 'b' }),
    JSON.stringify({ id: 3, text: 'nothing here' }),
    JSON.stringify({ id: { nested: true }, text: 'x' }),
  ].join('\n');
  const { code, stdout } = await veil(['analyze', '--jsonl', '--entities', 'EMAIL_ADDRESS'], input);
  assert.equal(code, 0);
  assert.deepEqual(
    stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l)),
    [
      { id: 'a', entities: [{ type: 'EMAIL_ADDRESS', start: 5, end: 12, score: 1 }] },
      { id: null, error: { code: 'VEIL_MALFORMED_JSON', message: 'the line is not valid JSON' } },
      {
        id: 'b',
        error: {
          code: 'VEIL_MALFORMED_JSONL_RECORD',
          message: 'each line needs a string "text" and a string or number "id"',
        },
      },
      { id: 3, entities: [] },
      {
        id: null,
        error: {
          code: 'VEIL_MALFORMED_JSONL_RECORD',
          message: 'each line needs a string "text" and a string or number "id"',
        },
      },
    ],
  );
});

test('veil analyze --jsonl handles 10,000 lines in one process', async () => {
  const lines = Array.from({ length: 10_000 }, (_, i) =>
    JSON.stringify({ id: i, text: `record ${i} mail user${i}@example.org` }),
  );
  const { code, stdout } = await veil(
    ['analyze', '--jsonl', '--entities', 'EMAIL_ADDRESS'],
    lines.join('\n'),
  );
  assert.equal(code, 0);
  const out = stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { id: number; entities: unknown[] });
  assert.equal(out.length, 10_000);
  assert.ok(out.every((o, i) => o.id === i && o.entities.length === 1));
});

test('veil analyze --threads 2 prints what one thread prints on a long file', async () => {
  const long = join(dir, 'long.txt');
  const line = 'Mr. Robert Murray (robert@example.org, 212-555-0199) lives at 221 Baker Street, London.\n';
  writeFileSync(long, line.repeat(3_200)); // two passes of 256 Ki
  const one = await veil(['analyze', long]);
  const two = await veil(['analyze', long, '--threads', '2']);
  assert.equal(one.code, 0, one.stderr);
  assert.equal(two.code, 0, two.stderr);
  assert.ok(one.stdout.split('\n').length > 3_200 * 3);
  assert.equal(two.stdout, one.stdout);
});

test('exit codes: 1 with a stable code for input errors, 2 for usage errors; no content echoed', async () => {
  const missing = await veil(['analyze', join(dir, 'missing.txt')]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /^error VEIL_FILE_NOT_FOUND: /);
  assert.equal((await veil(['analyze', file, '--threshold', '7'])).code, 2);
  assert.equal((await veil(['analyze', file, '--threads', '0'])).code, 2);
  assert.equal((await veil(['no-such-command'])).code, 2);
  const unknown = await veil(['analyze', file, '--entities', 'NOPE']);
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /VEIL_UNKNOWN_ENTITY/);
});

test('veil analyze on a document (judged by content, not name) reports the page and box or the cell', async () => {
  const { textPdf } = await import('../documents/fixtures.js');
  const pdf = join(dir, 'letter.txt'); // a PDF with a misleading name
  writeFileSync(pdf, await textPdf([['Contact: jane.doe@example.org']]));
  const fromPdf = await veil(['analyze', pdf, '--entities', 'EMAIL_ADDRESS']);
  assert.equal(fromPdf.code, 0, fromPdf.stderr);
  assert.match(fromPdf.stdout.trim(), /^EMAIL_ADDRESS\t9\t29\t1\.00\tpage 1 \[\d+,\d+,\d+,\d+\]$/);
  const csv = join(dir, 'people.csv');
  writeFileSync(csv, 'name,email\nJane,jane@example.org\n');
  const fromCsv = await veil(['analyze', csv, '--entities', 'EMAIL_ADDRESS', '--json']);
  assert.equal(fromCsv.code, 0, fromCsv.stderr);
  assert.deepEqual(
    JSON.parse(fromCsv.stdout).map((f: { type: string; cell: unknown }) => [f.type, f.cell]),
    [['EMAIL_ADDRESS', { table: 0, row: 0, column: 1 }]],
  );
});
