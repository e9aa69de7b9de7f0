/**
 * The first provider driver: the OpenAI-compatible chat-completions protocol, which Ollama, vLLM,
 * the llama.cpp server and OpenAI all serve, spoken through the official `openai` client with a
 * base URL. The client's own fetch is replaced by one that runs the egress guard on the exact body
 * just before it is sent, so no request of this driver can leave unchecked.
 */
import type OpenAI from 'openai';
import type { ClientOptions } from 'openai';
import type * as OpenAiSdk from 'openai';
import { z } from 'zod';
import { VeilError } from '../../errors/veil-error.js';
import type { EgressGuard } from '../egress.js';
import { promptHash } from './provider.js';
import type { AiAudit, ChatAnswer, ChatRequest, ModelProvider, ProviderIdentity } from './provider.js';

/** Options of {@link OpenAiCompatibleProvider}. */
export interface OpenAiCompatibleOptions {
  /** The API's base URL, up to and including `/v1` (`http://127.0.0.1:11434/v1` for Ollama). */
  readonly baseUrl: string;
  readonly model: string;
  /** Sent as a bearer token; absent: no Authorization header at all. */
  readonly apiKey?: string;
  /** The operator's label for where the provider runs; checked against a tenant's pinned region. */
  readonly region?: string;
  /** One attempt's limit in milliseconds (default 60 000). */
  readonly timeoutMs?: number;
  /** Retries after a connection failure, a timeout, 408, 409, 429 or 5xx (default 2, at most 5). */
  readonly maxRetries?: number;
  /** False (the default) asks the provider not to keep the exchange for training (`store: false`). */
  readonly allowModelTraining?: boolean;
  /** The guard every body passes just before it is sent. */
  readonly egress: EgressGuard;
  /** Records `ai.request` and `ai.egress_blocked`. */
  readonly audit?: AiAudit;
}

const DEFAULT_TIMEOUT_MS = 60_000;
const DEFAULT_RETRIES = 2;
const MAX_RETRIES = 5;

// Only what Veil reads of an answer; anything else the provider adds is ignored.
const completionSchema = z.object({
  choices: z.array(z.object({ message: z.object({ content: z.string().nullable().optional() }) })).min(1),
  usage: z
    .object({
      prompt_tokens: z.number().int().min(0).optional(),
      completion_tokens: z.number().int().min(0).optional(),
    })
    .nullish(),
});

/** ` (ECONNREFUSED)` when a connection error's cause chain names a system error code, else ''. */
function systemCode(error: unknown): string {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 4; e = e.cause, depth++) {
    const code = (e as Error & { code?: unknown }).code;
    if (typeof code === 'string' && /^E[A-Z_]{2,30}$/.test(code)) return ` (${code})`;
  }
  return '';
}

/**
 * The `openai` client module (some 150 files), loaded at a provider's first request: every process
 * that runs job workers builds the model extractor's wiring, and most never call a model.
 */
let sdk: Promise<typeof OpenAiSdk> | undefined;
function loadSdk(): Promise<typeof OpenAiSdk> {
  return (sdk ??= import('openai'));
}

function lower(code: string): string {
  return code.toLowerCase();
}

/**
 * A {@link ModelProvider} over the OpenAI-compatible chat-completions protocol.
 *
 * @example
 * ```ts
 * const provider = new OpenAiCompatibleProvider({
 *   baseUrl: 'http://127.0.0.1:11434/v1',
 *   model: 'llama3.1:8b',
 *   region: 'on-prem',
 *   egress: createEgressGuard(),
 *   audit: (event) => log.append({ ...event, time, actor, tenant, objects }),
 * });
 * const answer = await provider.chat({ messages: [{ role: 'user', content: 'Say hi' }] });
 * ```
 */
