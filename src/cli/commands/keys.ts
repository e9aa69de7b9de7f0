import { InvalidArgumentError, type Command } from 'commander';
import { rebuildSubjectIndex } from '../../privacy/dsr/subject-index.js';
import { openAuditLogs } from '../../runtime/audit.js';
import { deploymentRegion } from '../governance-env.js';
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
    const version = await withKeyring(flags.dataDir, async (keyring, db) => {
      const rotated = await keyring.rotate(flags.tenant);
      // The subject index is keyed by the tenant's key: re-key it, so lookups keep working once
      // the old version is retired.
      await rebuildSubjectIndex({ db, keyring }, flags.tenant);
      // Key rotation is an audited admin action: the key's name and version, never material.
      const logs = await openAuditLogs({ db, dataDir: flags.dataDir, ...deploymentRegion() });
      await logs.forTenant(flags.tenant).append({
        time: new Date().toISOString(),
        actor: { id: 'veil-cli', role: 'admin' },
        tenant: flags.tenant,
        action: 'key.rotated',
        key: { id: 'tenant-data-key', version: rotated },
      });
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
        await keyring.retire(flags.tenant, version);
        // Retiring destroys key material for good: an audited admin action, as rotation is.
        const logs = await openAuditLogs({ db, dataDir: flags.dataDir, ...deploymentRegion() });
        await logs.forTenant(flags.tenant).append({
          time: new Date().toISOString(),
          actor: { id: 'veil-cli', role: 'admin' },
          tenant: flags.tenant,
          action: 'key.retired',
          key: { id: 'tenant-data-key', version },
        });
      });
      await writeLine(`tenant ${flags.tenant}: data key version ${version} retired`);
    });
}
