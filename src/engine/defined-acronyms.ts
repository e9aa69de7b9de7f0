import { lowerBound } from './scan/lower-bound.js';
import type { Finding } from './types.js';

/**
 * An organisation's acronym as the text defines it ("the Employment Appeal Tribunal (“EAT”)",
 * "the Court of Justice of the European Union (ECJ)"), found wherever the text uses it after the
 * definition: the acronym names the same body, so it carries the same information. Runs in
 * `analyze` after the public-record step, so only kept organisations lend their acronyms.
 */

/** The definition: an acronym in brackets, quoted or not, closing the finding or just after it. */
const DEFINITION = /^\s?\([“"]?(\p{Lu}[\p{Lu}\p{N}-]{1,9})[”"]?\)/u;
const DEFINITION_AT_END = /\([“"]?(\p{Lu}[\p{Lu}\p{N}-]{1,9})[”"]?\)$/u;

/**
 * The findings with every later use of an acronym that an organisation finding defines, as
 * `ORGANIZATION` findings of the same score; uses that overlap a finding are left as they are.
 * The result is sorted by start.
 *
 * @example
 * ```ts
 * const text = 'the Employment Appeal Tribunal (“EAT”) sat. The EAT dismissed it.';
 * withDefinedAcronyms(text, [{ type: 'ORGANIZATION', start: 4, end: 30, score: 0.8, recognizer: 'ner' }]);
 * // adds { type: 'ORGANIZATION', start: 47, end: 50, ... }
 * ```
 */
export function withDefinedAcronyms(text: string, findings: readonly Finding[]): Finding[] {
  const defined = new Map<string, { from: number; score: number }>();
  for (const f of findings) {
    if (f.type !== 'ORGANIZATION') continue;
    const own = DEFINITION_AT_END.exec(text.slice(f.start, f.end));
    const after = own ? null : DEFINITION.exec(text.slice(f.end, f.end + 16));
    const acronym = own?.[1] ?? after?.[1];
    if (acronym && !defined.has(acronym))
      defined.set(acronym, { from: f.end + (after?.[0].length ?? 0), score: f.score });
  }
  if (defined.size === 0) return [...findings];
  // The findings are sorted by start and share no character (as `resolveOverlaps` leaves them),
  // so one binary search tells whether a use overlaps one; two uses never overlap each other,
  // as each stands between word boundaries.
  const sorted = [...findings].sort((a, b) => a.start - b.start);
  const overlaps = (start: number, end: number): boolean => {
    const index = lowerBound(sorted.length, (i) => sorted[i]!.end <= start);
    return index < sorted.length && sorted[index]!.start < end;
  };
  const added: Finding[] = [];
  for (const [acronym, { from, score }] of defined) {
    for (let at = text.indexOf(acronym, from); at >= 0; at = text.indexOf(acronym, at + acronym.length)) {
      const end = at + acronym.length;
      if (/[\p{L}\p{N}-]/u.test(text[at - 1] ?? ' ') || /[\p{L}\p{N}-]/u.test(text[end] ?? ' ')) continue;
      if (!overlaps(at, end))
        added.push({ type: 'ORGANIZATION', start: at, end, score, recognizer: 'defined-acronym' });
    }
  }
  return added.length === 0 ? [...findings] : [...findings, ...added].sort((a, b) => a.start - b.start);
}