export class OpenAiCompatibleProvider implements ModelProvider {
  readonly identity: ProviderIdentity;
  readonly #clientOptions: ClientOptions;
  #client: OpenAI | undefined;
  readonly #egress: EgressGuard;
  readonly #audit: AiAudit | undefined;
  readonly #allowTraining: boolean;
  readonly #timeoutMs: number;
  readonly #maxRetries: number;

  constructor(options: OpenAiCompatibleOptions) {
    let url: URL;
    try {
      url = new URL(options.baseUrl);
    } catch (cause) {
      // The URL is configuration that may carry a secret: name the setting, never the value.
      throw new VeilError('VEIL_INVALID_OPTION', 'AI provider: `baseUrl` is not a URL', { cause });
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw new VeilError('VEIL_INVALID_OPTION', 'AI provider: `baseUrl` must be an http or https URL');
    if (url.username !== '' || url.password !== '')
      throw new VeilError(
        'VEIL_INVALID_OPTION',
        'AI provider: `baseUrl` must not carry credentials; give the key as `apiKey`',
      );
    if (typeof options.model !== 'string' || options.model.trim() === '')
      throw new VeilError('VEIL_INVALID_OPTION', 'AI provider: `model` is required');
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    if (!Number.isSafeInteger(timeoutMs) || timeoutMs < 1)
      throw new VeilError(
        'VEIL_INVALID_OPTION',
        'AI provider: `timeoutMs` must be a whole number of at least 1',
      );
    const maxRetries = options.maxRetries ?? DEFAULT_RETRIES;
    if (!Number.isSafeInteger(maxRetries) || maxRetries < 0 || maxRetries > MAX_RETRIES)
      throw new VeilError(
        'VEIL_INVALID_OPTION',
        `AI provider: \`maxRetries\` must be a whole number from 0 to ${MAX_RETRIES}`,
      );

    this.identity = {
      host: url.host,
      model: options.model,
      ...(options.region === undefined ? {} : { region: options.region }),
    };
    this.#egress = options.egress;
    this.#audit = options.audit;
    this.#allowTraining = options.allowModelTraining ?? false;
    this.#timeoutMs = timeoutMs;
    this.#maxRetries = maxRetries;
    const hasKey = options.apiKey !== undefined && options.apiKey !== '';
    this.#clientOptions = {
      baseURL: url.href,
      // The client insists on a key; without one the header is removed below, so none is sent.
      apiKey: hasKey ? options.apiKey : 'unused',
      // Explicit, so the client's own environment variables (OPENAI_ORG_ID, …) add nothing.
      organization: null,
      project: null,
      adminAPIKey: null,
      webhookSecret: null,
      ...(hasKey ? {} : { defaultHeaders: { Authorization: null } }),
      timeout: timeoutMs,
      maxRetries,
      // The client logs request details at some levels; Veil logs nothing of a model call.
      logLevel: 'off',
    };
  }

  async chat(request: ChatRequest): Promise<ChatAnswer> {
    const hash = promptHash(request.messages);
    const placeholders = request.placeholders ?? new Set<string>();
    const controller = new AbortController();
    const signal = request.signal ? AbortSignal.any([request.signal, controller.signal]) : controller.signal;
    let blocked: VeilError | undefined;

    const guardedFetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
      const body = init?.body;
      const verdict =
        typeof body === 'string'
          ? this.#egress.inspect(body, placeholders)
          : { allowed: false, counts: { unreadable_body: 1 } };
      if (!verdict.allowed) {
        const counts = Object.fromEntries(
          Object.entries(verdict.counts).map(([type, n]) => [lower(type), n]),
        );
        const total = Object.values(verdict.counts).reduce((a, b) => a + b, 0);
        blocked = new VeilError(
          'VEIL_EGRESS_BLOCKED',
          `AI request to ${this.identity.host} blocked: the egress guard found ${total} value(s) that are not placeholders (${Object.keys(verdict.counts).sort().join(', ')}); nothing was sent`,
        );
        // Aborting the caller's signal stops the client from retrying what the guard refused.
        controller.abort();
        await this.#audit?.({ action: 'ai.egress_blocked', provider: this.identity, counts });
        throw blocked;
      }
      return fetch(input, init);
    };

