import { InvalidArgumentError, type Command } from 'commander';
import type { DatabaseHandle } from '../../store/database.js';
import { defaultDataDir, withKeyring } from '../keyring.js';
import { writeLine } from '../io.js';

interface KeysFlags {
  tenant: string;
  dataDir: string;
}

function parseVersion(value: string): number {
  const version = Number(value);
  if (!Number.isInteger(version) || version < 1)
    throw new InvalidArgumentError('expected a positive integer');
  return version;
}

/** Key rotation and retirement are audited admin actions: the key's name and version, never material. */
async function auditKeyEvent(
  db: DatabaseHandle['db'],
  flags: KeysFlags,
  action: 'key.rotated' | 'key.retired',
  version: number,
): Promise<void> {
  const { openAuditLogs } = await import('../../runtime/audit.js');
  const { deploymentRegion } = await import('../governance-env.js');
  const logs = await openAuditLogs({ db, dataDir: flags.dataDir, ...deploymentRegion() });
  await logs.forTenant(flags.tenant).append({
    time: new Date().toISOString(),
    actor: { id: 'veil-cli', role: 'admin' },
    tenant: flags.tenant,
    action,
    key: { id: 'tenant-data-key', version },
  });
}

/**
 * `veil keys init|rotate|list|retire`: manages a tenant's data keys in the keyring that
 * `veil serve` and `veil worker` use.
 * Only versions, states and dates are printed; key material never leaves the keyring.
 *
 * @example
 * ```ts
 * registerKeys(program); // veil keys rotate --tenant acme
 * ```
 */
export function registerKeys(program: Command): void {
  const keys = program
    .command('keys')
    .description("manage a tenant's data keys (no key material is ever printed)");
  const withCommon = (command: Command) =>
    command
      .option('--tenant <id>', 'the tenant', 'default')
      .option('--data-dir <dir>', 'where the key file and keyring live (VEIL_DATA_DIR)', defaultDataDir());

  withCommon(keys.command('init').description('create the key-encryption key and the first data key')).action(
    async (flags: KeysFlags) => {
      const { version } = await withKeyring(flags.dataDir, (keyring) => keyring.currentKey(flags.tenant));
      await writeLine(`tenant ${flags.tenant}: data key version ${version} is active`);
    },
  );

  withCommon(
    keys.command('rotate').description('add a new data key version; older versions keep decrypting'),
  ).action(async (flags: KeysFlags) => {
    const { rebuildSubjectIndex } = await import('../../privacy/dsr/subject-index.js');
    const version = await withKeyring(flags.dataDir, async (keyring, db) => {
      const rotated = await keyring.rotate(flags.tenant);
      // The subject index is keyed by the tenant's key: re-key it, so lookups keep working once
      // the old version is retired.
      await rebuildSubjectIndex({ db, keyring }, flags.tenant);
      await auditKeyEvent(db, flags, 'key.rotated', rotated);
      return rotated;
    });
    await writeLine(`tenant ${flags.tenant}: rotated to data key version ${version}`);
  });

  withCommon(keys.command('list').description('list data key versions')).action(async (flags: KeysFlags) => {
    const versions = await withKeyring(flags.dataDir, (keyring) => keyring.versions(flags.tenant));
    if (versions.length === 0) await writeLine(`tenant ${flags.tenant}: no keys yet (run veil keys init)`);
    for (const v of versions)
      await writeLine(
        `${v.version}\t${v.status}\t${v.createdAt}${v.retiredAt ? `\tretired ${v.retiredAt}` : ''}`,
      );
  });

  withCommon(
    keys.command('retire').description('destroy an old data key version (data under it no longer decrypts)'),
  )
    .argument('<version>', 'the version to retire', parseVersion)
    .action(async (version: number, flags: KeysFlags) => {
      await withKeyring(flags.dataDir, async (keyring, db) => {
        // Retiring destroys key material for good: audited, as rotation is.
        await keyring.retire(flags.tenant, version);
        await auditKeyEvent(db, flags, 'key.retired', version);
      });
      await writeLine(`tenant ${flags.tenant}: data key version ${version} retired`);
    });
}
