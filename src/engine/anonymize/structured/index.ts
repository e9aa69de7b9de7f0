export { createRowAnonymizer, type RowAnonymizer } from './csv.js';
export { anonymizeJson, MAX_JSON_DEPTH, type JsonItem } from './json.js';
export { formatPath, matchesPath, parseJsonPath, type PathSegment } from './json-path.js';
export {
  createFieldAnonymizer,
  type FieldAnonymizer,
  type FieldRule,
  type StructuredOptions,
  type StructuredRules,
} from './rules.js';