    const openai = await loadSdk();
    this.#client ??= new openai.default(this.#clientOptions);
    const started = performance.now();
    let raw: unknown;
    try {
      raw = await this.#client.withOptions({ fetch: guardedFetch }).chat.completions.create(
        {
          model: this.identity.model,
          messages: request.messages.map((m) => ({ role: m.role, content: m.content })),
          temperature: 0,
          ...(request.maxTokens === undefined ? {} : { max_tokens: request.maxTokens }),
          ...(request.json ? { response_format: { type: 'json_object' as const } } : {}),
          ...(this.#allowTraining ? {} : { store: false }),
        },
        { signal },
      );
    } catch (error) {
      if (blocked) throw blocked;
      const failure = this.#providerError(error, openai);
      await this.#auditRequest(hash, 'failed', performance.now() - started, undefined, failure.code);
      throw failure;
    }
    const durationMs = performance.now() - started;
    const parsed = completionSchema.safeParse(raw);
    const content = parsed.success ? parsed.data.choices[0]!.message.content : undefined;
    if (typeof content !== 'string') {
      const failure = new VeilError(
        'VEIL_AI_PROVIDER',
        `AI provider ${this.identity.host}: the answer is not a chat completion with a message`,
      );
      await this.#auditRequest(hash, 'failed', durationMs, undefined, failure.code);
      throw failure;
    }
    const usage = {
      promptTokens: parsed.data?.usage?.prompt_tokens ?? 0,
      completionTokens: parsed.data?.usage?.completion_tokens ?? 0,
    };
    await this.#auditRequest(hash, 'succeeded', durationMs, usage);
    return { content, provider: this.identity, usage, durationMs: Math.round(durationMs), promptHash: hash };
  }

  async #auditRequest(
    hash: string,
    outcome: 'succeeded' | 'failed',
    durationMs: number,
    usage?: { promptTokens: number; completionTokens: number },
    code?: string,
  ): Promise<void> {
    await this.#audit?.({
      action: 'ai.request',
      provider: this.identity,
      prompt_hash: hash,
      outcome,
      ...(code === undefined ? {} : { code: lower(code) }),
      counts: {
        duration_ms: Math.round(durationMs),
        ...(usage ? { prompt_tokens: usage.promptTokens, completion_tokens: usage.completionTokens } : {}),
      },
    });
  }

  /** A stable error for a failed call; the provider's own message is never passed on (it may echo the prompt). */
  #providerError(error: unknown, openai: typeof OpenAiSdk): VeilError {
    const host = this.identity.host;
    // No `cause`: a logger would print it, and the client's errors carry the provider's reply.
    const say = (what: string): VeilError =>
      new VeilError('VEIL_AI_PROVIDER', `AI provider ${host}: ${what}`);
    if (error instanceof openai.APIUserAbortError) return say('the request was cancelled');
    if (error instanceof openai.APIConnectionTimeoutError)
      return say(
        `no answer within ${this.#timeoutMs} ms (\`VEIL_AI_TIMEOUT_MS\`) on the last of ${this.#maxRetries + 1} attempt(s)`,
      );
    if (error instanceof openai.APIConnectionError)
      return say(`cannot connect${systemCode(error)} (is \`VEIL_AI_URL\` right and the server up?)`);
    if (error instanceof openai.APIError && typeof error.status === 'number') {
      const hint =
        error.status === 401 || error.status === 403
          ? ' (check `VEIL_AI_API_KEY`)'
          : error.status === 404
            ? ' (check `VEIL_AI_URL` and `VEIL_AI_MODEL`)'
            : '';
      return say(`refused the request with HTTP ${error.status}${hint}`);
    }
    if (error instanceof SyntaxError) return say('the answer is not JSON');
    return say('the request failed');
  }
}
