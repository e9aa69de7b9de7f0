import { VeilError } from '../../errors/veil-error.js';
import type { Finding } from '../types.js';
import { anonymize } from './anonymize.js';
import { TagScope } from './tag-scope.js';
import type { AnonymizationPlan, AnonymizeContext, AnonymizedItem, AnonymizeResult } from './types.js';

/** How many anonymise → re-detect rounds run before the output is refused. */
const MAX_PASSES = 2;

/**
 * The parts of the findings in an anonymised text that lie outside every item, that is, outside
 * what the operators wrote: personal data the anonymisation left behind. A finding that reaches
 * into an item ("<PERSON_1> Smith" read as one name) keeps only its outside parts ("Smith").
 */
export function residualFindings(found: readonly Finding[], items: readonly AnonymizedItem[]): Finding[] {
  const sorted = [...items].sort((a, b) => a.start - b.start);
  const residual: Finding[] = [];
  for (const f of found) {
    let start = f.start;
    for (const item of sorted) {
      if (item.end <= start) continue;
      if (item.start >= f.end) break;
      if (item.start > start) residual.push({ ...f, start, end: item.start });
      start = Math.max(start, item.end);
    }
    if (start < f.end) residual.push({ ...f, start, end: f.end });
  }
  return residual;
}

/**
 * Item offsets moved past the edits a later pass made. `items` are sorted, `edits` are that pass's
 * findings, sorted, and `made` its items in the same order; no edit overlaps an item.
 */
function shiftItems(
  items: readonly AnonymizedItem[],
  edits: readonly Finding[],
  made: readonly AnonymizedItem[],
): AnonymizedItem[] {
  let next = 0;
  let delta = 0;
  return items.map((item) => {
    for (; next < edits.length && edits[next]!.end <= item.start; next++)
      delta += made[next]!.end - made[next]!.start - (edits[next]!.end - edits[next]!.start);
    return delta === 0 ? item : { ...item, start: item.start + delta, end: item.end + delta };
  });
}

/**
 * Anonymises a text and proves it: detection runs again on the output, and anything found outside
 * what the operators wrote is anonymised in one more pass (with the same tag numbering); if that
 * still leaves something, VEIL_RESIDUAL_PII is thrown and no output is given. The text route's
 * counterpart of the documents layer's residual check. `analyze` may answer a promise (detection
 * on another thread); `findings` are the text's own, when already found (else `analyze` finds them).
 *
 * @example
 * ```ts
 * const analyze = createAnalyzer();
 * const { text, items } = await anonymizeVerified('Call Ann Lee on 212-555-0199', analyze, { default: { operator: 'replace' } });
 * ```
 */
export async function anonymizeVerified(
  text: string,
  analyze: (text: string) => readonly Finding[] | Promise<readonly Finding[]>,
  plan: AnonymizationPlan,
  context: AnonymizeContext = {},
  findings?: readonly Finding[],
): Promise<AnonymizeResult> {
  const scoped: AnonymizeContext = { ...context, tags: context.tags ?? new TagScope() };
  let result = await anonymize(text, findings ?? (await analyze(text)), plan, scoped);
  for (let pass = 1; ; pass++) {
    const output = result.text;
    const residual = residualFindings(await analyze(output), result.items)
      .filter((f) => /[\p{L}\p{N}]/u.test(output.slice(f.start, f.end)))
      .sort((a, b) => a.start - b.start);
    if (residual.length === 0) return result;
    if (pass >= MAX_PASSES)
      throw new VeilError(
        'VEIL_RESIDUAL_PII',
        `the anonymised output still contains ${residual.length} finding(s) after ${MAX_PASSES} passes; no output was produced`,
      );
    const next = await anonymize(result.text, residual, plan, scoped);
    result = {
      text: next.text,
      items: [...shiftItems(result.items, residual, next.items), ...next.items].sort(
        (a, b) => a.start - b.start,
      ),
    };
  }
}
