import { join } from 'node:path';
import { createLocalFileKeyProvider } from '../crypto/key-providers/local-file.js';
import { Keyring } from '../crypto/keyring.js';
import { JsonFileKeyringStore } from '../crypto/keyring-json-file-store.js';

/** The data directory the CLI keeps its key file and keyring in (`--data-dir`, `VEIL_DATA_DIR`, `.veil`). */
export const DEFAULT_DATA_DIR = process.env.VEIL_DATA_DIR ?? '.veil';

/**
 * The embedded-mode keyring: a local key-encryption key file (`kek.key`, created with 0600 on
 * first use) wrapping per-tenant data keys kept in `keyring.json`.
 *
 * @example
 * ```ts
 * const keyring = localKeyring('.veil');
 * await keyring.rotate('default');
 * ```
 */
export function localKeyring(dataDir: string): Keyring {
  return new Keyring({
    provider: createLocalFileKeyProvider({ path: join(dataDir, 'kek.key') }),
    store: new JsonFileKeyringStore(join(dataDir, 'keyring.json')),
  });
}
