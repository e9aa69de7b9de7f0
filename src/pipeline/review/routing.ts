/**
 * Which extracted fields a person should look at, and what the job returns for them. Pure
 * functions of the field specs, the extraction result and the review threshold.
 */
import {
  failedValueTest,
  type FieldResult,
  type FieldSpec,
  type FieldsResult,
  type FieldStatus,
} from '../../ai/fields/spec.js';

/** Why a field goes to review: its confidence, a failed test of its value, or its spec says always. */
export type ReviewReason = 'low_confidence' | 'failed_check' | 'always';

/**
 * Why `result` needs a person, or null when it does not: `review: never` and missing fields never
 * do; `review: always` always does; otherwise a failed test of the value (a format, a check digit:
 * `failedValueTest`; failed evidence such as a missing label is already in the confidence) or a
 * confidence below the spec's `review_below` (else `below`, the tenant policy's or the default
 * threshold).
 *
 * @example
 * ```ts
 * reviewReasonOf({ name: 'total', type: 'money' }, { confidence: 0.6, checks: [], value: …, … }, 0.85); // 'low_confidence'
 * ```
 */
export function reviewReasonOf(spec: FieldSpec, result: FieldResult, below: number): ReviewReason | null {
  if (spec.review === 'never' || result.value === null) return null;
  if (spec.review === 'always') return 'always';
  if (failedValueTest(result.checks)) return 'failed_check';
  return result.confidence < (spec.review_below ?? below) ? 'low_confidence' : null;
}

/**
 * The fields to review, in spec order, with their reasons.
 *
 * @example
 * ```ts
 * fieldsToReview(specs, result, 0.85); // [{ spec: { name: 'date', … }, reason: 'low_confidence' }]
 * ```
 */
export function fieldsToReview(
  specs: readonly FieldSpec[],
  result: FieldsResult,
  below: number,
): Array<{ readonly spec: FieldSpec; readonly reason: ReviewReason }> {
  const routed: Array<{ spec: FieldSpec; reason: ReviewReason }> = [];
  for (const spec of specs) {
    const field = result.fields[spec.name];
    const reason = field === undefined ? null : reviewReasonOf(spec, field, below);
    if (reason !== null) routed.push({ spec, reason });
  }
  return routed;
}

/**
 * The result with the given fields set to `status` (`needs_review` while a person looks at them,
 * `unverified` when no person may), every other field as extracted.
 *
 * @example
 * ```ts
 * withStatus(result, ['date'], 'unverified').fields.date.status; // 'unverified'
 * ```
 */
export function withStatus(
  result: FieldsResult,
  names: readonly string[],
  status: FieldStatus,
): FieldsResult {
  const fields: Record<string, FieldResult> = { ...result.fields };
  for (const name of names) {
    const field = fields[name];
    if (field !== undefined) fields[name] = { ...field, status };
  }
  return { template: result.template, fields };
}
