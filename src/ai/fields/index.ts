// Requested fields, typed and with confidence: field specs, templates and the rule extractor.
export { extractFields, requireExtractor, statusOf, type ExtractFieldsOptions } from './extract.js';
export {
  EXTRACTOR_NAMES,
  type ExtractionRequest,
  type Extractor,
  type ExtractorName,
  type FieldCandidate,
} from './extractor.js';
export { createRuleExtractor, type RuleExtractorOptions } from './rules/extract.js';
export {
  DEFAULT_REVIEW_BELOW,
  DEFAULT_SENSITIVITY,
  FIELD_TYPES,
  SENSITIVITIES,
  fieldListSchema,
  fieldSpecSchema,
  sensitivityOf,
  templateSchema,
  type FieldBox,
  type FieldCheck,
  type FieldResult,
  type FieldSpec,
  type FieldSpecInput,
  type FieldStatus,
  type FieldType,
  type FieldValue,
  type FieldsResult,
  type Money,
  type Sensitivity,
  type Template,
  type TemplateRef,
} from './spec.js';
export {
  BUILT_IN_TEMPLATES,
  listTemplates,
  loadTemplate,
  parseFieldList,
  parseTemplate,
  validateFields,
  validateTemplate,
  type TemplateSource,
} from './templates.js';
export { parseValue } from './types/index.js';
