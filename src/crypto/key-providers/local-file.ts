/**
 * The default KEK provider: 32 random bytes in a file the caller names, created on first use
 * with mode 0600 in a directory created with mode 0700.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { VeilError } from '../../errors/veil-error.js';
import { KEY_BYTES } from '../envelope.js';
import { inProcessKekProvider } from './in-process-kek.js';
import type { KeyEncryptionKeyProvider } from './provider.js';

/** Options of {@link createLocalFileKeyProvider}. */
export interface LocalFileKeyProviderOptions {
  /** Where the key file lives; it is created if absent. */
  readonly path: string;
  /** The region of the machine (and disk) the file is on. */
  readonly region?: string;
}

function providerError(message: string, cause?: unknown): VeilError {
  return new VeilError(
    'VEIL_KEY_PROVIDER',
    `local key file: ${message}`,
    cause === undefined ? undefined : { cause },
  );
}

async function createKeyFile(path: string): Promise<boolean> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  let handle;
  try {
    // 'wx' fails if another process created the file first, so two first runs cannot both write.
    handle = await open(path, 'wx', 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  try {
    await handle.writeFile(randomBytes(KEY_BYTES));
    await handle.sync();
  } finally {
    await handle.close();
  }
  return true;
}

async function loadKeyFile(path: string): Promise<Uint8Array> {
  try {
    await createKeyFile(path);
    const info = await stat(path);
    // Like ssh with private keys: a key others can read is refused rather than silently used.
    if ((info.mode & 0o077) !== 0) {
      throw providerError(
        `${path} is readable or writable by group or others (mode ${(info.mode & 0o777).toString(8)}); run chmod 600 on it`,
      );
    }
    const key = await readFile(path);
    if (key.length !== KEY_BYTES)
      throw providerError(`${path} must hold exactly ${KEY_BYTES} bytes, it holds ${key.length}`);
    return key;
  } catch (error) {
    if (error instanceof VeilError) throw error;
    throw providerError(
      `cannot create or read ${path} (${(error as NodeJS.ErrnoException).code ?? 'unknown error'})`,
      error,
    );
  }
}

/**
 * A KEK provider backed by a local key file, created with 32 random bytes and mode 0600 on first
 * use. The file is read lazily, on the first wrap or unwrap.
 *
 * @example
 * ```ts
 * const provider = createLocalFileKeyProvider({ path: join(dataDir, 'kek.key') });
 * ```
 */
export function createLocalFileKeyProvider(options: LocalFileKeyProviderOptions): KeyEncryptionKeyProvider {
  if (typeof options.path !== 'string' || options.path.length === 0)
    throw new VeilError('VEIL_INVALID_OPTION', 'local key file: `path` must be a non-empty string');
  return inProcessKekProvider(
    'local-file',
    `local key file ${options.path}`,
    () => loadKeyFile(options.path),
    options.region,
  );
}
