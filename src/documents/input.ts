import { readFile, stat } from 'node:fs/promises';
import { VeilError } from '../errors/veil-error.js';
import { resolveLimits, type DocumentLimits } from './limits.js';

/**
 * Reads a document file whole, after checking its size against `limits.maxBytes` from the file
 * system, so an oversized input is refused before a byte of it is read.
 *
 * @example
 * ```ts
 * const bytes = await readDocumentFile('scan.pdf', { maxBytes: 20 * 1024 * 1024 });
 * ```
 */
export async function readDocumentFile(
  path: string,
  limits: Partial<DocumentLimits> = {},
): Promise<Uint8Array> {
  const { maxBytes } = resolveLimits(limits);
  let size: number;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new Error('not a file');
    size = info.size;
  } catch (cause) {
    throw new VeilError('VEIL_FILE_NOT_FOUND', 'the input file does not exist or is not a regular file', {
      cause,
    });
  }
  if (size > maxBytes)
    throw new VeilError('VEIL_LIMIT_BYTES', `document is larger than limits.maxBytes (${maxBytes} bytes)`);
  return new Uint8Array(await readFile(path));
}
