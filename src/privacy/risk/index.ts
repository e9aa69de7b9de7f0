export { classKey, columnIndices, equivalenceClasses, measureRisk } from './measure.js';
export type { RiskReport } from './measure.js';
export { enforceKAnonymity, inferKind, SUPPRESSED } from './k-anonymity.js';
export type { KAnonymityOptions, KAnonymityResult, QuasiKind } from './k-anonymity.js';
export { kAnonymityFromPolicy } from './policy.js';
