/**
 * Binary search: the first index in `[0, length)` at which `before(index)` is false, or `length`,
 * for a `before` that holds up to some index and not after it (a sorted array and a key).
 *
 * @example
 * ```ts
 * const starts = [2, 5, 9];
 * lowerBound(starts.length, (i) => starts[i]! < 6); // 2
 * ```
 */
export function lowerBound(length: number, before: (index: number) => boolean): number {
  let low = 0;
  let high = length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (before(mid)) low = mid + 1;
    else high = mid;
  }
  return low;
}
