/**
 * Pseudonymisation for prompts: every value the engine detects is replaced by a stable
 * placeholder (`<PERSON_1>`), numbered per job by the engine's own replace operator, and the way
 * back lives only in this process's memory, in a {@link PseudonymScope} that the job drops when it
 * ends. Nothing here is stored or logged.
 */
import { anonymizeVerified } from '../engine/anonymize/verified.js';
import { TagScope } from '../engine/anonymize/tag-scope.js';
import type { AnonymizationPlan } from '../engine/anonymize/types.js';
import type { Analyzer } from '../engine/analyze.js';
import { defusePlaceholders } from './placeholders.js';

const REPLACE_ALL: AnonymizationPlan = { default: { operator: 'replace' } };

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
    return text.replace(ANSWER_PLACEHOLDER, (match, bracketed: string | undefined, bare: string | undefined) => {
      const value = this.#tags.values.get(`<${bracketed ?? bare}>`);
      return value ?? match;
    });
  }
}

/** What {@link pseudonymise} needs. */
export interface PseudonymiseOptions {
  /** The job's analyzer (its policy's entities, threshold, allow and deny lists). */
  readonly analyze: Analyzer;
  /** The job's scope; pass the same one to every call of a job. */
  readonly scope: PseudonymScope;
}

/** What {@link pseudonymise} returns. */
export interface PseudonymisedText {
  readonly text: string;
  /** How many values were replaced, by entity type. */
  readonly counts: Readonly<Record<string, number>>;
}

/**
 * Replaces every detected value of `text` by its placeholder in the job's scope. Detection runs
 * again on the result (the engine's verified anonymisation): what a second pass still finds is
 * replaced too, and if a third look still finds something, `VEIL_RESIDUAL_PII` is thrown and no
 * text is returned. Placeholder-shaped runs already in the text are made inert first.
 *
 * @example
 * ```ts
 * const scope = new PseudonymScope();
 * const out = await pseudonymise('Mail ann@example.org', { analyze: createAnalyzer(), scope });
 * // out.text: 'Mail <EMAIL_ADDRESS_1>', out.counts: { EMAIL_ADDRESS: 1 }
 * ```
 */
export async function pseudonymise(text: string, options: PseudonymiseOptions): Promise<PseudonymisedText> {
  const safe = defusePlaceholders(text);
  const result = await anonymizeVerified(safe, options.analyze, REPLACE_ALL, { tags: options.scope.tags });
  const counts: Record<string, number> = {};
  for (const item of result.items) counts[item.type] = (counts[item.type] ?? 0) + 1;
  return { text: result.text, counts };
}
