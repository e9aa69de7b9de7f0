import type { Command } from 'commander';
import { writeLine } from '../io.js';
import { cli } from '../context.js';

/**
 * `veil config check`: validates the environment as `veil serve` and `veil worker` would and
 * prints every setting's effective value and where it came from (flag, environment, default).
 * Secrets are never printed; a connection string loses its user and password. Unknown `VEIL_*`
 * variables are listed, and make the check fail, so a typo is caught before a deployment.
 *
 * @example
 * ```ts
 * registerConfig(program); // VEIL_PORT=9000 veil config check
 * ```
 */
export function registerConfig(program: Command): void {
  const config = program
    .command('config')
    .description('the deployment configuration (environment variables)');
  config
    .command('check')
    .description('validate the environment and print the effective configuration, secrets hidden')
    .action(async () => {
      const { describeConfig, loadConfig } = await import('../../runtime/config.js');
      // An invalid setting throws VEIL_CONFIG_INVALID naming it; main prints it and exits 1.
      const loaded = loadConfig(cli().env);
      for (const line of describeConfig(loaded)) await writeLine(line);
      for (const warning of loaded.unknown) cli().stderr.write(`warning: ${warning}\n`);
      if (loaded.unknown.length > 0) cli().exitCode = 1;
    });
}
