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
export {
  DEFAULT_RETENTION,
  durationMs,
  jobRetentionDays,
  RETENTION_CAPS,
  RETENTION_CLASSES,
  retentionWindows,
  type GovernedPolicy,
  type PurposePolicy,
  type RetentionClass,
} from './governance.js';
export { checkPurpose, checkRevealReason, purposeOf, type PurposeRequest } from './purposes.js';
export {
  DEFAULT_POLICY_ID,
  diffPolicies,
  loadPolicyDirectory,
  openPolicyDirectory,
  type PolicyChange,
  type PolicyDifference,
  type PolicyDirectory,
  type TenantPolicy,
} from './tenant-policies.js';
export {
  DEFAULT_QUEUE,
  DEFAULT_REVIEW,
  DEFAULT_REVIEW_THRESHOLD,
  queueOf,
  queuesOf,
  reviewAllowed,
  reviewPolicySchema,
  reviewSettings,
  type ReviewPolicy,
  type ReviewSettings,
} from './review.js';
