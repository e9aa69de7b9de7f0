import { randomBytes } from 'node:crypto';
import { rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * Writes a file so that it either appears complete or not at all: the bytes go to a hidden temp
 * file beside the target (same file system, so the rename is atomic), which is renamed on success
 * and removed on any failure. Mode 0600: outputs are personal data until proven otherwise.
 *
 * @example
 * ```ts
 * await writeFileAtomic('out/redacted.pdf', result.bytes);
 * ```
 */
export async function writeFileAtomic(path: string, bytes: Uint8Array): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await writeFile(temp, bytes, { mode: 0o600, flag: 'wx' });
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}
