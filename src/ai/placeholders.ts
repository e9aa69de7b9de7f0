/**
 * The placeholders that stand for personal values in what a model sees: `<PERSON_1>`, `<US_SSN_2>`,
 * the engine's replace-operator tags. One shape, shared by the pseudonymiser (which issues them),
 * the egress guard (which lets issued ones through) and re-identification (which turns them back).
 */
import type { Analyzer } from '../engine/analyze.js';
import type { AnonymizedItem } from '../engine/anonymize/types.js';
import { residualFindings } from '../engine/anonymize/verified.js';
import type { Finding } from '../engine/types.js';

/** A placeholder as the engine's TagScope writes it. */
export const PLACEHOLDER = /<[A-Z][A-Z0-9_]*_[0-9]+>/g;

/**
 * The text with every placeholder-shaped run that was already in it made inert: its angle
 * brackets become `‹` and `›` (one UTF-16 unit each, so offsets do not move). A document that
 * holds `<PERSON_1>` literally can then never be mistaken for an issued placeholder, neither by
 * the guard nor when the model's answer is re-identified.
 *
 * @example
 * ```ts
 * defusePlaceholders('see <PERSON_1> here'); // 'see ‹PERSON_1› here'
 * ```
 */
export function defusePlaceholders(text: string): string {
  return text.replace(PLACEHOLDER, (tag) => `‹${tag.slice(1, -1)}›`);
}

/**
 * What detection finds in `text` outside the given placeholders: the findings, cut around every
 * placeholder of `issued` they touch (`<PERSON_1> Smith` keeps `Smith`), without leftovers that
 * hold no letter or digit. Sorted and disjoint. The egress guard blocks on these; the
 * pseudonymiser replaces them until there are none.
 *
 * @example
 * ```ts
 * findingsOutside('<PERSON_1> wrote to ann@example.org', createAnalyzer(), new Set(['<PERSON_1>']));
 * // [{ type: 'EMAIL_ADDRESS', start: 20, end: 35, … }]
 * ```
 */
export function findingsOutside(text: string, analyze: Analyzer, issued: ReadonlySet<string>): Finding[] {
  const spans: AnonymizedItem[] = [];
  for (const match of text.matchAll(PLACEHOLDER))
    if (issued.has(match[0]))
      spans.push({
        type: 'PLACEHOLDER',
        start: match.index,
        end: match.index + match[0].length,
        operator: 'replace',
      });
  return residualFindings(analyze(text), spans)
    .filter((f) => /[\p{L}\p{N}]/u.test(text.slice(f.start, f.end)))
    .sort((a, b) => a.start - b.start);
}
