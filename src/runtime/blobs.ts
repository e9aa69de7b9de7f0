/**
 * The blob store a configuration selects (`VEIL_BLOBS`), as the settings every process of a
 * deployment (`veil serve`, `veil worker`, the governance commands) opens its runtime with, so
 * they all read and write the same blobs.
 */
import type { BlobSettings } from '../store/index.js';
import { s3UrlParts } from './config.js';
import type { VeilConfig } from './config.js';

/**
 * The blob settings of a configuration; the schema has already checked that the S3 driver's
 * bucket is named once. S3 credentials are not settings: the AWS SDK reads them from its usual
 * chain (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_PROFILE, a web identity or instance role).
 *
 * @example
 * ```ts
 * blobSettingsFromConfig(loadConfig({ VEIL_BLOBS: 's3://veil-blobs/prod', VEIL_S3_REGION: 'eu-west-1' }).config);
 * // { driver: 's3', bucket: 'veil-blobs', prefix: 'prod', region: 'eu-west-1', forcePathStyle: false }
 * ```
 */
export function blobSettingsFromConfig(config: VeilConfig): BlobSettings {
  const value = config.VEIL_BLOBS;
  if (value === 'file' || value === 'postgres') return value;
  const named = s3UrlParts(value) ?? {
    bucket: config.VEIL_S3_BUCKET!,
    ...(config.VEIL_S3_PREFIX === undefined ? {} : { prefix: config.VEIL_S3_PREFIX }),
  };
  return {
    driver: 's3',
    ...named,
    ...(config.VEIL_S3_REGION === undefined ? {} : { region: config.VEIL_S3_REGION }),
    ...(config.VEIL_S3_ENDPOINT === undefined ? {} : { endpoint: config.VEIL_S3_ENDPOINT }),
    forcePathStyle: config.VEIL_S3_FORCE_PATH_STYLE,
  };
}
