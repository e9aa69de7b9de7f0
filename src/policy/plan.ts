import type { AnalyzeOptions } from '../engine/analyze.js';
import type { AnonymizationPlan, OperatorConfig } from '../engine/anonymize/types.js';
import type { FieldRule, StructuredRules } from '../engine/anonymize/structured/rules.js';
import type { Policy, PolicyFieldRule, PolicyOperator } from './schema.js';

/**
 * The engine's operator config for a policy operator (snake_case settings to camelCase).
 *
 * @example
 * ```ts
 * operatorFromPolicy({ operator: 'mask', keep_last: 4 }); // { operator: 'mask', keepLast: 4 }
 * ```
 */
export function operatorFromPolicy(op: PolicyOperator): OperatorConfig {
  switch (op.operator) {
    case 'replace':
      return op.value === undefined ? { operator: 'replace' } : { operator: 'replace', value: op.value };
    case 'mask':
      return strip({
        operator: 'mask',
        char: op.char,
        count: op.count,
        fromEnd: op.from_end,
        keepLast: op.keep_last,
        keepSeparators: op.keep_separators,
      });
    case 'fpe':
      return strip({ operator: 'fpe', checksum: op.checksum });
    case 'date_shift':
      return strip({ operator: 'date_shift', maxDays: op.max_days, order: op.order });
    case 'generalize':
      return strip({ operator: 'generalize', kind: op.kind, bandWidth: op.band_width, topAge: op.top_age });
    default:
      return { operator: op.operator };
  }
}

function strip<T extends object>(config: T): T {
  return Object.fromEntries(Object.entries(config).filter(([, v]) => v !== undefined)) as T;
}

/**
 * The anonymisation plan a policy describes.
 *
 * @example
 * ```ts
 * planFromPolicy(policy).operators?.US_SSN; // { operator: 'mask', keepLast: 4 }
 * ```
 */
export function planFromPolicy(policy: Policy): AnonymizationPlan {
  const { default: fallback, ...byType } = policy.operators;
  return {
    default: operatorFromPolicy(fallback),
    operators: Object.fromEntries(Object.entries(byType).map(([type, op]) => [type, operatorFromPolicy(op)])),
  };
}

/**
 * The detection options a policy describes (threshold, entities, allow and deny lists, custom recognizers).
 *
 * @example
 * ```ts
 * createAnalyzer(analyzeOptionsFromPolicy(policy));
 * ```
 */
export function analyzeOptionsFromPolicy(policy: Policy): AnalyzeOptions {
  const deny = policy.deny ?? [];
  const strings = deny.filter((d): d is string => typeof d === 'string');
  const typed = deny.filter((d): d is { type: string; values: string[] } => typeof d !== 'string');
  return {
    ...(policy.threshold !== undefined ? { threshold: policy.threshold } : {}),
    ...(policy.entities !== undefined ? { entities: policy.entities } : {}),
    ...(policy.allow !== undefined ? { allowList: policy.allow } : {}),
    ...(deny.length > 0
      ? { denyList: [...typed, ...(strings.length > 0 ? [{ type: 'DENY_LIST', values: strings }] : [])] }
      : {}),
    ...(policy.recognizers !== undefined ? { recognizers: policy.recognizers } : {}),
  };
}

function ruleFromPolicy(rule: PolicyFieldRule): FieldRule {
  if (typeof rule === 'string') return rule;
  return rule.operator === undefined
    ? { type: rule.type }
    : { type: rule.type, operator: operatorFromPolicy(rule.operator) };
}

/**
 * The per-field rules for CSV columns and JSON paths a policy describes.
 *
 * @example
 * ```ts
 * structuredRulesFromPolicy(policy).fields['$.patient.name']; // { type: 'PERSON' }
 * ```
 */
export function structuredRulesFromPolicy(policy: Policy): StructuredRules {
  return {
    fields: Object.fromEntries(
      Object.entries(policy.fields ?? {}).map(([path, rule]) => [path, ruleFromPolicy(rule)]),
    ),
    others: policy.other_fields ?? 'detect',
  };
}
