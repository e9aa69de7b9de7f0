/**
 * Connected components of a binary image, shared by the OCR code that finds ink blobs (glyph
 * height) and text regions (PP-OCR's detection map).
 */

/**
 * Each 8-connected component of the cells where `mask` is 1, as the list of its cell indices
 * (`y * width + x`), in scan order of their first cell. `mask` is not changed.
 *
 * @example
 * ```ts
 * for (const cells of components8(ink, width, height)) areas.push(cells.length);
 * ```
 */
export function* components8(
  mask: Uint8Array,
  width: number,
  height: number,
): Generator<readonly number[], void, undefined> {
  const open = Uint8Array.from(mask);
  for (let start = 0; start < open.length; start++) {
    if (open[start] !== 1) continue;
    open[start] = 0;
    const cells = [start];
    for (let i = 0; i < cells.length; i++) {
      const at = cells[i]!;
      const x = at % width;
      const y = (at - x) / width;
      for (let dy = -1; dy <= 1; dy++) {
        const ny = y + dy;
        if (ny < 0 || ny >= height) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const nx = x + dx;
          if (nx < 0 || nx >= width) continue;
          const next = ny * width + nx;
          if (open[next] === 1) {
            open[next] = 0;
            cells.push(next);
          }
        }
      }
    }
    yield cells;
  }
}
