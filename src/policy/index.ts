export { canonicalHash, policyHash } from './hash.js';
export { describeIssue, loadPolicy, parsePolicy, validatePolicy } from './load.js';
export {
  analyzeOptionsFromPolicy,
  operatorFromPolicy,
  planFromPolicy,
  structuredRulesFromPolicy,
} from './plan.js';
export {
  OPERATOR_NAMES,
  policySchema,
  type Policy,
  type PolicyFieldRule,
  type PolicyOperator,
} from './schema.js';
