import type { FieldCandidate } from './extractor.js';
import type { FieldAgreement, FieldBox, FieldSpec, FieldType } from './spec.js';

/**
 * The port a second reading needs: the text another OCR engine reads in each region (a page and a
 * box in the page's unit), or null for one it could not read. The documents layer's
 * `createRegionReader` implements it over the tesseract CLI.
 */
export type FieldRegionReader = (
  regions: readonly { readonly page: number; readonly box: FieldBox }[],
) => Promise<readonly (string | null)[]>;

/**
 * How often a second reading agreed, on the dev half of the SROIE receipts (000-019, PP-OCR first,
 * the tesseract CLI with English and Malay second), counted over the company and address fields
 * (`npm run eval:fields` prints the table): of 32 right values 25 agreed and 7 did not; of 8 wrong
 * ones 2 agreed and 6 did not. The held-out half checks what they predict (docs/evaluation.md).
 */
const DEV_COUNTS = {
  right: { agreed: 25, disagreed: 7 },
  wrong: { agreed: 2, disagreed: 6 },
} as const;

/** P(outcome | right) / P(outcome | wrong), with one reading of each outcome added to each count. */
function likelihoodRatio(outcome: 'agreed' | 'disagreed'): number {
  const share = (counts: { readonly agreed: number; readonly disagreed: number }): number =>
    (counts[outcome] + 1) / (counts.agreed + counts.disagreed + 2);
  return share(DEV_COUNTS.right) / share(DEV_COUNTS.wrong);
}

/**
 * Likelihood ratios of a second reading, per field type: how much likelier an agreeing (or
 * disagreeing) reading is when the chosen value is right than when it is wrong (about 2.55 and
 * 0.34). The free-text types the rules read from a letterhead share one count ({@link DEV_COUNTS}):
 * twenty receipts hold too few wrong values to count each type apart.
 */
export const AGREEMENT_EVIDENCE: Readonly<
  Partial<Record<FieldType, { readonly agreed: number; readonly disagreed: number }>>
> = (() => {
  const ratios = { agreed: likelihoodRatio('agreed'), disagreed: likelihoodRatio('disagreed') };
  return { string: ratios, address: ratios };
})();

/** A text after normalisation: upper case, letters and digits only (no spaces or punctuation). */
const squash = (text: string): string => text.toUpperCase().replace(/[^\p{L}\p{N}]+/gu, '');

/**
 * Whether a second reading holds the value word for word, after normalisation: case, spacing and
 * punctuation are ignored (two engines split `81 100` and `81100`, `NO.53JALAN` and `NO.53 JALAN`
 * differently), and the value must appear in the reading as one run, so a word one engine cut
 * short (`Johor ahru` against `Johor Bahru`) does not agree. Text around it in the reading is not
 * held against it: the region has a margin, and the value may have been cut at a legal form.
 *
 * @example
 * ```ts
 * readingAgrees('SYARIKAT PERNIAGAAN GIN KEE', 'SYARIKAT PERNIAGAAN\nGIN KEE (81109-A)'); // true
 * readingAgrees('NO.53JALAN PUTRA1', 'NO.53 JALAN PUTRA 1,'); // true
 * readingAgrees('SYARIKAT PERNIAGAAN GIN KEF', 'SYARIKAT PERNIAGAAN GIN KEE'); // false
 * ```
 */
export function readingAgrees(value: string, reading: string): boolean {
  const wanted = squash(value);
  return wanted.length > 0 && squash(reading).includes(wanted);
}

/**
 * A confidence updated by a second reading, as Bayes' rule updates a probability by a likelihood
 * ratio: its odds multiplied by the type's ratio for the outcome ({@link AGREEMENT_EVIDENCE}),
 * rounded to three places. Unchecked fields and types without ratios keep their confidence.
 *
 * @example
 * ```ts
 * weighAgreement(0.8, 'string', 'agreed'); // 0.911: odds 4 × 2.55
 * weighAgreement(0.8, 'string', 'disagreed'); // 0.573: odds 4 × 0.34
 * weighAgreement(0.8, 'date', 'agreed'); // 0.8
 * ```
 */
