import { components8 } from './components.js';

/**
 * Otsu's threshold of an 8-bit greyscale image: the grey level that best separates ink from paper.
 */
function otsuThreshold(pixels: Uint8Array): number {
  const histogram = new Float64Array(256);
  for (const value of pixels) histogram[value]!++;
  let sumAll = 0;
  for (let level = 0; level < 256; level++) sumAll += level * histogram[level]!;
  let [below, sumBelow, best, threshold] = [0, 0, -1, 127];
  for (let level = 0; level < 256; level++) {
    below += histogram[level]!;
    if (below === 0) continue;
    const above = pixels.length - below;
    if (above === 0) break;
    sumBelow += level * histogram[level]!;
    const meanBelow = sumBelow / below;
    const meanAbove = (sumAll - sumBelow) / above;
    const between = below * above * (meanBelow - meanAbove) ** 2;
    if (between > best) [best, threshold] = [between, level];
  }
  return threshold;
}

/**
 * The median height in pixels of the glyph-sized ink blobs of a greyscale image (dark text on light
 * paper), or `undefined` when too few blobs look like glyphs to tell. Blobs are 8-connected
 * components of the Otsu-binarised image; specks (halftone dots, dust), rules, barcodes and
 * pictures are left out by size and shape.
 *
 * @example
 * ```ts
 * const { data, info } = await sharp(bytes).greyscale().raw().toBuffer({ resolveWithObject: true });
 * const height = glyphHeight(data, info.width, info.height); // 10 for 14 px DejaVu Sans capitals
 * ```
 */
export function glyphHeight(pixels: Uint8Array, width: number, height: number): number | undefined {
  const threshold = otsuThreshold(pixels);
  const ink = new Uint8Array(width * height);
  for (let i = 0; i < ink.length; i++) ink[i] = pixels[i]! <= threshold ? 1 : 0;
  const heights: number[] = [];
  const tallest = Math.max(8, Math.floor(height / 8));
  for (const cells of components8(ink, width, height)) {
    const area = cells.length;
    let [minX, maxX, minY, maxY] = [width, -1, height, -1];
    for (const at of cells) {
      const x = at % width;
      const y = (at - x) / width;
      if (x < minX) minX = x;
      if (x > maxX) maxX = x;
      if (y < minY) minY = y;
      if (y > maxY) maxY = y;
    }
    const h = maxY - minY + 1;
    const w = maxX - minX + 1;
    // Glyphs are a few pixels tall at least, not much wider than tall (touching pairs aside), and
    // neither solid blocks nor hairline frames.
    if (h < 5 || h > tallest || w > 3 * h) continue;
    const fill = area / (w * h);
    if (fill < 0.1 || fill > 0.9) continue;
    heights.push(h);
  }
  if (heights.length < 20) return undefined;
  heights.sort((a, b) => a - b);
  return heights[heights.length >> 1];
}
