/**
 * One redaction path for text, CSV and JSON: `veil redact` and a job's anonymise step both call
 * {@link redactInput}, so a policy's `fields:` rules (per CSV column and JSON path), its
 * `other_fields` and its k-anonymity settings apply the same way wherever a document is redacted.
 */
import type { Readable, Writable } from 'node:stream';
import { createAnalyzer, MAX_TEXT_LENGTH } from '../engine/analyze.js';
import { OPERATORS } from '../engine/anonymize/operators/index.js';
import type { AnonymizationPlan, AnonymizeContext, OperatorConfig } from '../engine/anonymize/types.js';
import { anonymizeVerified } from '../engine/anonymize/verified.js';
import { VeilError } from '../errors/veil-error.js';
import { analyzeOptionsFromPolicy, structuredRulesFromPolicy } from '../policy/plan.js';
import type { Policy } from '../policy/schema.js';
import { kAnonymityFromPolicy } from '../privacy/risk/policy.js';
import { anonymizeCsv } from './structured/csv.js';
import { anonymizeJsonDocument } from './structured/json.js';
import type { InputFormat } from './input-formats.js';

/** What an operator needs from the context beyond the plan. */
export type OperatorNeed = (typeof OPERATORS)[keyof typeof OPERATORS]['needs'][number];

/**
 * Every operator a policy can apply: the plan's default and per-type operators, and the
 * operators of its `fields:` rules.
 */
function operatorsOf(policy: Policy, plan: AnonymizationPlan): OperatorConfig[] {
  return [
    plan.default,
    ...Object.values(plan.operators ?? {}),
    ...Object.values(structuredRulesFromPolicy(policy).fields).flatMap((rule) =>
      typeof rule === 'object' && rule.operator !== undefined ? [rule.operator] : [],
    ),
  ];
}

/**
 * What the operators of a policy need in the context (`keys`, `vault`), read from each
 * operator's own `needs`, so a new keyed operator needs no list updated elsewhere.
 *
 * @example
 * ```ts
 * operatorNeeds(policy, planFromPolicy(policy)).has('keys'); // true when any operator hashes, encrypts, shifts dates...
 * ```
 */
export function operatorNeeds(policy: Policy, plan: AnonymizationPlan): ReadonlySet<OperatorNeed> {
  return new Set(operatorsOf(policy, plan).flatMap((config) => [...OPERATORS[config.operator].needs]));
}

/** {@link redactInput}'s policy, plan and keys. */
export interface RedactInputOptions {
  readonly policy: Policy;
  readonly plan: AnonymizationPlan;
  readonly context: AnonymizeContext;
}

/**
 * Redacts one input by a policy and writes the result to `output`; returns the counts by entity
 * type. Text is verified (the output is analysed again and anything left is anonymised or
 * refused); CSV and JSON are redacted per field by the policy's `fields:` rules, the other
 * fields by `other_fields`.
 *
 * @example
 * ```ts
 * const counts = await redactInput('csv', createReadStream('people.csv'), out, { policy, plan, context });
 * ```
 */
export async function redactInput(
  format: InputFormat,
  input: Readable,
  output: Writable,
  options: RedactInputOptions,
): Promise<Record<string, number>> {
  const { policy, plan, context } = options;
  const analyze = createAnalyzer(analyzeOptionsFromPolicy(policy));
  const rules = structuredRulesFromPolicy(policy);
  if (format === 'csv') {
    const kAnonymity = kAnonymityFromPolicy(policy);
    const summary = await anonymizeCsv(input, output, {
      plan,
      context,
      analyze,
      rules,
      ...(kAnonymity === undefined ? {} : { kAnonymity }),
    });
    return { ...summary.byType };
  }
  if (format === 'json')
    return { ...(await anonymizeJsonDocument(input, output, { plan, context, analyze, rules })).byType };
  let text = '';
  input.setEncoding('utf8');
  for await (const chunk of input) {
    text += chunk as string;
    if (text.length > MAX_TEXT_LENGTH)
      throw new VeilError('VEIL_INPUT_TOO_LARGE', `redact: text longer than ${MAX_TEXT_LENGTH} characters`);
  }
  const done = await anonymizeVerified(text, analyze, plan, context);
  await new Promise<void>((resolve, reject) => {
    output.on('error', reject);
    output.end(done.text, () => resolve());
  });
  const counts: Record<string, number> = {};
  for (const item of done.items) counts[item.type] = (counts[item.type] ?? 0) + 1;
  return counts;
}
