/**
 * The policy's `k_anonymity` as options for {@link enforceKAnonymity}: with a bare number, the
 * quasi-identifiers are the columns the policy already treats as such (a `generalize` operator,
 * or the types AGE, ZIP_CODE, DATE_TIME).
 */
import { VeilError } from '../../errors/veil-error.js';
import type { Policy } from '../../policy/schema.js';
import type { KAnonymityOptions } from './k-anonymity.js';

const QUASI_TYPES = new Set(['AGE', 'ZIP_CODE', 'US_ZIP_CODE', 'DATE_TIME', 'DATE_OF_BIRTH']);

/**
 * The k-anonymity options of a policy, or undefined when it requires none.
 *
 * @throws VeilError `VEIL_INVALID_OPTION` when k is required but no quasi-identifier column is named or implied.
 *
 * @example
 * ```ts
 * kAnonymityFromPolicy({ ...policy, k_anonymity: 5, fields: { age: { type: 'AGE', operator: { operator: 'generalize' } } } });
 * // { k: 5, quasi: ['age'] }
 * ```
 */
export function kAnonymityFromPolicy(policy: Policy): KAnonymityOptions | undefined {
  const setting = policy.k_anonymity;
  if (setting === undefined) return undefined;
  const spec = typeof setting === 'number' ? { k: setting } : setting;
  const quasi =
    'quasi' in spec && spec.quasi !== undefined
      ? spec.quasi
      : Object.entries(policy.fields ?? {})
          .filter(
            ([, rule]) =>
              typeof rule === 'object' &&
              (rule.operator?.operator === 'generalize' || QUASI_TYPES.has(rule.type)),
          )
          .map(([column]) => column);
  if (quasi.length === 0)
    throw new VeilError(
      'VEIL_INVALID_OPTION',
      'policy: k_anonymity needs quasi-identifier columns: list them in k_anonymity.quasi, or give fields a generalize operator',
    );
  return {
    k: spec.k,
    quasi,
    ...('max_suppression' in spec && spec.max_suppression !== undefined
      ? { maxSuppression: spec.max_suppression }
      : {}),
  };
}
