/**
 * Which retention class each artifact a job stores belongs to. Envelope classes are the
 * pipeline's (`original`, `findings`, …); retention classes are the policy's (`original`,
 * `extracted_text`, …). One table, so the sweeper, the job's retention block and the steps agree.
 */
import type { RetentionClass } from '../../policy/index.js';

/**
 * Retention class → the envelope classes it holds. Findings are spans into the original (no
 * values), useless without it, so they go with it. The manifest (the request and the policy, no
 * content) belongs to no class: it is kept until the job's last class goes.
 */
export const ARTIFACT_CLASSES_OF: Readonly<Partial<Record<RetentionClass, readonly string[]>>> = {
  original: ['original', 'findings'],
  extracted_text: ['parsed', 'review-source'],
  redacted: ['redacted'],
  fields: ['fields', 'text'],
  review_crops: ['review-crop'],
  regression_cases: ['regression-case'],
  model_exchanges: ['model-exchanges'],
  error_dumps: ['error-dumps'],
};

/**
 * The retention class of an envelope class, or undefined for the manifest and classes no
 * policy class names (they are kept with the manifest, to the job's last deadline).
 *
 * @example
 * ```ts
 * retentionClassOf('findings'); // 'original'
 * ```
 */
export function retentionClassOf(artifactClass: string): RetentionClass | undefined {
  for (const [cls, members] of Object.entries(ARTIFACT_CLASSES_OF))
    if (members.includes(artifactClass)) return cls as RetentionClass;
  return undefined;
}

/**
 * The retention classes a job will have, from the outputs it asked for: the original and its
 * extracted text always, then one class per stored output, and its model exchanges when it asks
 * a model (`options.model`).
 *
 * @example
 * ```ts
 * jobRetentionClasses(['findings_summary', 'redacted']); // ['original', 'extracted_text', 'redacted']
 * ```
 */
export function jobRetentionClasses(
  outputs: readonly string[],
  options: { readonly model?: boolean } = {},
): RetentionClass[] {
  const classes: RetentionClass[] = ['original', 'extracted_text'];
  if (outputs.includes('redacted')) classes.push('redacted');
  if (outputs.includes('fields') || outputs.includes('text')) classes.push('fields');
  if (options.model === true) classes.push('model_exchanges');
  return classes;
}
