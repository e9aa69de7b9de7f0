/**
 * `veil backup` and `veil restore` open the key-encryption key the configuration selects, checked
 * against `VEIL_REGION` like `veil serve`'s: a key declared in another region seals or opens
 * nothing, and no file is written.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runVeil } from './veil.js';

function veil(env: Record<string, string>, ...args: string[]) {
  return runVeil(args, { env: { ...process.env, DATABASE_URL: '', ...env } });
}

test('a backup under a key declared in another region is refused before anything is written', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'veil-backup-region-'));
  try {
    const dataDir = join(dir, 'data');
    const output = join(dir, 'veil.backup');
    const refused = await veil(
      { VEIL_REGION: 'eu', VEIL_KEK_REGION: 'us' },
      'backup',
      '-o',
      output,
      '--data-dir',
      dataDir,
    );
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /VEIL_REGION_MISMATCH/);
    assert.match(refused.stderr, /in region us.*pinned to region eu/);
    assert.equal(existsSync(output), false, 'no backup file');
    assert.equal(existsSync(join(dataDir, 'kek.key')), false, 'no key created');

    const restore = await veil(
      { VEIL_REGION: 'eu', VEIL_KEK_REGION: 'us' },
      'restore',
      output,
      '--data-dir',
      join(dir, 'restored'),
    );
    assert.notEqual(restore.code, 0);
    assert.match(restore.stderr, /VEIL_REGION_MISMATCH/);
    assert.equal(existsSync(join(dir, 'restored')), false, 'nothing restored');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
