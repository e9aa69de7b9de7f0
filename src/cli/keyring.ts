import { join } from 'node:path';
import { createLocalFileKeyProvider } from '../crypto/key-providers/local-file.js';
import { Keyring } from '../crypto/keyring.js';
import { openDatabase, type DatabaseHandle } from '../store/database.js';
import { DatabaseKeyringStore } from '../store/keyring-store.js';

/** The data directory the CLI keeps its key file and database in (`--data-dir`, `VEIL_DATA_DIR`, `.veil`). */
export const DEFAULT_DATA_DIR = process.env.VEIL_DATA_DIR ?? '.veil';

/**
 * Runs `work` with the same keyring `veil serve` and `veil worker` use: data keys in the
 * database (`DATABASE_URL`, else PGlite in `<dataDir>/pglite`), wrapped by the local key file
 * `<dataDir>/kek.key` (0600, created on first use). The database is closed afterwards.
 *
 * @example
 * ```ts
 * await withKeyring('.veil', (keyring) => keyring.rotate('default'));
 * ```
 */
export async function withKeyring<T>(dataDir: string, work: (keyring: Keyring, db: DatabaseHandle['db']) => Promise<T>): Promise<T> {
  const url = process.env.DATABASE_URL;
  const handle = await openDatabase(url ? { driver: 'postgres', connectionString: url } : { driver: 'pglite', dataDir: join(dataDir, 'pglite') });
  try {
    const keyring = new Keyring({
      provider: createLocalFileKeyProvider({ path: join(dataDir, 'kek.key') }),
      store: new DatabaseKeyringStore(handle.db),
    });
    return await work(keyring, handle.db);
  } finally {
    await handle.close();
  }
}
