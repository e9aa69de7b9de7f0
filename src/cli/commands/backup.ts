import type { Command } from 'commander';
import type { KeyEncryptionKeyProvider } from '../../crypto/key-providers/provider.js';
import type { BlobSettings } from '../../store/index.js';
import { defaultDataDir } from '../keyring.js';
import { cli } from '../context.js';

interface BackupFlags {
  output: string;
  dataDir: string;
}

interface RestoreFlags {
  dataDir: string;
  kekFile?: string;
}

/**
 * Where the data is: `DATABASE_URL` (else PGlite) and `VEIL_BLOBS` (an S3 bucket's objects are in
 * the backup too); and the KEK provider `VEIL_KEK` selects, checked against `VEIL_REGION` before
 * anything is read or written. The local key file is left to backup and restore themselves, which
 * refuse a missing one rather than let the provider create a new key that could open nothing.
 */
async function backupTarget(
  dataDir: string,
): Promise<{ databaseUrl?: string; blobs: BlobSettings; keyProvider?: KeyEncryptionKeyProvider }> {
  const { commandConfig } = await import('../settings.js');
  const { blobSettingsFromConfig } = await import('../../runtime/blobs.js');
  const { keyProviderFromConfig } = await import('../../runtime/key-provider.js');
  const config = commandConfig([{ setting: 'VEIL_DATA_DIR', flag: '--data-dir', value: dataDir }]);
  const url = config.DATABASE_URL;
  const blobs = blobSettingsFromConfig(config);
  const keyProvider = await keyProviderFromConfig(config);
  return {
    ...(url === undefined || url === '' ? {} : { databaseUrl: url }),
    blobs,
    ...(config.VEIL_KEK === 'local-file' ? {} : { keyProvider }),
  };
}

/**
 * `veil backup -o FILE` and `veil restore FILE`: the data directory's database (`DATABASE_URL`,
 * else PGlite), blobs and key files in one file sealed under the KEK, which the backup never
 * holds; and back, into an empty data directory. The KEK is the one `VEIL_KEK` selects, checked
 * against `VEIL_REGION` like every other process's, so a backup is never sealed or opened by a key
 * held in another region. See docs/reliability.md.
 *
 * @example
 * ```ts
 * registerBackup(program); // veil backup -o veil.backup; veil restore veil.backup --data-dir /srv/veil --kek-file kek.key
 * ```
 */
export function registerBackup(program: Command): void {
  program
    .command('backup')
    .description(
      'write the database, blobs and key files to one file sealed under the key-encryption key (never included)',
    )
    .requiredOption('-o, --output <file>', 'the backup file to write (0600)')
    .option('--data-dir <dir>', 'the data directory (VEIL_DATA_DIR)', defaultDataDir())
    .action(async (flags: BackupFlags) => {
      const { createBackup } = await import('../../runtime/backup.js');
      const counts = await createBackup(
        { dataDir: flags.dataDir, ...(await backupTarget(flags.dataDir)) },
        flags.output,
      );
      const rows = Object.values(counts.rows).reduce((a, b) => a + b, 0);
      cli().stderr.write(
        `veil backup: ${rows} rows in ${Object.keys(counts.rows).length} tables, ${counts.blobs} blobs, ${counts.files} key file(s) -> ${flags.output}\n`,
      );
    });
  program
    .command('restore <file>')
    .description(
      'restore a backup into an empty data directory (and empty DATABASE_URL database); needs the same key-encryption key',
    )
    .option('--data-dir <dir>', 'the empty data directory to restore into (VEIL_DATA_DIR)', defaultDataDir())
    .option('--kek-file <file>', 'the key file the backup was made under (copied to <data-dir>/kek.key)')
    .action(async (file: string, flags: RestoreFlags) => {
      const { restoreBackup } = await import('../../runtime/backup.js');
      const counts = await restoreBackup(file, {
        dataDir: flags.dataDir,
        ...(await backupTarget(flags.dataDir)),
        ...(flags.kekFile === undefined ? {} : { kekFile: flags.kekFile }),
      });
      const rows = Object.values(counts.rows).reduce((a, b) => a + b, 0);
      cli().stderr.write(
        `veil restore: ${rows} rows, ${counts.blobs} blobs, ${counts.files} key file(s) into ${flags.dataDir}; ${counts.requeued} unfinished jobs re-queued\n`,
      );
    });
}
