/**
 * Where model exchanges are kept: the prompt and the answer, both only in pseudonymised form (the
 * values behind the placeholders live in the job's memory and are never written), encrypted as
 * artifacts of their own retention class, `model-exchanges`.
 */
import type { ChatMessage, ProviderIdentity } from './provider.js';

/** The artifact (and retention) class of kept exchanges. */
export const MODEL_EXCHANGE_CLASS = 'model-exchanges';

/** One prompt and its answer, as sent and received: pseudonymised. */
export interface ModelExchange {
  readonly version: 1;
  readonly provider: ProviderIdentity;
  /** SHA-256 of `messages`, as the `ai.request` audit event records it. */
  readonly promptHash: string;
  readonly messages: readonly ChatMessage[];
  /** The answer's text before re-identification. */
  readonly answer: string;
  /** When the answer came back (ISO 8601). */
  readonly at: string;
}

/** The port the model extractor keeps exchanges through. */
export interface ModelExchangeStore {
  save(exchange: ModelExchange): Promise<void>;
}

/**
 * What {@link artifactExchangeStore} needs of the store: the shape of a tenant's encrypted
 * artifacts repository (`forTenant(ctx, tenant).artifacts`), which encrypts before writing.
 */
export interface ArtifactWriter {
  put(
    input: { readonly jobId: string | null; readonly artifactClass: string; readonly deleteAfter: Date },
    content: Uint8Array,
  ): Promise<unknown>;
}

/**
 * A {@link ModelExchangeStore} over a tenant's encrypted artifacts: one artifact per exchange, of
 * class `model-exchanges`, owned by the job and deleted at `deleteAfter`.
 *
 * @example
 * ```ts
 * const exchanges = artifactExchangeStore(forTenant(ctx, 'acme').artifacts, { jobId, deleteAfter });
 * const extractor = new ModelExtractor({ provider, exchanges });
 * ```
 */
export function artifactExchangeStore(
  artifacts: ArtifactWriter,
  options: { readonly jobId: string | null; readonly deleteAfter: Date },
): ModelExchangeStore {
  return {
    async save(exchange) {
      const bytes = new TextEncoder().encode(JSON.stringify(exchange));
      await artifacts.put(
        { jobId: options.jobId, artifactClass: MODEL_EXCHANGE_CLASS, deleteAfter: options.deleteAfter },
        bytes,
      );
    },
  };
}
