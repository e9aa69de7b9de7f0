/**
 * The port every AI provider driver implements: one chat-completions request in, one answer out,
 * with what the audit log needs (host, model, region, token counts, duration, prompt hash). A
 * driver sends only through the egress guard and audits every call through {@link AiAudit}.
 */
import { createHash } from 'node:crypto';

/** One message of a chat. */
export interface ChatMessage {
  readonly role: 'system' | 'user' | 'assistant';
  readonly content: string;
}

/** A chat-completions request. */
export interface ChatRequest {
  readonly messages: readonly ChatMessage[];
  /**
   * The placeholders the messages may carry (those the pseudonymiser issued for them). The egress
   * guard lets exactly these through; anything else it detects blocks the request.
   */
  readonly placeholders?: ReadonlySet<string>;
  /** Ask for a JSON object as the answer (`response_format: json_object`). Default false. */
  readonly json?: boolean;
  /** The most tokens the answer may have. */
  readonly maxTokens?: number;
  /** Cancels the request. */
  readonly signal?: AbortSignal;
}

/** Which provider answered: what the audit log records of it. */
export interface ProviderIdentity {
  /** The host (and port) of the provider's URL. */
  readonly host: string;
  readonly model: string;
  /** The operator's label for where the provider runs (`eu-west`, `on-prem`). */
  readonly region?: string;
}

/** Tokens the provider reports it used; 0 when it does not say. */
export interface TokenUsage {
  readonly promptTokens: number;
  readonly completionTokens: number;
}

/** The answer to a {@link ChatRequest}. */
export interface ChatAnswer {
  /** The answer's text, as the provider wrote it (still pseudonymised). */
  readonly content: string;
  readonly provider: ProviderIdentity;
  readonly usage: TokenUsage;
  /** From the first attempt to the answer, retries included. */
  readonly durationMs: number;
  /** SHA-256 of the messages as sent ({@link promptHash}). */
  readonly promptHash: string;
}

/** A model behind one protocol. */
export interface ModelProvider {
  readonly identity: ProviderIdentity;
  /** Sends the request through the egress guard; throws VEIL_EGRESS_BLOCKED or VEIL_AI_PROVIDER. */
  chat(request: ChatRequest): Promise<ChatAnswer>;
}

/** An audit event of the AI boundary, before the caller adds time, actor, tenant and job. */
export interface AiAuditEvent {
  readonly action: 'ai.request' | 'ai.egress_blocked';
  readonly provider: ProviderIdentity;
  /** ai.request: SHA-256 of the messages. */
  readonly prompt_hash?: string;
  /** ai.request: whether an answer came back. */
  readonly outcome?: 'succeeded' | 'failed';
  /** ai.request that failed: the error code, lower-cased (`veil_ai_provider`). */
  readonly code?: string;
  /**
   * ai.request: `duration_ms`, `prompt_tokens`, `completion_tokens`. ai.egress_blocked: what the
   * guard found, by lower-cased entity type (`email_address`). Never a value.
   */
  readonly counts: Readonly<Record<string, number>>;
}

/**
 * Where AI audit events go. The service wires it to the tenant's audit log, adding time, actor,
 * tenant, job and purpose; an event it cannot record fails the call.
 */
export type AiAudit = (event: AiAuditEvent) => Promise<void>;

/**
 * SHA-256 (hex) of the messages as canonical JSON: what `ai.request` records instead of the
 * prompt, and what a stored exchange can be checked against.
 *
 * @example
 * ```ts
 * promptHash([{ role: 'user', content: 'hi' }]); // '6f1c…' (64 hex digits)
 * ```
 */
export function promptHash(messages: readonly ChatMessage[]): string {
  const canonical = JSON.stringify(messages.map((m) => ({ role: m.role, content: m.content })));
  return createHash('sha256').update(canonical, 'utf8').digest('hex');
}
