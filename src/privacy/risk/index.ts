export { classKey, columnIndices, equivalenceClasses, measureRisk } from './measure.js';
export type { RiskReport } from './measure.js';
export { enforceKAnonymity, inferKind, SUPPRESSED } from './k-anonymity.js';
export type { KAnonymityOptions, KAnonymityResult, QuasiKind } from './k-anonymity.js';
export { kAnonymityFromPolicy } from './policy.js';
export {
  DEFAULT_OUTPUT_K_TARGET,
  outputClassHmac,
  outputReleased,
  outputRiskFigures,
  QUASI_IDENTIFIER_TYPES,
  insertOutputClass,
  recordOutputClass,
  releasedInFields,
  releasedInRedacted,
  releasedInText,
  releasedOutputKs,
  RISK_OUTPUT_KINDS,
} from './outputs.js';
export type {
  FieldsForRisk,
  OutputRisk,
  OutputRiskFigures,
  ReleasedValue,
  RiskOutputKind,
  ValuedFinding,
} from './outputs.js';