export function weighAgreement(confidence: number, type: FieldType, agreement: FieldAgreement): number {
  const evidence = AGREEMENT_EVIDENCE[type];
  if (agreement === 'unchecked' || evidence === undefined || confidence <= 0 || confidence >= 1)
    return confidence;
  const odds = (confidence / (1 - confidence)) * evidence[agreement];
  return Math.round((odds / (1 + odds)) * 1000) / 1000;
}

/** Whether a field's value is read again: a text value of a type with ratios, found on a page with a box. */
function checkable(spec: FieldSpec, candidate: FieldCandidate | null): boolean {
  return (
    candidate !== null &&
    typeof candidate.value === 'string' &&
    AGREEMENT_EVIDENCE[spec.type] !== undefined &&
    candidate.page !== null &&
    candidate.box !== null
  );
}

/**
 * Which text fields a second reading reads again: `all` of them, or only the `doubtful` ones,
 * whose letters OCR itself doubted (a failed `sure_letters` check). On SROIE (PP-OCR, 0.80) `all`
 * sends 27.5% / 31.3% of fields to review (dev / held-out) for 0.983 / 0.964 of the auto-accepted
 * right; `doubtful` reads about a fifth of the text fields, lifts back the right ones the doubt
 * sent to review, and sends 21.3% / 25.0% for 0.984 / 0.967 (docs/evaluation.md).
 */
export type SecondReadingScope = 'all' | 'doubtful';

/** Whether OCR doubted the letters of a field's value (`sure_letters` failed). */
const doubted = (candidate: FieldCandidate): boolean =>
  candidate.checks.some((c) => c.name === 'sure_letters' && !c.passed);

/**
 * Checks the extractor's text fields against a second engine's reading of their own boxes: each
 * field read again gets its agreement and its confidence weighed by {@link weighAgreement}. No
 * check is added: a disagreement is evidence to weigh into the confidence, not a failed test of
 * the value (which the review router sends to a person whatever its confidence: `failedValueTest`).
 * A text field of a checked type that is not read again (no reader, no box, a region that could
 * not be read, outside `scope`) is marked `unchecked` and keeps its confidence; other fields are
 * left as they are.
 *
 * @example
 * ```ts
 * const checked = await checkSecondReading(found, template.fields, createRegionReader({ bytes, mediaType, document, ocr }));
 * checked.company?.agreement; // 'agreed'
 * ```
 */
export async function checkSecondReading(
  found: Readonly<Record<string, FieldCandidate | null>>,
  fields: readonly FieldSpec[],
  reader: FieldRegionReader | undefined,
  scope: SecondReadingScope = 'all',
): Promise<Record<string, FieldCandidate | null>> {
  const out: Record<string, FieldCandidate | null> = {};
  const textFields = fields.filter((f) => checkable(f, found[f.name] ?? null));
  for (const f of fields) {
    const candidate = found[f.name] ?? null;
    out[f.name] = candidate && textFields.includes(f) ? { ...candidate, agreement: 'unchecked' } : candidate;
  }
  const checked = textFields.filter((f) => scope === 'all' || doubted(found[f.name]!));
  if (!reader || checked.length === 0) return out;
  const readings = await reader(
    checked.map((f) => ({ page: found[f.name]!.page!, box: found[f.name]!.box! })),
  );
  checked.forEach((f, i) => {
    const reading = readings[i];
    const candidate = found[f.name]!;
    if (reading === null || reading === undefined) return;
    const agreement = readingAgrees(candidate.value as string, reading) ? 'agreed' : 'disagreed';
    out[f.name] = {
      ...candidate,
      confidence: weighAgreement(candidate.confidence, f.type, agreement),
      agreement,
    };
  });
  return out;
}
