import type { Document } from '../../documents/model.js';
import { VeilError } from '../../errors/veil-error.js';
import type { Extractor, ExtractorName, FieldCandidate } from './extractor.js';
import { createRuleExtractor } from './rules/extract.js';
import { checkSecondReading, type FieldRegionReader, type SecondReadingScope } from './second-reading.js';
import { sameFieldValue } from './types/index.js';
import {
  DEFAULT_REVIEW_BELOW,
  failedValueTest,
  sensitivityOf,
  type FieldResult,
  type FieldSpec,
  type FieldsResult,
  type FieldStatus,
  type Template,
} from './spec.js';

export interface ExtractFieldsOptions {
  /** Which extractor answers: `rules` (default, no model), `model`, or `auto` (rules, then a model for what they leave uncertain). */
  readonly extractor?: ExtractorName;
  /** The rule extractor to use (one is created when absent; pass one to share its detector across documents). */
  readonly rules?: Extractor;
  /** The model extractor for `model` and `auto`; without one those fail with VEIL_EXTRACTOR_UNAVAILABLE. */
  readonly model?: Extractor;
  /** The tenant policy's review threshold, for fields whose spec names none (default {@link DEFAULT_REVIEW_BELOW}). */
  readonly reviewBelow?: number;
  /**
   * A second engine's reader of regions of this document (`createRegionReader` over the tesseract
   * CLI): the rules' text fields are read again in their own boxes and their confidence weighed by
   * the agreement. Without one they are `unchecked` and scored as the rules scored them.
   */
  readonly secondReading?: FieldRegionReader;
  /** Which text fields `secondReading` reads: all (the default) or only those OCR doubted ({@link SecondReadingScope}). */
  readonly secondReadingOf?: SecondReadingScope;
}

/**
 * The status a field's confidence, checks and spec give it: the rule jobs route by
 * (`reviewReasonOf`), so `veil fields` and a job send the same fields to review.
 */
export function statusOf(
  spec: FieldSpec,
  candidate: FieldCandidate | null,
  below: number = DEFAULT_REVIEW_BELOW,
): FieldStatus {
  if (!candidate) return 'missing';
  if (spec.review === 'always') return 'needs_review';
  if (spec.review === 'never') return 'accepted';
  if (failedValueTest(candidate.checks)) return 'needs_review';
  return candidate.confidence >= (spec.review_below ?? below) ? 'accepted' : 'needs_review';
}

function fieldResult(spec: FieldSpec, candidate: FieldCandidate | null, below: number): FieldResult {
  return {
    value: candidate?.value ?? null,
    type: spec.type,
    confidence: candidate?.confidence ?? 0,
    status: statusOf(spec, candidate, below),
    sensitivity: sensitivityOf(spec),
    page: candidate?.page ?? null,
    box: candidate?.box ?? null,
    checks: candidate?.checks ?? (spec.required ? [{ name: 'required', passed: false }] : []),
    ...(candidate?.agreement === undefined ? {} : { agreement: candidate.agreement }),
  };
}

/**
 * Fails with VEIL_EXTRACTOR_UNAVAILABLE when `model` or `auto` is asked for and no AI provider is
 * configured; callers check before parsing so no OCR is spent on a request that cannot run.
 *
 * @example
 * ```ts
 * requireExtractor('rules', false); // fine
 * requireExtractor('model', false); // throws VEIL_EXTRACTOR_UNAVAILABLE
 * ```
 */
export function requireExtractor(which: ExtractorName, modelConfigured: boolean): void {
  if (which !== 'rules' && !modelConfigured)
    throw new VeilError(
      'VEIL_EXTRACTOR_UNAVAILABLE',
      `the ${which} extractor needs an AI provider (set VEIL_AI_URL and VEIL_AI_MODEL); use the rules extractor or configure one`,
    );
}

/** Most a value read alike by the rules and the model may get: two readers can still agree on a wrong one. */
const AGREED_MAX = 0.97;

/**
 * The rules' candidate and the model's for a field the rules left uncertain. When both read the
 * same value, the readings are taken as independent: the value is wrong only if both are, so its
 * confidence is 1 - (1 - rules)(1 - model), at most 0.97. Otherwise the surer one is kept, marked
 * as disputed.
 */
function mergeAnswers(rules: FieldCandidate | null, model: FieldCandidate | null): FieldCandidate | null {
  if (!model) return rules;
  if (!rules) return model;
  if (sameFieldValue(rules.value, model.value)) {
    const confidence = Math.min(AGREED_MAX, 1 - (1 - rules.confidence) * (1 - model.confidence));
    return {
      ...rules,
      confidence: Math.round(confidence * 1000) / 1000,
      checks: [...rules.checks, { name: 'model', passed: true }, { name: 'agreement:model', passed: true }],
    };
  }
  const kept = model.confidence > rules.confidence ? model : rules;
  return { ...kept, checks: [...kept.checks, { name: 'agreement:model', passed: false }] };
}

let sharedRules: Extractor | undefined;

/**
 * Extracts the requested fields from a parsed document: typed, normalised values with confidence,
 * status (`accepted`, `needs_review`, `missing`), sensitivity class, page, box and checks; no
 * transcript. `spec` is a loaded template (its name, version and hash are returned) or a list of
 * validated field specs.
 *
 * @example
 * ```ts
 * const doc = await parseDocument(await readFile('receipt.jpg'));
 * const { fields } = await extractFields(doc, await loadTemplate('receipt'));
 * fields.total; // { value: { amount: '9.00', currency: 'MYR' }, type: 'money', confidence: 0.93, status: 'accepted', ... }
 * ```
 */
export async function extractFields(
  document: Document,
  spec: Template | readonly FieldSpec[],
  options: ExtractFieldsOptions = {},
): Promise<FieldsResult> {
  const template = 'fields' in spec && !Array.isArray(spec) ? (spec as Template) : null;
  const fields: readonly FieldSpec[] = template ? template.fields : (spec as readonly FieldSpec[]);
  const which = options.extractor ?? 'rules';
  requireExtractor(which, options.model !== undefined);
  let found: Readonly<Record<string, FieldCandidate | null>>;
  if (which === 'model') {
    found = await options.model!.extract({ document, fields });
  } else {
    const rules = options.rules ?? (sharedRules ??= createRuleExtractor());
    // Read again before `auto` picks what to ask a model: an agreeing reading may settle a field.
    found = await checkSecondReading(
      await rules.extract({ document, fields }),
      fields,
      options.secondReading,
      options.secondReadingOf,
    );
    if (which === 'auto') {
      const uncertain = fields.filter(
        (f) => statusOf(f, found[f.name] ?? null, options.reviewBelow) !== 'accepted',
      );
      if (uncertain.length > 0) {
        const asked = await options.model!.extract({ document, fields: uncertain });
        const merged: Record<string, FieldCandidate | null> = { ...found };
        for (const f of uncertain)
          merged[f.name] = mergeAnswers(found[f.name] ?? null, asked[f.name] ?? null);
        found = merged;
      }
    }
  }
  const result: Record<string, FieldResult> = {};
  const below = options.reviewBelow ?? DEFAULT_REVIEW_BELOW;
  for (const f of fields) result[f.name] = fieldResult(f, found[f.name] ?? null, below);
  return {
    template: template ? { name: template.name, version: template.version, hash: template.hash } : null,
    fields: result,
  };
}
