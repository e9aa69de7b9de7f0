/**
 * The certificate and key `veil serve` serves HTTPS with, read once at start: a missing or
 * unreadable file stops start-up naming the setting, not the first TLS handshake.
 */
import { readFile } from 'node:fs/promises';
import type { TlsFiles } from '../api/index.js';
import { VeilError } from '../errors/veil-error.js';
import type { VeilConfig } from './config.js';

async function readPem(
  setting: 'VEIL_TLS_CERT' | 'VEIL_TLS_KEY',
  flag: string,
  path: string,
  marker: RegExp,
): Promise<Buffer> {
  let pem: Buffer;
  try {
    pem = await readFile(path);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new VeilError(
      'VEIL_CONFIG_INVALID',
      `configuration: ${flag} (${setting}): cannot read ${path} (${reason})`,
    );
  }
  // The file's content is never quoted: a key file must not end up in a log.
  if (!marker.test(pem.toString('latin1')))
    throw new VeilError(
      'VEIL_CONFIG_INVALID',
      `configuration: ${flag} (${setting}): ${path} is not a PEM file of the expected kind`,
    );
  return pem;
}

/**
 * The TLS files a configuration names, or undefined for plain HTTP.
 *
 * @throws VeilError `VEIL_CONFIG_INVALID` naming the setting whose file cannot be read or is not PEM.
 *
 * @example
 * ```ts
 * const tls = await tlsFromConfig(config); // { cert, key } when VEIL_TLS_CERT and VEIL_TLS_KEY are set
 * ```
 */
export async function tlsFromConfig(config: VeilConfig): Promise<TlsFiles | undefined> {
  if (config.VEIL_TLS_CERT === undefined || config.VEIL_TLS_KEY === undefined) return undefined;
  return {
    cert: await readPem('VEIL_TLS_CERT', '--tls-cert', config.VEIL_TLS_CERT, /-----BEGIN CERTIFICATE-----/),
    key: await readPem(
      'VEIL_TLS_KEY',
      '--tls-key',
      config.VEIL_TLS_KEY,
      /-----BEGIN ([A-Z]+ )?PRIVATE KEY-----/,
    ),
  };
}
