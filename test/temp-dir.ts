/**
 * Temp directories a test file makes and leaves to the end of its process: each is removed when the
 * process exits (every test file runs in its own), passed or failed, so none stays behind in the
 * temp directory, which `npm test` may put in memory (`scripts/test-tmpdir.sh`).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const made: string[] = [];
process.once('exit', () => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

/**
 * A new directory under the temp directory, named `prefix` and random letters, removed at exit.
 *
 * @example
 * ```ts
 * const dataDir = tempDir('veil-keys-');
 * ```
 */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}
