import { z } from 'zod';
import { VeilError } from '../../errors/veil-error.js';
import { TRIGGERS } from '../scan/triggers.js';
import type { Recognizer } from '../types.js';
import { patternRecognizer } from './pattern.js';

/**
 * A custom recognizer written as data, so a policy file (YAML/JSON) can declare it:
 *
 * ```yaml
 * name: employee-id
 * entity: EMPLOYEE_ID
 * patterns: [{ regex: 'EMP-\d{6}', score: 0.6 }]
 * validator: luhn          # optional, a registered validator's name
 * context: [employee, staff]
 * ```
 */
export const customRecognizerSchema = z
  .object({
    name: z.string().min(1).max(64),
    entity: z.string().regex(/^[A-Z][A-Z0-9_]{1,63}$/, 'an upper-case entity name such as EMPLOYEE_ID'),
    patterns: z
      .array(
        z
          .object({
            regex: z.string().min(1).max(512),
            flags: z
              .string()
              .regex(/^[imsu]*$/, 'only the flags i, m, s and u')
              .optional(),
            score: z.number().min(0).max(1),
          })
          .strict(),
      )
      .min(1)
      .max(16),
    validator: z.string().optional(),
    validatedScore: z.number().min(0).max(1).optional(),
    context: z.array(z.string().min(1).max(64)).max(64).optional(),
    negativeContext: z.array(z.string().min(1).max(64)).max(64).optional(),
  })
  .strict();

export type CustomRecognizerDefinition = z.input<typeof customRecognizerSchema>;

/**
 * A nested quantifier such as `(a+)+` or `(\w*)*` can backtrack exponentially. Custom patterns
 * come from configuration, so they are refused rather than trusted.
 */
const NESTED_QUANTIFIER = /\((?:[^()\\]|\\.)*[+*}](?:[^()\\]|\\.)*\)\s*[+*{]/;

/**
 * Compiles a data-defined recognizer after validating it.
 *
 * @example
 * ```ts
 * const r = customRecognizer({ name: 'emp', entity: 'EMPLOYEE_ID', patterns: [{ regex: 'EMP-\\d{6}', score: 0.7 }] });
 * ```
 */
export function customRecognizer(definition: CustomRecognizerDefinition): Recognizer {
  const parsed = customRecognizerSchema.safeParse(definition);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue ? ['recognizer', ...issue.path].join('.') : 'recognizer';
    throw new VeilError('VEIL_INVALID_RECOGNIZER', `${path}: ${issue?.message ?? 'invalid'}`);
  }
  const spec = parsed.data;
  const patterns = spec.patterns.map((pattern, index) => {
    if (NESTED_QUANTIFIER.test(pattern.regex))
      throw new VeilError(
        'VEIL_INVALID_RECOGNIZER',
        `recognizer ${spec.name}: patterns.${index}.regex has a nested quantifier (catastrophic backtracking)`,
      );
    try {
      return { regex: new RegExp(pattern.regex, `${pattern.flags ?? ''}u`), score: pattern.score };
    } catch (cause) {
      throw new VeilError(
        'VEIL_INVALID_RECOGNIZER',
        `recognizer ${spec.name}: patterns.${index}.regex is not a valid regular expression`,
        { cause },
      );
    }
  });
  return patternRecognizer({
    name: spec.name,
    entity: spec.entity,
    patterns,
    ...(spec.validator !== undefined ? { validator: spec.validator } : {}),
    ...(spec.validatedScore !== undefined ? { validatedScore: spec.validatedScore } : {}),
    context: spec.context ?? [],
    negativeContext: spec.negativeContext ?? [],
    trigger: TRIGGERS.all,
  });
}
