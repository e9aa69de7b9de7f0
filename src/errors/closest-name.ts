/**
 * "Did you mean": the known name nearest to one a caller wrote, for error messages that must not
 * repeat what the caller sent (it may be data) but can name what they probably meant.
 */

/**
 * The candidate within `maxEdits` edits (Levenshtein) of `name`, the nearest first; undefined
 * when none is that near.
 *
 * @example
 * ```ts
 * closestName('ad_hoc_recogniser', ['text', 'ad_hoc_recognizers']); // 'ad_hoc_recognizers'
 * closestName('VEIL_PORTT', SETTING_NAMES); // 'VEIL_PORT'
 * ```
 */
export function closestName<T extends string>(
  name: string,
  candidates: Iterable<T>,
  maxEdits = 2,
): T | undefined {
  let best: { name: T; distance: number } | undefined;
  for (const candidate of candidates) {
    if (Math.abs(candidate.length - name.length) > maxEdits) continue;
    const distance = editDistance(name, candidate);
    if (distance <= maxEdits && (best === undefined || distance < best.distance))
      best = { name: candidate, distance };
  }
  return best?.name;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    const row = [i];
    for (let j = 1; j <= b.length; j += 1)
      row.push(
        Math.min(previous[j]! + 1, row[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1)),
      );
    previous = row;
  }
  return previous[b.length]!;
}
