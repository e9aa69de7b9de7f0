/**
 * `veil backup` and `veil restore` open the key-encryption key the configuration selects, checked
 * against `VEIL_REGION` like `veil serve`'s: a key declared in another region seals or opens
 * nothing, and no file is written.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const MAIN = new URL('../../src/cli/main.ts', import.meta.url).pathname;

function veil(env: Record<string, string>, ...args: string[]) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', MAIN, ...args], {
    encoding: 'utf8',
    timeout: 300_000,
    env: { ...process.env, DATABASE_URL: '', ...env },
  });
  return { code: result.status, stderr: result.stderr };
}

test('a backup under a key declared in another region is refused before anything is written', () => {
  const dir = mkdtempSync(join(tmpdir(), 'veil-backup-region-'));
  try {
    const dataDir = join(dir, 'data');
    const output = join(dir, 'veil.backup');
    const refused = veil(
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

    const restore = veil(
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
