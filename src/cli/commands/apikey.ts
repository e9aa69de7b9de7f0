import { InvalidArgumentError, type Command } from 'commander';
import { isRole, ROLES, type Role } from '../../access/permissions.js';
import type { ApiKeys } from '../../runtime/api-keys.js';
import { defaultDataDir, withKeyring } from '../keyring.js';
import { writeLine } from '../io.js';
import { cli } from '../context.js';

interface ApiKeyFlags {
  tenant: string;
  dataDir: string;
}

// Administration from the command line is recorded as the CLI acting as an admin, as `veil keys` is.
const CLI_ACTOR = { id: 'veil-cli', role: 'admin' } as const;

const DURATION = /^([1-9]\d{0,5})([mhd])$/;
const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** `--expires-in 90d` in milliseconds; commander reports a usage error (exit 2) otherwise. */
function parseExpiry(value: string): number {
  const match = DURATION.exec(value);
  if (match === null) throw new InvalidArgumentError('expected a duration such as 90d, 12h or 30m');
  return Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
}

function collectRole(value: string, previous: Role[] = []): Role[] {
  if (!isRole(value)) throw new InvalidArgumentError(`expected one of ${ROLES.join(', ')}`);
  return [...previous, value];
}

/** Runs `work` on the API keys of the data directory's deployment (its database, keyring and audit log). */
async function withApiKeys<T>(dataDir: string, work: (apiKeys: ApiKeys) => Promise<T>): Promise<T> {
  const { openApiKeys } = await import('../../runtime/api-keys.js');
  const { openAuditLogs } = await import('../../runtime/audit.js');
  return withKeyring(dataDir, async (keyring, db) =>
    work(await openApiKeys({ db, keyring, logs: await openAuditLogs({ db, dataDir }) })),
  );
}

/**
 * `veil apikey create|list|revoke`: service API keys that `veil serve` accepts as
 * `Authorization: Bearer veil_…`. `create` prints the key on stdout and nowhere else, once
 * (`KEY=$(veil apikey create …)`); only an HMAC of its secret is stored. `list` prints ids, roles
 * and dates, never hashes. Creation and revocation are recorded in the tenant's audit log.
 *
 * @example
 * ```ts
 * registerApiKey(program); // veil apikey create --tenant acme --role processor
 * ```
 */
export function registerApiKey(program: Command): void {
  const apikey = program
    .command('apikey')
    .description(
      'manage service API keys (Authorization: Bearer veil_…); the key is shown once, never stored',
    );
  const withCommon = (command: Command) =>
    command
      .requiredOption('--tenant <id>', 'the tenant the key belongs to')
      .option('--data-dir <dir>', 'where the key file and database live (VEIL_DATA_DIR)', defaultDataDir());

  withCommon(
    apikey.command('create').description('create a key and print it on stdout (shown only this once)'),
  )
    .requiredOption('--role <role>', `a role (repeat for more): ${ROLES.join(', ')}`, collectRole)
    .option(
      '--expires-in <duration>',
      'the key stops working after this long: 90d, 12h, 30m (default: never)',
      parseExpiry,
    )
    .action(async (flags: ApiKeyFlags & { role: Role[]; expiresIn?: number }) => {
      const expiresAt = flags.expiresIn === undefined ? undefined : new Date(Date.now() + flags.expiresIn);
      const created = await withApiKeys(flags.dataDir, (apiKeys) =>
        apiKeys.create(
          { tenantId: flags.tenant, roles: flags.role, ...(expiresAt === undefined ? {} : { expiresAt }) },
          CLI_ACTOR,
        ),
      );
      await writeLine(created.apiKey);
      cli().stderr.write(
        `api key ${created.keyId} created for tenant ${flags.tenant}${created.expiresAt === null ? '' : `, expires ${created.expiresAt}`}; it cannot be shown again, store it now\n`,
      );
    });

  withCommon(
    apikey.command('list').description('list keys: id, roles, created, revoked (never a hash or secret)'),
  ).action(async (flags: ApiKeyFlags) => {
    const keys = await withApiKeys(flags.dataDir, (apiKeys) => apiKeys.list(flags.tenant));
    if (keys.length === 0) await writeLine(`tenant ${flags.tenant}: no API keys`);
    for (const key of keys)
      await writeLine(
        `${key.keyId}\t${key.roles.join(',')}\t${key.createdAt}\t${key.revokedAt === null ? 'active' : `revoked ${key.revokedAt}`}${key.expiresAt === null ? '' : `\texpires ${key.expiresAt}`}`,
      );
  });

  withCommon(apikey.command('revoke').description('revoke a key; requests with it fail from now on'))
    .argument('<keyId>', 'the key id (the 24 hex digits after veil_), as `list` shows it')
    .action(async (keyId: string, flags: ApiKeyFlags) => {
      await withApiKeys(flags.dataDir, (apiKeys) => apiKeys.revoke(flags.tenant, keyId, CLI_ACTOR));
      await writeLine(`api key ${keyId} revoked`);
    });
}
