/**
 * `veil serve` from a validated configuration: the KEK provider `VEIL_KEK` selects, the sign-in
 * `VEIL_OIDC_*` selects, the OCR engine `VEIL_OCR` selects, TLS when `VEIL_TLS_CERT`/`VEIL_TLS_KEY` are set, the AI
 * provider when `VEIL_AI_URL` is, listening on `VEIL_HOST:VEIL_PORT`. The CLI command is this plus a banner and signal handling, so tests run
 * exactly what an operator runs.
 */
import type { VeilConfig } from './config.js';
import { modelProviderFromConfig } from './ai.js';
import { blobSettingsFromConfig } from './blobs.js';
import { keyProviderFromConfig } from './key-provider.js';
import { ocrFromConfig } from './ocr.js';
import { startService } from './service.js';
import type { Service, ServiceOptions } from './service.js';
import { authenticateFromConfig, browserSignInFromConfig } from './sign-in.js';
import { tlsFromConfig } from './tls.js';

/** A service started from configuration. */
export interface ConfiguredService extends Service {
  readonly url: string;
  /** Whose tokens are accepted: an external OIDC issuer's, or the local issuer's. */
  readonly issuer: 'oidc' | 'local';
  readonly tls: boolean;
}

/**
 * Starts the service a configuration describes.
 *
 * @throws VeilError `VEIL_CONFIG_INVALID` for an unreadable TLS file; the KEK provider's and the
 * store's own errors when they cannot be reached.
 *
 * @example
 * ```ts
 * const service = await startConfiguredService(loadConfig(process.env).config, { logger: pino() });
 * console.error(`listening on ${service.url}`);
 * ```
 */
export async function startConfiguredService(
  config: VeilConfig,
  extra: Pick<
    ServiceOptions,
    | 'logger'
    | 'api'
    | 'policyFor'
    | 'pollingIntervalSeconds'
    | 'policyDir'
    | 'region'
    | 'sweepIntervalSeconds'
  > = {},
): Promise<ConfiguredService> {
  // First: a KEK in another region than VEIL_REGION stops the start before anything is written.
  const keyProvider = await keyProviderFromConfig(config);
  const tls = await tlsFromConfig(config);
  await ocrFromConfig(config, (engine) => extra.logger?.info({ component: 'ocr', engine }, 'OCR engine'));
  const ai = modelProviderFromConfig(config);
  const signIn = await authenticateFromConfig(config);
  const browserSignIn = browserSignInFromConfig(config);
  const service = await startService({
    ...extra,
    dataDir: config.VEIL_DATA_DIR,
    ...(config.DATABASE_URL === undefined ? {} : { databaseUrl: config.DATABASE_URL }),
    host: config.VEIL_HOST,
    port: config.VEIL_PORT,
    workers: config.VEIL_WORKERS,
    fusedMaxBytes: config.VEIL_FUSED_MAX_BYTES,
    inlineMaxBytes: config.VEIL_INLINE_MAX_BYTES,
    ...(config.VEIL_DETECTION_THREADS === undefined
      ? {}
      : { detectionThreads: config.VEIL_DETECTION_THREADS }),
    keyProvider,
    blobs: blobSettingsFromConfig(config),
    keyMaintenanceIntervalSeconds: config.VEIL_KEY_MAINTENANCE_SECONDS,
    ...(tls === undefined ? {} : { tls }),
    authenticate: signIn.authenticate,
    ...(ai === undefined ? {} : { ai }),
    ...(browserSignIn === undefined ? {} : { browserSignIn }),
  });
  return { ...service, issuer: signIn.issuer, tls: tls !== undefined };
}
