import { VeilError } from '../../../errors/veil-error.js';
import type { Finding } from '../../types.js';
import { anonymize } from '../anonymize.js';
import { TagScope } from '../tag-scope.js';
import { anonymizeVerified } from '../verified.js';
import type { AnonymizationPlan, AnonymizeContext, AnonymizedItem, OperatorConfig } from '../types.js';

/**
 * How one CSV column or JSON path is treated: `detect` runs detection inside the text (for free
 * text such as notes), `keep` leaves it, and a type treats the whole value as one entity of that
 * type, anonymised by the plan's operator for the type or by the rule's own.
 */
export type FieldRule = 'detect' | 'keep' | { readonly type: string; readonly operator?: OperatorConfig };

export interface StructuredRules {
  /** Rules by CSV column name or JSONPath. */
  readonly fields: Readonly<Record<string, FieldRule>>;
  /** Fields no rule names: detected (the default, so nothing slips through unnoticed) or kept. */
  readonly others?: 'detect' | 'keep';
}

export interface StructuredOptions {
  readonly plan: AnonymizationPlan;
  readonly rules: StructuredRules;
  readonly context?: AnonymizeContext;
  /** Detection for `detect` fields, such as `createAnalyzer(options)`. */
  readonly analyze?: (text: string) => Finding[];
}

/** Anonymises one field value by its rule; shared by the CSV and JSON paths. */
export type FieldAnonymizer = (
  value: string,
  rule: FieldRule,
) => Promise<{ text: string; items: readonly AnonymizedItem[] }>;

/**
 * A field anonymiser for one document (or one CSV stream): tags are numbered across all its
 * fields, so the same name in two columns gets the same tag.
 *
 * @example
 * ```ts
 * const field = createFieldAnonymizer({ plan, rules, analyze: createAnalyzer() });
 * await field('Ann Lee', { type: 'PERSON' }); // { text: '<PERSON_1>', items: [...] }
 * ```
 */
export function createFieldAnonymizer(options: StructuredOptions): FieldAnonymizer {
  const context: AnonymizeContext = { ...options.context, tags: options.context?.tags ?? new TagScope() };
  const needsDetection =
    options.rules.others !== 'keep' || Object.values(options.rules.fields).includes('detect');
  if (needsDetection && options.analyze === undefined)
    throw new VeilError(
      'VEIL_INVALID_OPTION',
      'structured: fields are set to detect but no `analyze` function was given',
    );
  const plans = new Map<FieldRule, AnonymizationPlan>();
  const planFor = (rule: {
    readonly type: string;
    readonly operator?: OperatorConfig;
  }): AnonymizationPlan => {
    let plan = plans.get(rule);
    if (!plan) {
      plan = rule.operator === undefined ? options.plan : { default: rule.operator };
      plans.set(rule, plan);
    }
    return plan;
  };
  return async (value, rule) => {
    if (rule === 'keep' || value.length === 0) return { text: value, items: [] };
    // Free text is analysed again after anonymising; anything left is anonymised or refused.
    if (rule === 'detect') return anonymizeVerified(value, options.analyze!, options.plan, context);
    return anonymize(
      value,
      [{ type: rule.type, start: 0, end: value.length, score: 1, recognizer: 'field-rule' }],
      planFor(rule),
      context,
    );
  };
}
