import { anonymize } from '../../engine/anonymize/anonymize.js';
import { TagScope } from '../../engine/anonymize/tag-scope.js';
import type { AnonymizationPlan, AnonymizeContext } from '../../engine/anonymize/types.js';
import type { TextRedactor } from './text.js';

/**
 * A text redactor that applies a plan's anonymisation operators (replace, mask, hash, encrypt,
 * fpe, date_shift, …) instead of `[TYPE]`. Make one per document: it keeps one tag scope across
 * every cell, leaf and pass of that document (unless `context.tags` is given), so `<PERSON_1>` is
 * the same person throughout, and a second document starts at `<PERSON_1>` again.
 *
 * @example
 * ```ts
 * const redactText = operatorRedaction(planFromPolicy(policy), { keys, tenant });
 * await redactDocument(docxBytes, { detection, redactText });
 * ```
 */
export function operatorRedaction(plan: AnonymizationPlan, context: AnonymizeContext = {}): TextRedactor {
  const scoped: AnonymizeContext = { ...context, tags: context.tags ?? new TagScope() };
  return async (text, findings) => {
    const done = await anonymize(text, findings, plan, scoped);
    return {
      text: done.text,
      replacements: [...new Set(done.items.map((item) => done.text.slice(item.start, item.end)))],
    };
  };
}
