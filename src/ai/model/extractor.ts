/**
 * The model extractor: asks a model for the requested fields while the model sees only
 * pseudonymised text. Prompt → detect → replace every value by its job-scoped placeholder →
 * (egress guard, in the provider) → answer → keep the pseudonymised exchange → re-identify
 * locally → typed values with confidence.
 */
import { createAnalyzer } from '../../engine/analyze.js';
import type { Analyzer } from '../../engine/analyze.js';
import { PseudonymScope, pseudonymise } from '../pseudonymise.js';
import type { ModelExchangeStore } from './exchanges.js';
import { buildExtractionPrompt, checkFieldRequests, parseExtractionAnswer } from './prompt.js';
import type { FieldAnswer, FieldRequest } from './prompt.js';
import type { ChatMessage, ModelProvider, ProviderIdentity, TokenUsage } from './provider.js';

/** What to extract from what. */
export interface ModelExtractionInput {
  /** The document's text, as parsed (it is pseudonymised before anything is sent). */
  readonly text: string;
  readonly fields: readonly FieldRequest[];
  /** The job's placeholders; give one per job so a value keeps its placeholder across calls. Default: a new one. */
  readonly scope?: PseudonymScope;
  readonly signal?: AbortSignal;
}

/** The extractor's result: each requested field re-identified, plus what the call cost. */
export interface ModelExtraction {
  /** Every requested field by name; `value` is null when the model did not find it. */
  readonly fields: Readonly<Record<string, FieldAnswer>>;
  readonly provider: ProviderIdentity;
  readonly usage: TokenUsage;
  readonly durationMs: number;
  readonly promptHash: string;
  /** How many values were replaced before sending, by entity type. */
  readonly pseudonymised: Readonly<Record<string, number>>;
}

/** Options of {@link ModelExtractor}. */
export interface ModelExtractorOptions {
  /** The provider; its egress guard checks every request. */
  readonly provider: ModelProvider;
  /** The job's analyzer (its policy); default: every entity type at the default threshold. */
  readonly analyze?: Analyzer;
  /** Keeps each pseudonymised exchange, encrypted; absent: nothing is kept. */
  readonly exchanges?: ModelExchangeStore;
  /** The most tokens an answer may have (default 1024). */
  readonly maxTokens?: number;
}

const DEFAULT_MAX_TOKENS = 1024;

/**
 * Extracts requested fields with a model, off by default: the service builds one only when a
 * provider is configured and {@link decideModelUse} allows it.
 *
 * @example
 * ```ts
 * const extractor = new ModelExtractor({ provider, exchanges });
 * const scope = new PseudonymScope(); // one per job
 * const { fields } = await extractor.extract({ text, fields: [{ name: 'total', type: 'money', hint: 'Total' }], scope });
 * fields.total; // { value: '9.00 MYR', confidence: 0.9 }
 * ```
 */
export class ModelExtractor {
  readonly #provider: ModelProvider;
  readonly #analyze: Analyzer;
  readonly #exchanges: ModelExchangeStore | undefined;
  readonly #maxTokens: number;

  constructor(options: ModelExtractorOptions) {
    this.#provider = options.provider;
    this.#analyze = options.analyze ?? createAnalyzer();
    this.#exchanges = options.exchanges;
    this.#maxTokens = options.maxTokens ?? DEFAULT_MAX_TOKENS;
  }

  async extract(input: ModelExtractionInput): Promise<ModelExtraction> {
    checkFieldRequests(input.fields);
    const scope = input.scope ?? new PseudonymScope();
    const [instructions, request] = buildExtractionPrompt(input.fields, input.text);
    // The whole request is pseudonymised, field hints included, not the document alone: a label
    // the engine reads as a name is then replaced alike in both, and the guard, which reads the
    // same text, finds nothing the pseudonymiser left.
    const at = request!.content.lastIndexOf(input.text);
    const masked = await pseudonymise(request!.content, {
      analyze: this.#analyze,
      scope,
      parts: at < 0 ? [] : [{ start: at, end: at + input.text.length }],
    });
    const messages: ChatMessage[] = [instructions!, { role: 'user', content: masked.text }];
    const answer = await this.#provider.chat({
      messages,
      placeholders: scope.placeholders,
      json: true,
      maxTokens: this.#maxTokens,
      ...(input.signal ? { signal: input.signal } : {}),
    });
    await this.#exchanges?.save({
      version: 1,
      provider: answer.provider,
      promptHash: answer.promptHash,
      messages,
      answer: answer.content,
      at: new Date().toISOString(),
    });
    const fields = parseExtractionAnswer(answer.content, input.fields, (value) => scope.reidentify(value));
    return {
      fields,
      provider: answer.provider,
      usage: answer.usage,
      durationMs: answer.durationMs,
      promptHash: answer.promptHash,
      pseudonymised: masked.counts,
    };
  }
}
