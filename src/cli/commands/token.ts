import { InvalidArgumentError, type Command } from 'commander';
import { isRole, ROLES, type Role } from '../../access/permissions.js';
import { defaultDataDir } from '../keyring.js';
import { writeLine } from '../io.js';

interface TokenFlags {
  role: Role[];
  tenant: string;
  ttl: number;
  dataDir: string;
}

function parseRoles(value: string): Role[] {
  const roles = value.split(',').map((r) => r.trim());
  if (roles.length === 0 || !roles.every(isRole))
    throw new InvalidArgumentError(`expected one or more of ${ROLES.join(', ')}, comma-separated`);
  return roles as Role[];
}

function parseTtl(value: string): number {
  const seconds = Number(value);
  if (!Number.isInteger(seconds) || seconds < 60 || seconds > 86_400)
    throw new InvalidArgumentError('expected seconds between 60 and 86400');
  return seconds;
}

/**
 * `veil token --role R --tenant T`: mints a development token signed by the embedded issuer's
 * local Ed25519 key (created on first use in the data directory, where `veil serve` reads it), for `veil serve` in embedded
 * mode. Only the token is printed on stdout, so `TOKEN=$(veil token …)` works.
 *
 * @example
 * ```ts
 * registerToken(program); // veil token --role processor --tenant acme
 * ```
 */
export function registerToken(program: Command): void {
  program
    .command('token')
    .description('print a development token for the embedded server (local signing key)')
    .requiredOption('--role <roles>', `comma-separated roles: ${ROLES.join(', ')}`, parseRoles)
    .requiredOption('--tenant <id>', 'the tenant the token is scoped to')
    .option('--ttl <seconds>', 'lifetime in seconds', parseTtl, 3600)
    .option('--data-dir <dir>', 'where the embedded signing key lives (VEIL_DATA_DIR)', defaultDataDir())
    .action(async (flags: TokenFlags) => {
      const { mintDevelopmentToken } = await import('../../access/local-issuer.js');
      const role = flags.role.length === 1 ? flags.role[0]! : flags.role;
      await writeLine(
        await mintDevelopmentToken(flags.dataDir, { role, tenant: flags.tenant, ttl: flags.ttl }),
      );
    });
}
