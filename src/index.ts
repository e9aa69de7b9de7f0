/**
 * Veil's library entry point: detection and (as the layers land) anonymisation, with no server.
 *
 * @example
 * ```ts
 * import { analyze } from 'veil';
 * const findings = analyze('Mail jane.doe@example.org');
 * ```
 */
export { analyze, createAnalyzer, DEFAULT_THRESHOLD, SUPPORTED_LANGUAGES, type AnalyzeOptions, type Analyzer, type DenyListEntry } from './engine/analyze.js';
export { analyzeChunks, type ChunkedOptions } from './engine/chunked.js';
export { customRecognizer, customRecognizerSchema, type CustomRecognizerDefinition } from './engine/recognizers/custom.js';
export { patternRecognizer, type PatternRecognizerDefinition } from './engine/recognizers/pattern.js';
export { defaultRecognizers, supportedEntities } from './engine/recognizers/index.js';
export { registerValidator, validatorNames } from './engine/validators/index.js';
export { resolveOverlaps } from './engine/overlap.js';
export type { Finding, Recognizer, TextWindow, Trigger } from './engine/types.js';
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
