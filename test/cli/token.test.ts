import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openLocalIssuer } from '../../src/access/local-issuer.js';
import { createTokenVerifier } from '../../src/access/tokens.js';
import { runVeil } from './veil.js';
import { tempDir } from '../temp-dir.js';

// In-process; test/cli/lazy-commands.test.ts runs `veil token` as the real binary.
test('veil token prints only a token that the embedded issuer verifies, with the tenant and role', async () => {
  const dataDir = tempDir('veil-token-');
  const run = await runVeil(['token', '--role', 'processor', '--tenant', 'acme', '--data-dir', dataDir]);
  assert.equal(run.code, 0, run.stderr);
  const lines = run.stdout.trim().split('\n');
  assert.equal(lines.length, 1);
  const issuer = await openLocalIssuer(dataDir);
  const verifier = await createTokenVerifier(issuer.verifierOptions());
  const principal = await verifier.verify(lines[0]!);
  assert.equal(principal.tenantId, 'acme');
  assert.deepEqual([...principal.roles], ['processor']);
});

test('veil token refuses unknown roles as a usage error', async () => {
  const run = await runVeil(['token', '--role', 'root', '--tenant', 'acme']);
  assert.equal(run.code, 2);
  assert.equal(run.stdout, '');
  assert.match(run.stderr, /expected one or more of/);
});
