/** The AI boundary: the model extractor, its provider port and driver, and what guards them. */
export {
  modelConfigFromEnv,
  providerFromConfig,
  type ModelProviderConfig,
  type ProviderWiring,
} from './config.js';
export {
  artifactExchangeStore,
  MODEL_EXCHANGE_CLASS,
  type ArtifactWriter,
  type ModelExchange,
  type ModelExchangeStore,
} from './exchanges.js';
export {
  ModelExtractor,
  type ModelExtraction,
  type ModelExtractionInput,
  type ModelExtractorOptions,
} from './extractor.js';
export { OpenAiCompatibleProvider, type OpenAiCompatibleOptions } from './openai-compatible.js';
export {
  buildExtractionPrompt,
  checkFieldRequests,
  EXTRACTION_INSTRUCTIONS,
  MAX_FIELDS,
  parseExtractionAnswer,
  type FieldAnswer,
  type FieldRequest,
} from './prompt.js';
export {
  promptHash,
  type AiAudit,
  type AiAuditEvent,
  type ChatAnswer,
  type ChatMessage,
  type ChatRequest,
  type ModelProvider,
  type ProviderIdentity,
  type TokenUsage,
} from './provider.js';
export {
  createEgressGuard,
  inspectEgress,
  type EgressGuard,
  type EgressGuardOptions,
  type EgressVerdict,
} from '../egress.js';
export {
  assertModelUse,
  decideModelUse,
  type ModelUseContext,
  type ModelUseDecision,
  type ModelUseRefusal,
} from '../gate.js';
export {
  PseudonymScope,
  pseudonymise,
  type PseudonymisedText,
  type PseudonymiseOptions,
} from '../pseudonymise.js';
