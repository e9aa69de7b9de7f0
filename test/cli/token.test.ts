import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { openLocalIssuer } from '../../src/access/local-issuer.js';
import { createTokenVerifier } from '../../src/access/tokens.js';
import { veilNodeArgs } from '../veil-process.js';
import { tempDir } from '../temp-dir.js';

test('veil token prints only a token that the embedded issuer verifies, with the tenant and role', async () => {
  const dataDir = tempDir('veil-token-');
  const run = spawnSync(
    process.execPath,
    veilNodeArgs(['token', '--role', 'processor', '--tenant', 'acme', '--data-dir', dataDir]),
    { encoding: 'utf8', timeout: 60_000 },
  );
  assert.equal(run.status, 0, run.stderr);
  const lines = run.stdout.trim().split('\n');
  assert.equal(lines.length, 1);
  const issuer = await openLocalIssuer(dataDir);
  const verifier = await createTokenVerifier(issuer.verifierOptions());
  const principal = await verifier.verify(lines[0]!);
  assert.equal(principal.tenantId, 'acme');
  assert.deepEqual([...principal.roles], ['processor']);
});

test('veil token refuses unknown roles as a usage error', () => {
  const run = spawnSync(process.execPath, veilNodeArgs(['token', '--role', 'root', '--tenant', 'acme']), {
    encoding: 'utf8',
    timeout: 60_000,
  });
  assert.equal(run.status, 2);
  assert.equal(run.stdout, '');
});
