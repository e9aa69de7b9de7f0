/**
 * Veil's library entry point: detection and anonymisation with no server, the roles Presidio's
 * analyzer and anonymizer play in Python.
 *
 * @example
 * ```ts
 * import { analyze, anonymize } from 'veil';
 * const text = 'Mail jane.doe@example.org';
 * const { text: safe } = await anonymize(text, analyze(text), { default: { operator: 'replace' } });
 * // 'Mail <EMAIL_ADDRESS_1>'
 * ```
 */
export {
  analyze,
  createAnalyzer,
  DEFAULT_THRESHOLD,
  SUPPORTED_LANGUAGES,
  type AnalyzeOptions,
  type Analyzer,
  type DenyListEntry,
} from './engine/analyze.js';
export { analyzeChunks, type ChunkedOptions } from './engine/chunked.js';
export {
  customRecognizer,
  customRecognizerSchema,
  type CustomRecognizerDefinition,
} from './engine/recognizers/custom.js';
export { patternRecognizer, type PatternRecognizerDefinition } from './engine/recognizers/pattern.js';
export { defaultRecognizers, supportedEntities } from './engine/recognizers/index.js';
export { registerValidator, validatorNames } from './engine/validators/index.js';
export { resolveOverlaps } from './engine/overlap.js';
export type { Finding, Recognizer, TextWindow, Trigger } from './engine/types.js';
export {
  anonymize,
  anonymizeVerified,
  deanonymize,
  InMemoryTokenVault,
  OPERATORS,
  residualFindings,
  type AnonymizationPlan,
  type AnonymizeContext,
  type AnonymizedItem,
  type AnonymizeResult,
  type DeanonymizeResult,
  type OperatorConfig,
  type OperatorKeys,
  type OperatorName,
  type TokenVault,
} from './engine/anonymize/index.js';
export { VeilError, isVeilError, ERROR_CATALOGUE, type ErrorCode } from './errors/index.js';
export {
  extractFields,
  createRuleExtractor,
  loadTemplate,
  parseFieldList,
  parseTemplate,
  validateFields,
  parseValue,
  type ExtractFieldsOptions,
  type Extractor,
  type ExtractorName,
  type FieldCandidate,
  type FieldResult,
  type FieldSpec,
  type FieldsResult,
  type Template,
} from './ai/fields/index.js';
