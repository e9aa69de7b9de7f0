import { lowerBound } from './scan/lower-bound.js';
import type { Finding } from './types.js';

/**
 * Resolves overlapping findings into a set where no two share a character. The rule is
 * deterministic and independent of recognizer order:
 *
 * 1. Overlapping findings of the same type are one entity seen twice ("July" and "July 2000"):
 *    they are merged into their union, keeping the higher score and that finding's recognizer.
 * 2. Findings are ranked by score (higher first), then length (longer first), then start
 *    (earlier first), then type and recognizer name (alphabetical).
 * 3. In rank order, a finding is kept unless it overlaps one already kept.
 *
 * So a validated credit card (1.0) beats a phone-number reading of the same digits (0.7), and
 * of two equally confident readings the longer one wins ("Dr. Jane Doe" over "Jane").
 * The result is sorted by start.
 *
 * @example
 * ```ts
 * resolveOverlaps([{ type: 'A', start: 0, end: 4, score: 0.5, recognizer: 'a' },
 *                  { type: 'B', start: 2, end: 6, score: 0.9, recognizer: 'b' }]); // keeps B
 * ```
 */
export function resolveOverlaps(findings: readonly Finding[]): Finding[] {
  const ranked = mergeSameType(findings).sort(compareRank);
  const kept: Finding[] = [];
  // Kept spans sorted by start, so the overlap test is a binary search, not a scan.
  for (const candidate of ranked) {
    const index = lowerBound(kept.length, (i) => kept[i]!.start < candidate.start);
    const before = kept[index - 1];
    const after = kept[index];
    if (before && before.end > candidate.start) continue;
    if (after && after.start < candidate.end) continue;
    kept.splice(index, 0, candidate);
  }
  return kept;
}

function compareRank(a: Finding, b: Finding): number {
  return (
    b.score - a.score ||
    b.end - b.start - (a.end - a.start) ||
    a.start - b.start ||
    (a.type < b.type ? -1 : a.type > b.type ? 1 : 0) ||
    (a.recognizer < b.recognizer ? -1 : a.recognizer > b.recognizer ? 1 : 0)
  );
}

function mergeSameType(findings: readonly Finding[]): Finding[] {
  const byType = new Map<string, Finding[]>();
  for (const f of findings) {
    const list = byType.get(f.type);
    if (list) list.push(f);
    else byType.set(f.type, [f]);
  }
  const merged: Finding[] = [];
  for (const list of byType.values()) {
    list.sort((a, b) => a.start - b.start || b.end - a.end);
    let current = list[0]!;
    for (let i = 1; i < list.length; i++) {
      const next = list[i]!;
      if (next.start < current.end) {
        const stronger = next.score > current.score ? next : current;
        const start = current.start;
        const end = Math.max(current.end, next.end);
        // A reading that is one piece of the other ("Friday" of "Friday, 5 June 2020", its week
        // day) confirms that one's parts, which still describe the union.
        const container = next.end <= current.end ? current : next;
        const piece = container.parts?.some((p) => p.start === stronger.start && p.end === stronger.end);
        current =
          stronger.start === start && stronger.end === end
            ? stronger
            : piece && container.start === start && container.end === end
              ? { ...stronger, start, end, parts: container.parts! }
              : withoutParts({ ...stronger, start, end });
      } else {
        merged.push(current);
        current = next;
      }
    }
    merged.push(current);
  }
  return merged;
}

/** The parts of one finding do not describe its union with another (but see above): they are left out. */
function withoutParts(finding: Finding): Finding {
  if (!finding.parts) return finding;
  const { parts: _parts, ...rest } = finding;
  return rest;
}
