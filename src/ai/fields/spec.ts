import { z } from 'zod';
import { DEFAULT_REVIEW_THRESHOLD } from '../../policy/review.js';

/**
 * Field specifications: what a caller asks to be extracted from a document, as data. A template
 * (`policies/templates/*.yaml`) is a named, versioned list of them; a job or the CLI may also pass
 * the list directly. Every object is strict, so a misspelt key is an error, not a silent default.
 */

/** The value types a field can have; each has a parser, a normaliser and validators (see `types/`). */
export const FIELD_TYPES = [
  'string',
  'name',
  'address',
  'date',
  'datetime',
  'money',
  'number',
  'integer',
  'email',
  'phone',
  'iban',
  'card_number',
  'national_id',
  'enum',
  'boolean',
] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

/**
 * The classification map: what a value is, for the response, the review queue and retention.
 * `direct` identifies a person alone, `quasi` does in combination, `financial` and `health` are
 * special categories, `none` is not personal data (a shop's total).
 */
export const SENSITIVITIES = ['direct', 'quasi', 'financial', 'health', 'none'] as const;
export type Sensitivity = (typeof SENSITIVITIES)[number];

/** The sensitivity of a field whose spec names none: the class its type nearly always has. */
export const DEFAULT_SENSITIVITY: Readonly<Record<FieldType, Sensitivity>> = {
  string: 'quasi',
  name: 'direct',
  address: 'quasi',
  date: 'quasi',
  datetime: 'quasi',
  money: 'financial',
  number: 'none',
  integer: 'none',
  email: 'direct',
  phone: 'direct',
  iban: 'financial',
  card_number: 'financial',
  national_id: 'direct',
  enum: 'none',
  boolean: 'none',
};

/**
 * The confidence below which a field goes to review when neither its spec nor the tenant's policy
 * (`review.below`) names a threshold: the policy layer's default, so the CLI, the job and the
 * review queue agree.
 */
export const DEFAULT_REVIEW_BELOW = DEFAULT_REVIEW_THRESHOLD;

const FIELD_NAME = /^[a-z][a-z0-9_]{0,63}$/;
const ENTITY = /^[A-Z][A-Z0-9_]{0,63}$/;

const label = z
  .string({ error: 'expected a string' })
  .min(1, { error: 'expected a non-empty string' })
  .max(100, { error: 'expected at most 100 characters' });
const labels = z.union([label, z.array(label, { error: 'expected a string or a list of strings' }).max(50)], {
  error: 'expected a string or a list of strings',
});

