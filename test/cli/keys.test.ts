import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { migratedPGlite } from '../store/pglite-template.js';
import { runVeil } from './veil.js';
import { tempDir } from '../temp-dir.js';

const dataDir = tempDir('veil-keys-');
// The keyring's database starts from the migrated template, as the store tests' do.
await migratedPGlite(join(dataDir, 'pglite'));

function veil(...args: string[]) {
  return runVeil(['keys', ...args, '--tenant', 'acme', '--data-dir', dataDir]);
}

test(
  'veil keys init, rotate, list and retire manage versions without printing key material',
  { timeout: 240_000 },
  async () => {
    assert.deepEqual(await veil('init'), {
      code: 0,
      stdout: 'tenant acme: data key version 1 is active\n',
      stderr: '',
    });
    assert.equal(statSync(join(dataDir, 'kek.key')).mode & 0o777, 0o600);
    assert.equal((await veil('rotate')).stdout, 'tenant acme: rotated to data key version 2\n');
    const listed = (await veil('list')).stdout
      .trim()
      .split('\n')
      .map((line) => line.split('\t').slice(0, 2));
    assert.deepEqual(listed, [
      ['1', 'active'],
      ['2', 'active'],
    ]);
    assert.equal((await veil('retire', '1')).code, 0);
    assert.deepEqual(
      (await veil('list')).stdout
        .trim()
        .split('\n')
        .map((line) => line.split('\t').slice(0, 2)),
      [
        ['1', 'retired'],
        ['2', 'active'],
      ],
    );
    // The current version cannot be retired; the error carries a stable code.
    const refused = await veil('retire', '2');
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /^error VEIL_/);
    // No key material is printed: not the KEK, in hex or base64.
    const printed = (await veil('list')).stdout + (await veil('rotate')).stdout;
    const kek = readFileSync(join(dataDir, 'kek.key'));
    const secrets = [kek.toString('hex'), kek.toString('base64')];
    for (const secret of secrets) assert.ok(!printed.includes(secret.slice(0, 16)));
    assert.equal((await veil('retire', 'x')).code, 2);
    // Each rotation is in the tenant's audit log, which verifies.
    const exported = join(dataDir, 'audit.jsonl');
    const exportRun = await runVeil([
      'audit',
      'export',
      '--tenant',
      'acme',
      '-o',
      exported,
      '--data-dir',
      dataDir,
    ]);
    assert.equal(exportRun.code, 0, exportRun.stderr);
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
    const verifyRun = await runVeil(['audit', 'verify', exported]);
    assert.equal(verifyRun.code, 0, verifyRun.stdout + verifyRun.stderr);
  },
);
