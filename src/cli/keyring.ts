import { join } from 'node:path';
import type { Keyring } from '../crypto/keyring.js';
import type { DatabaseHandle } from '../store/database.js';
import { cli } from './context.js';

/** The data directory the CLI keeps its key file and database in (`--data-dir`, `VEIL_DATA_DIR`, `.veil`). */
export function defaultDataDir(): string {
  return cli().env.VEIL_DATA_DIR ?? '.veil';
}

/**
 * Runs `work` with the same keyring `veil serve` and `veil worker` use: data keys in the
 * database (`DATABASE_URL`, else PGlite in `<dataDir>/pglite`), wrapped by the KEK provider
 * `VEIL_KEK` selects (by default the local key file `<dataDir>/kek.key`, 0600, created on first
 * use). The database is closed afterwards.
 *
 * @example
 * ```ts
 * await withKeyring('.veil', (keyring) => keyring.rotate('default'));
 * ```
 */
export async function withKeyring<T>(
  dataDir: string,
  work: (keyring: Keyring, db: DatabaseHandle['db']) => Promise<T>,
): Promise<T> {
  // Loaded here, not with the module: commands register their `--data-dir` default at start-up.
  const { Keyring } = await import('../crypto/keyring.js');
  const { keyProviderFromConfig } = await import('../runtime/key-provider.js');
  const { openDatabase } = await import('../store/database.js');
  const { DatabaseKeyringStore } = await import('../store/keyring-store.js');
  const { commandConfig } = await import('./settings.js');
  const config = commandConfig([{ setting: 'VEIL_DATA_DIR', flag: '--data-dir', value: dataDir }]);
  const url = config.DATABASE_URL;
  const provider = await keyProviderFromConfig(config);
  const handle = await openDatabase(
    url
      ? { driver: 'postgres', connectionString: url }
      : { driver: 'pglite', dataDir: join(dataDir, 'pglite') },
  );
  try {
    const keyring = new Keyring({
      provider,
      store: new DatabaseKeyringStore(handle.db),
    });
    return await work(keyring, handle.db);
  } finally {
    await handle.close();
  }
}
