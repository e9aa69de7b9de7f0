import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const MAIN = new URL('../../src/cli/main.ts', import.meta.url).pathname;
const dataDir = mkdtempSync(join(tmpdir(), 'veil-keys-'));

function veil(...args: string[]) {
  const result = spawnSync(
    process.execPath,
    ['--import', 'tsx', MAIN, 'keys', ...args, '--tenant', 'acme', '--data-dir', dataDir],
    { encoding: 'utf8', timeout: 60_000 },
  );
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

test(
  'veil keys init, rotate, list and retire manage versions without printing key material',
  { timeout: 240_000 },
  () => {
    assert.deepEqual(veil('init'), {
      code: 0,
      stdout: 'tenant acme: data key version 1 is active\n',
      stderr: '',
    });
    assert.equal(statSync(join(dataDir, 'kek.key')).mode & 0o777, 0o600);
    assert.equal(veil('rotate').stdout, 'tenant acme: rotated to data key version 2\n');
    const listed = veil('list')
      .stdout.trim()
      .split('\n')
      .map((line) => line.split('\t').slice(0, 2));
    assert.deepEqual(listed, [
      ['1', 'active'],
      ['2', 'active'],
    ]);
    assert.equal(veil('retire', '1').code, 0);
    assert.deepEqual(
      veil('list')
        .stdout.trim()
        .split('\n')
        .map((line) => line.split('\t').slice(0, 2)),
      [
        ['1', 'retired'],
        ['2', 'active'],
      ],
    );
    // The current version cannot be retired; the error carries a stable code.
    const refused = veil('retire', '2');
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /^error VEIL_/);
    // No key material is printed: not the KEK, in hex or base64.
    const printed = veil('list').stdout + veil('rotate').stdout;
    const kek = readFileSync(join(dataDir, 'kek.key'));
    const secrets = [kek.toString('hex'), kek.toString('base64')];
    for (const secret of secrets) assert.ok(!printed.includes(secret.slice(0, 16)));
    assert.equal(veil('retire', 'x').code, 2);
    // Each rotation is in the tenant's audit log, which verifies.
    const exported = join(dataDir, 'audit.jsonl');
    const exportRun = spawnSync(
      process.execPath,
      ['--import', 'tsx', MAIN, 'audit', 'export', '--tenant', 'acme', '-o', exported, '--data-dir', dataDir],
      { encoding: 'utf8', timeout: 60_000 },
    );
    assert.equal(exportRun.status, 0, exportRun.stderr);
    const rotations = readFileSync(exported, 'utf8')
      .split('\n')
      .filter((line) => line.includes('"key.rotated"'));
    assert.equal(rotations.length, 2);
    // So is the retirement, with the version retired and nothing of the key.
    const retirements = readFileSync(exported, 'utf8')
      .split('\n')
      .filter((line) => line.includes('"key.retired"'));
    assert.equal(retirements.length, 1);
    assert.match(retirements[0]!, /"key":\{"id":"tenant-data-key","version":1\}/);
    const verifyRun = spawnSync(process.execPath, ['--import', 'tsx', MAIN, 'audit', 'verify', exported], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    assert.equal(verifyRun.status, 0, verifyRun.stdout + verifyRun.stderr);
  },
);
