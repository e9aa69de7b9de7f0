/**
 * `veil/client` imports nothing of the server: every module reachable from src/client/index.ts
 * lies in src/client, and its only packages are the portable ones named here.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { dirname, relative, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { repoUrl } from '../repo-paths.js';

const CLIENT_DIR = fileURLToPath(repoUrl('src/client/'));
const PORTABLE_PACKAGES = new Set(['canonicalize', '@noble/hashes/sha2.js', '@noble/curves/ed25519.js']);
// Static `import … from '…'`, `export … from '…'` and dynamic `import('…')`.
const SPECIFIER =
  /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

async function walk(entry: string): Promise<{ files: string[]; packages: string[] }> {
  const files = new Set<string>();
  const packages = new Set<string>();
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (files.has(file)) continue;
    files.add(file);
    const source = await readFile(file, 'utf8');
    for (const match of source.matchAll(SPECIFIER)) {
      const specifier = (match[1] ?? match[2])!;
      if (specifier.startsWith('.')) queue.push(resolve(dirname(file), specifier.replace(/\.js$/, '.ts')));
      else packages.add(specifier);
    }
  }
  return { files: [...files].map((f) => relative(CLIENT_DIR, f)).sort(), packages: [...packages].sort() };
}

test('src/client reaches only its own modules and portable packages', async () => {
  const { files, packages } = await walk(resolve(CLIENT_DIR, 'index.ts'));
  for (const file of files) assert.ok(!file.startsWith('..'), `${file} is outside src/client`);
  assert.ok(
    files.includes('client.ts') && files.includes('verify-receipt.ts') && files.includes('openapi.ts'),
    files.join(', '),
  );
  for (const name of packages)
    assert.ok(PORTABLE_PACKAGES.has(name), `src/client imports ${name}, which is not a portable package`);
  assert.ok(!packages.some((p) => p.startsWith('node:')));
});

test('the import walk sees through a server import (it can fail)', async () => {
  const { packages, files } = await walk(fileURLToPath(repoUrl('src/runtime/idempotency.ts')));
  assert.ok(packages.includes('node:crypto'));
  assert.ok(files.some((f) => f.startsWith('..')));
});
