import { loadConfig } from '../runtime/config.js';
import type { ConfigFlag, VeilConfig } from '../runtime/config.js';
import { cli } from './context.js';

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
  const loaded = loadConfig(cli().env, flags);
  for (const warning of loaded.unknown) cli().stderr.write(`warning: ${warning}\n`);
  return loaded.config;
}

/**
 * For commands that read documents: validates the configuration and points the shared OCR engine
 * at `VEIL_OCR` (loaded only here, so other commands never load the OCR drivers).
 *
 * @example
 * ```ts
 * await configureDocumentCommand();
 * const doc = await parseDocument(bytes);
 * ```
 */
export async function configureDocumentCommand(): Promise<void> {
  const { ocrFromConfig } = await import('../runtime/ocr.js');
  await ocrFromConfig(commandConfig());
}
