/** Overlapping spans after the rules: one of each pair is kept. */
import type { TokenSpan } from './context.js';

/**
 * After the rules, keeps one of two overlapping spans: a rule's span, else the longer (the
 * earlier on a tie). Leaves the spans sorted.
 */
export function dropOverlaps(spans: TokenSpan[]): void {
  spans.sort((a, b) => a.first - b.first || b.last - a.last);
  let kept = 0;
  for (const span of spans) {
    const previous = spans[kept - 1];
    if (previous && span.first <= previous.last) {
      const longer = span.last - span.first > previous.last - previous.first;
      if ((span.rule && !previous.rule) || (longer && (span.rule || !previous.rule))) spans[kept - 1] = span;
      continue;
    }
    spans[kept++] = span;
  }
  spans.length = kept;
}
