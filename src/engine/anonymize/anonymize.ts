import { VeilError } from '../../errors/veil-error.js';
import type { Finding } from '../types.js';
import { OPERATORS } from './operators/index.js';
import { TagScope } from './tag-scope.js';
import type {
  AnonymizationPlan,
  AnonymizeContext,
  AnonymizedItem,
  AnonymizeResult,
  Operator,
  OperatorConfig,
  OperatorEnv,
  OperatorOutput,
} from './types.js';

const DEFAULT_TENANT = 'default';
const DEFAULT_SCOPE = 'default';

// A plan is usually built once and used for many texts, so it is validated once.
const validatedPlans = new WeakSet<AnonymizationPlan>();

function operatorOf(config: OperatorConfig): Operator {
  return OPERATORS[config.operator] as Operator;
}

function checkConfig(config: unknown, path: string): void {
  if (typeof config !== 'object' || config === null)
    throw new VeilError('VEIL_INVALID_OPTION', `${path}: expected an operator config object`);
  const name = (config as { operator?: unknown }).operator;
  if (typeof name !== 'string' || !Object.hasOwn(OPERATORS, name))
    throw new VeilError(
      'VEIL_INVALID_OPTION',
      `${path}.operator: expected one of ${Object.keys(OPERATORS).join(', ')}`,
    );
  operatorOf(config as OperatorConfig).validate(config as OperatorConfig, path);
}

/**
 * Checks every operator config of a plan, throwing VEIL_INVALID_OPTION with the config's path.
 *
 * @example
 * ```ts
 * validatePlan({ default: { operator: 'mask', char: '**' } }); // throws: plan.default.char: expected exactly one character
 * ```
 */
export function validatePlan(plan: AnonymizationPlan): void {
  if (validatedPlans.has(plan)) return;
  if (typeof plan !== 'object' || plan === null)
    throw new VeilError('VEIL_INVALID_OPTION', 'plan: expected an object with a `default` operator');
  checkConfig(plan.default, 'plan.default');
  for (const [type, config] of Object.entries(plan.operators ?? {}))
    checkConfig(config, `plan.operators.${type}`);
  validatedPlans.add(plan);
}

/**
 * The operator config that applies to an entity type under a plan.
 *
 * @example
 * ```ts
 * configFor({ default: { operator: 'redact' }, operators: { AGE: { operator: 'keep' } } }, 'AGE'); // { operator: 'keep' }
 * ```
 */
export function configFor(plan: AnonymizationPlan, type: string): OperatorConfig {
  const own = plan.operators && Object.hasOwn(plan.operators, type) ? plan.operators[type] : undefined;
  return own ?? plan.default;
}

interface Span {
  readonly type: string;
  readonly start: number;
  readonly end: number;
}

/** Sorted copies of the spans, after checking they are whole, inside the text and disjoint. */
function checkedSpans<T extends Span>(spans: readonly T[], length: number, what: string): T[] {
  if (!Array.isArray(spans)) throw new VeilError('VEIL_INVALID_INPUT', `${what}: expected an array`);
  const sorted = [...spans].sort((a, b) => a.start - b.start || a.end - b.end);
  let previousEnd = 0;
  sorted.forEach((s, i) => {
    if (
      typeof s?.type !== 'string' ||
      !Number.isInteger(s.start) ||
      !Number.isInteger(s.end) ||
      s.start < 0 ||
      s.end < s.start ||
      s.end > length
    )
      throw new VeilError(
        'VEIL_INVALID_INPUT',
        `${what}[${i}]: expected a type and whole offsets with 0 <= start <= end <= ${length}`,
      );
    if (s.start < previousEnd)
      throw new VeilError(
        'VEIL_INVALID_INPUT',
        `${what}: spans overlap at offset ${s.start}; resolve overlaps first (analyze does)`,
      );
    previousEnd = s.end;
  });
  return sorted;
}

function baseEnv(context: AnonymizeContext): Omit<OperatorEnv, 'type'> {
  return {
    keys: context.keys,
    vault: context.vault,
    tenant: context.tenant ?? DEFAULT_TENANT,
    scope: context.scope ?? DEFAULT_SCOPE,
    subject: context.subject,
    tags: context.tags ?? new TagScope(),
  };
}

function checkNeeds(operator: Operator, context: AnonymizeContext, what: string): void {
  for (const need of operator.needs)
    if (context[need] === undefined)
      throw new VeilError(
        'VEIL_INVALID_OPTION',
        `${what}: the ${operator.name} operator needs \`${need}\` in the context`,
      );
}

