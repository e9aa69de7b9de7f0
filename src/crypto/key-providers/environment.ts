/**
 * A KEK provider reading a base64-encoded 32-byte key from an environment variable, for
 * deployments whose secret manager injects secrets as variables.
 */
import { VeilError } from '../../errors/veil-error.js';
import { KEY_BYTES } from '../envelope.js';
import { inProcessKekProvider } from './in-process-kek.js';
import type { KeyEncryptionKeyProvider } from './provider.js';

/** Options of {@link createEnvironmentKeyProvider}. */
export interface EnvironmentKeyProviderOptions {
  /** The variable's name, e.g. `VEIL_KEK`. */
  readonly variable: string;
  /** The environment to read; defaults to `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** The region of the process the variable is given to. */
  readonly region?: string;
}

function decodeKey(variable: string, value: string | undefined): Uint8Array {
  if (value === undefined || value.trim() === '') {
    throw new VeilError(
      'VEIL_KEY_PROVIDER',
      `environment variable ${variable} is not set; set it to a base64-encoded ${KEY_BYTES}-byte key (e.g. openssl rand -base64 32)`,
    );
  }
  const text = value.trim();
  const key = Buffer.from(text, 'base64');
  // Buffer.from ignores invalid characters, so check that the text really was canonical base64.
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text) || key.length !== KEY_BYTES || key.toString('base64') !== text) {
    throw new VeilError(
      'VEIL_KEY_PROVIDER',
      `environment variable ${variable} must hold a base64-encoded ${KEY_BYTES}-byte key`,
    );
  }
  return key;
}

/**
 * A KEK provider reading the key from `options.variable`. Errors name the variable, never its value.
 *
 * @example
 * ```ts
 * const provider = createEnvironmentKeyProvider({ variable: 'VEIL_KEK' });
 * ```
 */
export function createEnvironmentKeyProvider(
  options: EnvironmentKeyProviderOptions,
): KeyEncryptionKeyProvider {
  const { variable } = options;
  if (typeof variable !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(variable)) {
    throw new VeilError(
      'VEIL_INVALID_OPTION',
      'environment key provider: `variable` must be a valid environment variable name',
    );
  }
  const env = options.env ?? process.env;
  return inProcessKekProvider(
    `env:${variable}`,
    `environment variable ${variable}`,
    async () => decodeKey(variable, env[variable]),
    options.region,
  );
}
