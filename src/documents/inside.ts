import type { Box, Line } from './model.js';

/**
 * The words of `lines` whose box centre lies in one of `areas` (same unit as the boxes), line by
 * line; lines left empty are dropped and a kept line never starts with a space. Words without a
 * box cannot be placed and are dropped.
 *
 * @example
 * ```ts
 * linesInside(page.lines, [{ x: 0, y: 400, width: 595, height: 442 }]); // the lower half of an A4 page
 * ```
 */
export function linesInside(lines: readonly Line[], areas: readonly Box[]): Line[] {
  const inside = (box: Box | null): boolean => {
    if (box === null) return false;
    const [cx, cy] = [box.x + box.width / 2, box.y + box.height / 2];
    return areas.some((r) => cx >= r.x && cx <= r.x + r.width && cy >= r.y && cy <= r.y + r.height);
  };
  const kept: Line[] = [];
  for (const line of lines) {
    const words = line.words.filter((w) => inside(w.box));
    if (words.length > 0)
      kept.push({
        words: words.map((w, i) => (i === 0 && w.spaceBefore ? { ...w, spaceBefore: false } : w)),
      });
  }
  return kept;
}

/**
 * Regions given as fractions of a page (top-left origin) in the page's own unit.
 *
 * @example
 * ```ts
 * inPoints([{ x: 0, y: 0.5, width: 1, height: 0.5 }], 595, 842); // [{ x: 0, y: 421, width: 595, height: 421 }]
 * ```
 */
export function inPoints(regions: readonly Box[], width: number, height: number): Box[] {
  return regions.map((r) => ({
    x: r.x * width,
    y: r.y * height,
    width: r.width * width,
    height: r.height * height,
  }));
}

/** The smallest box holding all of `boxes` (at least one). */
export function enclosing(boxes: readonly Box[]): Box {
  const x = Math.min(...boxes.map((b) => b.x));
  const y = Math.min(...boxes.map((b) => b.y));
  const right = Math.max(...boxes.map((b) => b.x + b.width));
  const bottom = Math.max(...boxes.map((b) => b.y + b.height));
  return { x, y, width: right - x, height: bottom - y };
}
