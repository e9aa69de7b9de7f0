/**
 * Pseudonymisation for prompts: every value the engine detects is replaced by a stable
 * placeholder (`<PERSON_1>`), numbered per job by the engine's own replace operator, and the way
 * back lives only in this process's memory, in a {@link PseudonymScope} that the job drops when it
 * ends. Nothing here is stored or logged.
 */
import { anonymize } from '../engine/anonymize/anonymize.js';
import { TagScope } from '../engine/anonymize/tag-scope.js';
import type { AnonymizationPlan } from '../engine/anonymize/types.js';
import type { Analyzer } from '../engine/analyze.js';
import { resolveOverlaps } from '../engine/overlap.js';
import type { Finding } from '../engine/types.js';
import { VeilError } from '../errors/veil-error.js';
import { defusePlaceholders, findingsOutside } from './placeholders.js';

const REPLACE_ALL: AnonymizationPlan = { default: { operator: 'replace' } };

/** Detect-and-replace rounds before the text is refused (noisy OCR text takes three or four). */
export const MAX_PASSES = 6;

// `<PERSON_1>`, tolerating spaces a model adds inside the brackets, or a bare `PERSON_1` a model
// wrote without them; a bare name is only re-identified when this scope issued it, and never
// inside the inert ‹…› form a document's own placeholder-shaped text was given.
const ANSWER_PLACEHOLDER = /<\s*([A-Z][A-Z0-9_]*_[0-9]+)\s*>|(?<![‹\w])([A-Z][A-Z0-9_]*_[0-9]+)(?![›\w])/g;

/** A TagScope that also remembers which value each tag it hands out stands for. */
class RecordingTagScope extends TagScope {
  readonly values = new Map<string, string>();

  override tagFor(type: string, value: string): string {
    const tag = super.tagFor(type, value);
    if (!this.values.has(tag)) this.values.set(tag, value);
    return tag;
  }
}

/**
 * The placeholders of one job and the values they stand for, in memory only. The same value of
 * the same type gets the same placeholder for the scope's whole life, across texts and calls.
 *
 * @example
 * ```ts
 * const scope = new PseudonymScope();
 * const { text } = await pseudonymise('Ann Lee paid', { analyze: createAnalyzer(), scope });
 * // text: '<PERSON_1> paid'
 * scope.reidentify('payer: <PERSON_1>'); // 'payer: Ann Lee'
 * ```
 */
export class PseudonymScope {
  readonly #tags = new RecordingTagScope();

  /** The numbering the engine's replace operator draws from. */
  get tags(): TagScope {
    return this.#tags;
  }

  /** Every placeholder issued so far. */
  get placeholders(): ReadonlySet<string> {
    return new Set(this.#tags.values.keys());
  }

  /** The value behind an issued placeholder, or undefined. */
  valueOf(placeholder: string): string | undefined {
    return this.#tags.values.get(placeholder);
  }

  /**
   * The text with every placeholder this scope issued turned back into its value; anything else,
   * including placeholders it never issued, is left as it is.
   */
  reidentify(text: string): string {
    return text.replace(
      ANSWER_PLACEHOLDER,
      (match, bracketed: string | undefined, bare: string | undefined) => {
        const value = this.#tags.values.get(`<${bracketed ?? bare}>`);
        return value ?? match;
      },
    );
  }
}

/** What {@link pseudonymise} needs. */
export interface PseudonymiseOptions {
  /** The job's analyzer (its policy's entities, threshold, allow and deny lists). */
  readonly analyze: Analyzer;
  /** The job's scope; pass the same one to every call of a job. */
  readonly scope: PseudonymScope;
  /**
   * Parts of the text to analyse on their own as well (the document inside a prompt): detection
   * reads context, so a value found in the document alone is replaced even when the surrounding
   * prompt changes how the whole reads.
   */
  readonly parts?: readonly { readonly start: number; readonly end: number }[];
}

/** What {@link pseudonymise} returns. */
export interface PseudonymisedText {
  readonly text: string;
  /** How many values were replaced, by entity type. */
  readonly counts: Readonly<Record<string, number>>;
}

/**
 * Replaces every detected value of `text` by its placeholder in the job's scope. Detection then
 * runs again on the result, and whatever it finds outside the issued placeholders (the name
 * tagger reads new things next to them, on noisy OCR especially) is replaced too, up to
 * {@link MAX_PASSES} passes; if something is still found after the last, `VEIL_RESIDUAL_PII` is
 * thrown and no text is returned. The check is the egress guard's, so text that comes out of here
 * passes the guard. Placeholder-shaped runs already in the text are made inert first.
 *
 * @example
 * ```ts
 * const scope = new PseudonymScope();
 * const out = await pseudonymise('Mail ann@example.org', { analyze: createAnalyzer(), scope });
 * // out.text: 'Mail <EMAIL_ADDRESS_1>', out.counts: { EMAIL_ADDRESS: 1 }
 * ```
 */
export async function pseudonymise(text: string, options: PseudonymiseOptions): Promise<PseudonymisedText> {
  const { analyze, scope } = options;
  const safe = defusePlaceholders(text);
  const findings = [...analyze(safe)];
  for (const part of options.parts ?? [])
    for (const f of analyze(safe.slice(part.start, part.end)))
      findings.push({ ...f, start: f.start + part.start, end: f.end + part.start });
  const counts: Record<string, number> = {};
  let current = safe;
  let pending: readonly Finding[] = resolveOverlaps(findings);
  for (let pass = 1; pending.length > 0; pass++) {
    if (pass > MAX_PASSES)
      throw new VeilError(
        'VEIL_RESIDUAL_PII',
        `pseudonymisation: detection still finds ${pending.length} value(s) after ${MAX_PASSES} passes; nothing was sent`,
      );
    const result = await anonymize(current, pending, REPLACE_ALL, { tags: scope.tags });
    for (const item of result.items) counts[item.type] = (counts[item.type] ?? 0) + 1;
    current = result.text;
    pending = findingsOutside(current, analyze, scope.placeholders);
  }
  return { text: current, counts };
}
