import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { migratedPGlite } from '../store/pglite-template.js';
import { runVeil } from './veil.js';
import { tempDir } from '../temp-dir.js';

const dataDir = tempDir('veil-apikey-');
// The keyring's database starts from the migrated template, as the store tests' do.
await migratedPGlite(join(dataDir, 'pglite'));

function veil(...args: string[]) {
  const env = { ...process.env };
  // The keys must land in this data directory's PGlite, not in a server the caller points at.
  delete env.DATABASE_URL;
  return runVeil([...args, '--data-dir', dataDir], { env });
}

test(
  'veil apikey create prints only the key, list shows ids, roles and dates, revoke is audited',
  { timeout: 300_000 },
  async () => {
    const created = await veil(
      'apikey',
      'create',
      '--tenant',
      'acme',
      '--role',
      'processor',
      '--role',
      'reviewer',
    );
    assert.equal(created.code, 0, created.stderr);
    assert.match(created.stdout, /^veil_[0-9a-f]{24}_[A-Za-z0-9_-]{43}\n$/);
    const apiKey = created.stdout.trim();
    const keyId = apiKey.slice(5, 29);
    const secret = apiKey.slice(30);
    assert.equal(
      created.stderr,
      `api key ${keyId} created for tenant acme; it cannot be shown again, store it now\n`,
    );

    const listed = await veil('apikey', 'list', '--tenant', 'acme');
    assert.equal(listed.code, 0, listed.stderr);
    const [line, ...rest] = listed.stdout.trim().split('\n');
    assert.deepEqual(rest, []);
    const [id, roles, createdAt, state] = line!.split('\t');
    assert.deepEqual([id, roles, state], [keyId, 'processor,reviewer', 'active']);
    assert.ok(Math.abs(Date.parse(createdAt!) - Date.now()) < 300_000);
    assert.ok(!listed.stdout.includes(secret));
    // Another tenant sees none of it, and cannot revoke it.
    assert.equal((await veil('apikey', 'list', '--tenant', 'globex')).stdout, 'tenant globex: no API keys\n');
    const foreign = await veil('apikey', 'revoke', '--tenant', 'globex', keyId);
    assert.equal(foreign.code, 1);
    assert.match(foreign.stderr, /^error VEIL_NOT_FOUND: /);

    assert.deepEqual(await veil('apikey', 'revoke', '--tenant', 'acme', keyId), {
      code: 0,
      stdout: `api key ${keyId} revoked\n`,
      stderr: '',
    });
    assert.match(
      (await veil('apikey', 'list', '--tenant', 'acme')).stdout,
      new RegExp(`^${keyId}\\tprocessor,reviewer\\t\\S+\\trevoked \\S+\\n$`),
    );

    // Usage errors: an unknown role, a missing tenant.
    assert.equal((await veil('apikey', 'create', '--tenant', 'acme', '--role', 'root')).code, 2);
    assert.equal((await veil('apikey', 'create', '--role', 'admin')).code, 2);

    // Creation and revocation are in the tenant's audit log, which verifies; the secret is not.
    const exported = join(dataDir, 'audit.jsonl');
    const exportRun = await veil('audit', 'export', '--tenant', 'acme', '-o', exported);
    assert.equal(exportRun.code, 0, exportRun.stderr);
    const log = readFileSync(exported, 'utf8');
    assert.equal(
      log.split('\n').filter((l) => l.includes('"api_key.created"') && l.includes(`apikey:${keyId}`)).length,
      1,
    );
    assert.equal(
      log.split('\n').filter((l) => l.includes('"api_key.revoked"') && l.includes(`apikey:${keyId}`)).length,
      1,
    );
    assert.ok(!log.includes(secret));
    const verifyRun = await runVeil(['audit', 'verify', exported]);
    assert.equal(verifyRun.code, 0, verifyRun.stdout + verifyRun.stderr);
  },
);
