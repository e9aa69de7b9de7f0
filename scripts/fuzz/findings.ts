/**
 * Where fuzzing keeps what it found: each failing input under
 * test/fixtures/fuzz/<target>/<sha256 prefix>.bin, which the replay test (test/fuzz/fuzz.test.ts)
 * feeds back through the target's check on every `npm test`.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const FUZZ_FIXTURES = fileURLToPath(new URL('../../test/fixtures/fuzz/', import.meta.url));

/**
 * Keeps a failing input as a regression file (once per content) and returns its name under the
 * fixtures folder.
 *
 * @example
 * ```ts
 * keepFinding('csv', input); // 'csv/3f2a9c0d1e4b5a67.bin'
 * ```
 */
export function keepFinding(target: string, input: Uint8Array): string {
  const dir = join(FUZZ_FIXTURES, target);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${createHash('sha256').update(input).digest('hex').slice(0, 16)}.bin`);
  if (!existsSync(file)) writeFileSync(file, input);
  return file.slice(FUZZ_FIXTURES.length);
}