export const fieldSpecSchema = z
  .object({
    name: z
      .string({ error: 'expected a string' })
      .regex(FIELD_NAME, { error: 'expected a lower-case name such as total or date_of_birth' }),
    type: z.enum(FIELD_TYPES, { error: `expected a type: one of ${FIELD_TYPES.join(', ')}` }),
    required: z.boolean({ error: 'expected true or false' }).optional(),
    /** Labels printed next to the value ("Total", "Amount due"). */
    hint: labels.optional(),
    /** Labels that disqualify a line although a hint matches ("Sub total" for a total). */
    not: labels.optional(),
    /** Words a value of this field tends to contain ("SDN BHD" in a company name). */
    expect: labels.optional(),
    /** Where on the page the value usually is, when no label names it (a shop's name on top). */
    position: z.enum(['top', 'bottom', 'any'], { error: 'expected top, bottom or any' }).optional(),
    review_below: z
      .number({ error: 'expected a number' })
      .min(0, { error: 'expected a number from 0 to 1' })
      .max(1, { error: 'expected a number from 0 to 1' })
      .optional(),
    /** `always` sends the field to review whatever its confidence; `never` accepts it whatever it is. */
    review: z.enum(['always', 'never'], { error: 'expected always or never' }).optional(),
    sensitivity: z
      .enum(SENSITIVITIES, { error: `expected a sensitivity: one of ${SENSITIVITIES.join(', ')}` })
      .optional(),
    /** The allowed values of an `enum` field. */
    values: z
      .array(label, { error: 'expected a list of strings' })
      .min(1, { error: 'expected at least one value' })
      .max(200)
      .optional(),
    /** The entity type of a `national_id` field (`US_SSN`, `UK_NINO`), checked by the engine's recognizer. */
    entity: z
      .string({ error: 'expected a string' })
      .regex(ENTITY, { error: 'expected an upper-case entity name such as US_SSN' })
      .optional(),
    /** The order of ambiguous numeric dates (`03/04/2024`): day first (default), month first or year first. */
    order: z.enum(['dmy', 'mdy', 'ymd'], { error: 'expected dmy, mdy or ymd' }).optional(),
    /** The region of phone numbers written without a country code (ISO 3166 alpha-2, `GB`, `MY`). */
    country: z
      .string({ error: 'expected a string' })
      .regex(/^[A-Z]{2}$/, { error: 'expected a two-letter country code such as GB' })
      .optional(),
  })
  .strict()
  .superRefine((spec, ctx) => {
    if (spec.type === 'enum' && !spec.values)
      ctx.addIssue({ code: 'custom', path: ['values'], message: 'is required for an enum field' });
    if (spec.type !== 'enum' && spec.values)
      ctx.addIssue({ code: 'custom', path: ['values'], message: 'is only allowed on an enum field' });
    if (spec.type !== 'national_id' && spec.entity)
      ctx.addIssue({ code: 'custom', path: ['entity'], message: 'is only allowed on a national_id field' });
    if (spec.order && spec.type !== 'date' && spec.type !== 'datetime')
      ctx.addIssue({
        code: 'custom',
        path: ['order'],
        message: 'is only allowed on a date or datetime field',
      });
  });

/** One requested field, as written by the caller. */
export type FieldSpecInput = z.input<typeof fieldSpecSchema>;
/** One requested field, validated. */
export type FieldSpec = z.output<typeof fieldSpecSchema>;

/** A list of field specs with unique names. */
export const fieldListSchema = z
  .array(fieldSpecSchema, { error: 'expected a list of fields' })
  .min(1, { error: 'expected at least one field' })
  .max(100, { error: 'expected at most 100 fields' })
  .superRefine((fields, ctx) => {
    const seen = new Set<string>();
    fields.forEach((field, i) => {
      if (seen.has(field.name))
        ctx.addIssue({ code: 'custom', path: [i, 'name'], message: 'is used by another field' });
      seen.add(field.name);
    });
  });

export const templateSchema = z
  .object({
    name: z
      .string({ error: 'expected a string' })
      .regex(/^[a-z][a-z0-9_-]{0,63}$/, { error: 'expected a lower-case name such as receipt' }),
    version: z
      .number({ error: 'expected a number' })
      .int({ error: 'expected a whole number' })
      .min(1, { error: 'expected a number of at least 1' }),
    description: z.string({ error: 'expected a string' }).max(1000).optional(),
    fields: fieldListSchema,
  })
  .strict();

/** A template as written in YAML, validated. */
export type TemplateDefinition = z.output<typeof templateSchema>;

/** A loaded template: its definition and the hash a job records (see `templateHash`). */
export interface Template extends TemplateDefinition {
  readonly hash: string;
}

/** The outcome of one check on a field's value (its format, a check digit, a label nearby). */
export interface FieldCheck {
  readonly name: string;
  readonly passed: boolean;
}

/**
 * Checks that are evidence about a reading, not tests its value must pass: a label nearby, other
 * places reading the same value, a detected entity, a currency mark, the bill's arithmetic. The
 * extractor has already weighed each into the field's confidence (a date without a label scores
 * lower), so one that did not hold is no reason for review beyond that confidence; a company
 * printed once on a receipt never has `agreement`, and counting it would send every one to review.
 */
const EVIDENCE_CHECKS: ReadonlySet<string> = new Set([
  'label',
  'agreement',
  'agreement:model',
  'model',
  'expected_words',
  'layout:block',
  'time_follows',
  'order',
  'currency',
  'decimals',
  'rounding',
  'arithmetic',
  'ocr_repaired',
  'whole_words',
  'clean_marks',
  'sure_letters',
]);

