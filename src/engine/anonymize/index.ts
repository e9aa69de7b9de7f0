export { anonymize, deanonymize, configFor, validatePlan, type DeanonymizeResult } from './anonymize.js';
export type { OperatorKeys } from './keys.js';
export { OPERATORS, REVERSIBLE_OPERATORS } from './operators/index.js';
export { TagScope } from './tag-scope.js';
export type * from './types.js';
export {
  InMemoryTokenVault,
  type InMemoryTokenVaultOptions,
  type TokenRequest,
  type TokenVault,
} from './vault.js';
export { anonymizeVerified, residualFindings } from './verified.js';
