import { loadConfig } from '../runtime/config.js';
import type { ConfigFlag, VeilConfig } from '../runtime/config.js';

/**
 * The configuration of a command: the environment and the flags standing for settings, validated
 * (`VEIL_CONFIG_INVALID` naming the setting); unknown `VEIL_*` variables are warned about on stderr.
 *
 * @example
 * ```ts
 * const config = commandConfig([{ setting: 'VEIL_PORT', flag: '--port', value: flags.port }]);
 * ```
 */
export function commandConfig(flags: readonly ConfigFlag[] = []): VeilConfig {
  const loaded = loadConfig(process.env, flags);
  for (const warning of loaded.unknown) process.stderr.write(`warning: ${warning}\n`);
  return loaded.config;
}
