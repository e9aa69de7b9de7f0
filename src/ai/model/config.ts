/**
 * The model provider's configuration from the environment. The model extractor is off by
 * default: without `VEIL_AI_URL` there is no provider and nothing is ever sent anywhere.
 */
import { VeilError } from '../../errors/veil-error.js';
import type { EgressGuard } from '../egress.js';
import { OpenAiCompatibleProvider } from './openai-compatible.js';
import type { AiAudit, ModelProvider } from './provider.js';

/** A provider configuration, validated. */
export interface ModelProviderConfig {
  /** `VEIL_AI_URL`: the chat-completions API's base URL (up to `/v1`). */
  readonly url: string;
  /** `VEIL_AI_MODEL`. */
  readonly model: string;
  /** `VEIL_AI_API_KEY`, optional (local servers need none). */
  readonly apiKey?: string;
  /** `VEIL_AI_REGION`: where the provider runs, as the operator labels it. */
  readonly region?: string;
  /** `VEIL_AI_TIMEOUT_MS` (default 60 000). */
  readonly timeoutMs: number;
  /** `VEIL_AI_MAX_RETRIES` (default 2, at most 5). */
  readonly maxRetries: number;
}

const REGION = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const MODEL = /^[A-Za-z0-9][A-Za-z0-9._:/+-]{0,127}$/;

function bad(setting: string, expected: string): VeilError {
  // Settings may hold secrets: the message names the setting and what it needs, never its value.
  return new VeilError('VEIL_INVALID_OPTION', `${setting}: expected ${expected}`);
}

function wholeNumber(
  env: NodeJS.ProcessEnv,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < min || n > max) throw bad(name, `a whole number from ${min} to ${max}`);
  return n;
}

/**
 * The provider configuration in `env`, or undefined when `VEIL_AI_URL` is unset (model use off).
 * Throws VEIL_INVALID_OPTION naming the setting when one is unusable.
 *
 * @example
 * ```ts
 * modelConfigFromEnv({ VEIL_AI_URL: 'http://127.0.0.1:11434/v1', VEIL_AI_MODEL: 'llama3.1:8b' });
 * // { url: 'http://127.0.0.1:11434/v1', model: 'llama3.1:8b', timeoutMs: 60000, maxRetries: 2 }
 * ```
 */
export function modelConfigFromEnv(env: NodeJS.ProcessEnv = process.env): ModelProviderConfig | undefined {
  const url = env['VEIL_AI_URL'];
  if (url === undefined || url === '') return undefined;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw bad('VEIL_AI_URL', 'an http or https URL such as http://127.0.0.1:11434/v1');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    throw bad('VEIL_AI_URL', 'an http or https URL such as http://127.0.0.1:11434/v1');
  if (parsed.username !== '' || parsed.password !== '')
    throw bad('VEIL_AI_URL', 'a URL without credentials (give the key as VEIL_AI_API_KEY)');
  const model = env['VEIL_AI_MODEL'];
  if (model === undefined || !MODEL.test(model))
    throw bad(
      'VEIL_AI_MODEL',
      'the model name the provider serves (letters, digits, . _ : / + -), required with VEIL_AI_URL',
    );
  const region = env['VEIL_AI_REGION'];
  if (region !== undefined && region !== '' && !REGION.test(region))
    throw bad('VEIL_AI_REGION', 'a region label of letters, digits, . _ - (at most 64)');
  const apiKey = env['VEIL_AI_API_KEY'];
  return {
    url,
    model,
    ...(apiKey === undefined || apiKey === '' ? {} : { apiKey }),
    ...(region === undefined || region === '' ? {} : { region }),
    timeoutMs: wholeNumber(env, 'VEIL_AI_TIMEOUT_MS', 60_000, 1, 3_600_000),
    maxRetries: wholeNumber(env, 'VEIL_AI_MAX_RETRIES', 2, 0, 5),
  };
}

/** What {@link providerFromConfig} adds to a configuration. */
export interface ProviderWiring {
  readonly egress: EgressGuard;
  readonly audit?: AiAudit;
  /** The job's consent; false (the default) sends `store: false`. */
  readonly allowModelTraining?: boolean;
}

/**
 * The provider a configuration names, with the guard and audit sink the service hands in.
 *
 * @example
 * ```ts
 * const config = modelConfigFromEnv();
 * const provider = config && providerFromConfig(config, { egress: createEgressGuard(), audit });
 * ```
 */
export function providerFromConfig(config: ModelProviderConfig, wiring: ProviderWiring): ModelProvider {
  return new OpenAiCompatibleProvider({
    baseUrl: config.url,
    model: config.model,
    ...(config.apiKey === undefined ? {} : { apiKey: config.apiKey }),
    ...(config.region === undefined ? {} : { region: config.region }),
    timeoutMs: config.timeoutMs,
    maxRetries: config.maxRetries,
    egress: wiring.egress,
    ...(wiring.audit === undefined ? {} : { audit: wiring.audit }),
    ...(wiring.allowModelTraining === undefined ? {} : { allowModelTraining: wiring.allowModelTraining }),
  });
}