/**
 * Applies a plan's operators to the findings of a text. Returns the new text and one item per
 * finding, with offsets into the new text. Findings may come in any order but must not overlap
 * (`analyze` already resolves overlaps). Keyed operators take their keys, vault, tenant, scope
 * and subject from `context`; the engine does no I/O of its own.
 *
 * @example
 * ```ts
 * const text = 'Ann Lee called Bob, then Ann Lee again';
 * const findings = [
 *   { type: 'PERSON', start: 0, end: 7, score: 1, recognizer: 'x' },
 *   { type: 'PERSON', start: 15, end: 18, score: 1, recognizer: 'x' },
 *   { type: 'PERSON', start: 25, end: 32, score: 1, recognizer: 'x' },
 * ];
 * const { text: out } = await anonymize(text, findings, { default: { operator: 'replace' } });
 * // '<PERSON_1> called <PERSON_2>, then <PERSON_1> again'
 * ```
 */
export async function anonymize(
  text: string,
  findings: readonly Finding[],
  plan: AnonymizationPlan,
  context: AnonymizeContext = {},
): Promise<AnonymizeResult> {
  if (typeof text !== 'string')
    throw new VeilError('VEIL_INVALID_INPUT', 'anonymize: `text` must be a string');
  validatePlan(plan);
  const spans = checkedSpans(findings, text.length, 'anonymize: findings');
  const configs = spans.map((f) => configFor(plan, f.type));
  for (const config of new Set(configs)) checkNeeds(operatorOf(config), context, 'anonymize');

  const base = baseEnv(context);
  const parts: string[] = [];
  const items: AnonymizedItem[] = [];
  let cursor = 0;
  let length = 0;
  for (let i = 0; i < spans.length; i += 1) {
    const span = spans[i]!;
    const config = configs[i]!;
    const before = text.slice(cursor, span.start);
    parts.push(before);
    length += before.length;
    const produced = operatorOf(config).apply(text.slice(span.start, span.end), config, {
      ...base,
      type: span.type,
    });
    const result: string | OperatorOutput = typeof produced === 'string' ? produced : await produced;
    const output: OperatorOutput = typeof result === 'string' ? { text: result } : result;
    parts.push(output.text);
    const item: AnonymizedItem = {
      type: span.type,
      start: length,
      end: length + output.text.length,
      operator: output.operator ?? config.operator,
    };
    items.push(output.format === undefined ? item : { ...item, format: output.format });
    length += output.text.length;
    cursor = span.end;
  }
  parts.push(text.slice(cursor));
  return { text: parts.join(''), items };
}

export interface DeanonymizeResult {
  readonly text: string;
  /** The items turned back into their values, with offsets into the new text. */
  readonly restored: readonly AnonymizedItem[];
  /** The items that stay anonymised (not reversible), with offsets into the new text. */
  readonly items: readonly AnonymizedItem[];
}

/**
 * Reverses the reversible items of an `anonymize` result (encrypt, tokenize, fpe, date_shift)
 * exactly, for a caller holding the same keys, vault, tenant, scope and subject. Items of other
 * operators stay as they are. To reveal less, pass only the items to reveal.
 *
 * @example
 * ```ts
 * const done = await anonymize(text, findings, plan, { keys });
 * (await deanonymize(done.text, done.items, plan, { keys })).text === text; // true when every operator is reversible
 * ```
 */
export async function deanonymize(
  text: string,
  items: readonly AnonymizedItem[],
  plan: AnonymizationPlan,
  context: AnonymizeContext = {},
): Promise<DeanonymizeResult> {
  if (typeof text !== 'string')
    throw new VeilError('VEIL_INVALID_INPUT', 'deanonymize: `text` must be a string');
  validatePlan(plan);
  const spans = checkedSpans(items, text.length, 'deanonymize: items');
  for (const [i, item] of spans.entries())
    if (!Object.hasOwn(OPERATORS, item.operator))
      throw new VeilError('VEIL_INVALID_INPUT', `deanonymize: items[${i}].operator is not a known operator`);
  for (const name of new Set(spans.map((s) => s.operator)))
    if (OPERATORS[name].reverse) checkNeeds(OPERATORS[name] as Operator, context, 'deanonymize');

  const base = baseEnv(context);
  const parts: string[] = [];
  const restored: AnonymizedItem[] = [];
  const kept: AnonymizedItem[] = [];
  let cursor = 0;
  let length = 0;
  for (const item of spans) {
    const before = text.slice(cursor, item.start);
    parts.push(before);
    length += before.length;
    const operator = OPERATORS[item.operator] as Operator;
    const value = text.slice(item.start, item.end);
    const planned = configFor(plan, item.type);
    const original = operator.reverse
      ? await operator.reverse(
          value,
          planned.operator === item.operator ? planned : undefined,
          { ...base, type: item.type },
          item,
        )
      : value;
    parts.push(original);
    (operator.reverse ? restored : kept).push({ ...item, start: length, end: length + original.length });
    length += original.length;
    cursor = item.end;
  }
  parts.push(text.slice(cursor));
  return { text: parts.join(''), restored, items: kept };
}