/**
 * Whether a check tests the value itself (its format, a check digit, a real calendar date, a
 * required field present): one that fails sends the field to review whatever its confidence. Any
 * check not known as evidence counts as such a test, so a new check routes until it is classed.
 *
 * @example
 * ```ts
 * isValueTest({ name: 'checksum:luhn', passed: false }); // true
 * isValueTest({ name: 'label', passed: false }); // false: evidence, already in the confidence
 * ```
 */
export function isValueTest(check: FieldCheck): boolean {
  return !EVIDENCE_CHECKS.has(check.name) && !check.name.startsWith('entity:');
}

/**
 * Whether a field failed a test of its value ({@link isValueTest}); failed evidence does not count.
 *
 * @example
 * ```ts
 * failedValueTest([{ name: 'format:date', passed: true }, { name: 'label', passed: false }]); // false
 * ```
 */
export function failedValueTest(checks: readonly FieldCheck[]): boolean {
  return checks.some((c) => !c.passed && isValueTest(c));
}

/**
 * `accepted` (confident), `needs_review` (a review task is open), `reviewed` (a person decided),
 * `unverified` (uncertain, and no person may see it or its task expired), `missing`.
 */
export type FieldStatus = 'accepted' | 'needs_review' | 'reviewed' | 'unverified' | 'missing';

/** Who decided a reviewed field, how and when: a pseudonymous principal id, never a name. */
export interface FieldReview {
  readonly action: 'confirm' | 'correct' | 'reject';
  readonly reviewer: string;
  /** ISO 8601, as the API returns it (the fields object is also the wire format). */
  readonly decided_at: string;
}

/** A money value: the amount as a decimal string (no float rounding) and an ISO 4217 currency. */
export interface Money {
  readonly amount: string;
  readonly currency: string | null;
}

/** A normalised field value: a string (dates as `YYYY-MM-DD`, phones as E.164), a number, a boolean or money. */
export type FieldValue = string | number | boolean | Money;

/** Where a value was found: 1-based page and a box in the page's unit. */
export interface FieldBox {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/**
 * Whether a second engine's reading of a field's own box holds the value the extractor chose:
 * `agreed` (every word of it), `disagreed`, or `unchecked` (not asked for — the second reading is
 * opt-in, `veil fields --second-reading` — no second engine installed, no box, or a region that
 * could not be read). See `checkSecondReading`.
 */
export type FieldAgreement = 'agreed' | 'disagreed' | 'unchecked';

/** One field of the result, as the CLI prints it with `--json` and `GET /v1/jobs/:id/fields` returns it. */
export interface FieldResult {
  readonly value: FieldValue | null;
  readonly type: FieldType;
  readonly confidence: number;
  readonly status: FieldStatus;
  readonly sensitivity: Sensitivity;
  readonly page: number | null;
  readonly box: FieldBox | null;
  readonly checks: readonly FieldCheck[];
  /** What a second reading of the field's box said (free-text fields the rules found); absent otherwise. */
  readonly agreement?: FieldAgreement;
  /** Set once a person decided the field (status `reviewed`). */
  readonly review?: FieldReview;
}

/** A field as a reviewer is told of it: its spec's name, type and hint labels, never a value. */
export interface FieldLabel {
  readonly name: string;
  readonly type: FieldType;
  readonly hint: readonly string[] | null;
}

/** The template a result was extracted under; null when the caller passed fields directly. */
export interface TemplateRef {
  readonly name: string;
  readonly version: number;
  readonly hash: string;
}

/** The fields object: the contract of the CLI's `--json`, the job artifact and the API. */
export interface FieldsResult {
  readonly template: TemplateRef | null;
  readonly fields: Readonly<Record<string, FieldResult>>;
}

/** The labels of a hint-like setting as a list. */
export function labelList(value: string | readonly string[] | undefined): readonly string[] {
  if (value === undefined) return [];
  return typeof value === 'string' ? [value] : value;
}

/** The sensitivity a field carries: its own, or its type's default. */
export function sensitivityOf(spec: FieldSpec): Sensitivity {
  return spec.sensitivity ?? DEFAULT_SENSITIVITY[spec.type];
}
