import type { Box } from '../model.js';
import { components8 } from './components.js';

/** A probability map of text pixels, as PP-OCR's DB detection model outputs it (row by row). */
export interface TextMap {
  readonly data: Float32Array;
  readonly width: number;
  readonly height: number;
}

/**
 * A text line the detection model found: a rectangle of `width` along the line by `height` across
 * it, centred on (`cx`, `cy`) and turned by `angle` radians (clockwise, image y pointing down),
 * with its upright bounding box.
 */
export interface TextRegion {
  readonly cx: number;
  readonly cy: number;
  readonly width: number;
  readonly height: number;
  readonly angle: number;
  readonly bounds: Box;
}

/** Lines turned more than this are read upright: a steeper region is a vertical mark or a blob. */
const MAX_ANGLE = Math.PI / 6;

/** DB post-processing settings, PaddleOCR's defaults for PP-OCRv4 detection. */
const PIXEL_THRESHOLD = 0.3;
/** A region whose mean probability is below this is dropped (PaddleOCR's `box_thresh`). */
const BOX_THRESHOLD = 0.6;
/** Regions are grown by `area × ratio / perimeter` on every side: DB's maps shrink text (`unclip_ratio`). */
const UNCLIP_RATIO = 1.5;
/** Regions thinner than this (map pixels) are noise. */
const MIN_SIDE = 3;

/**
 * Text lines in a DB probability map: 8-connected regions of pixels above the threshold whose mean
 * probability passes the box threshold, each as the rectangle along its principal axis (receipts
 * are often photographed a few degrees askew, and upright boxes of askew lines overlap their
 * neighbours) grown by the unclip distance, in map pixels.
 *
 * @example
 * ```ts
 * textRegions({ data: probabilities, width: 640, height: 960 }); // [{ cx: 160, cy: 51, width: 300, height: 22, angle: 0.02, … }, …]
 * ```
 */
export function textRegions(map: TextMap): TextRegion[] {
  const { data, width, height } = map;
  const above = new Uint8Array(width * height);
  for (let i = 0; i < above.length; i++) above[i] = data[i]! > PIXEL_THRESHOLD ? 1 : 0;
  const regions: TextRegion[] = [];
  for (const pixels of components8(above, width, height)) {
    let sum = 0;
    for (const at of pixels) sum += data[at]!;
    if (sum / pixels.length < BOX_THRESHOLD) continue;
    const region = regionOf(pixels, width);
    if (region) regions.push(region);
  }
  return regions;
}

/** The grown rectangle along a region's principal axis, or nothing for a speck. */
function regionOf(pixels: readonly number[], mapWidth: number): TextRegion | undefined {
  let mx = 0;
  let my = 0;
  for (const at of pixels) {
    mx += at % mapWidth;
    my += Math.floor(at / mapWidth);
  }
  mx /= pixels.length;
  my /= pixels.length;
  let sxx = 0;
  let syy = 0;
  let sxy = 0;
  for (const at of pixels) {
    const x = (at % mapWidth) - mx;
    const y = Math.floor(at / mapWidth) - my;
    sxx += x * x;
    syy += y * y;
    sxy += x * y;
  }
  let angle = 0.5 * Math.atan2(2 * sxy, sxx - syy);
  if (Math.abs(angle) > MAX_ANGLE) angle = 0;
  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  let u0 = Infinity;
  let u1 = -Infinity;
  let v0 = Infinity;
  let v1 = -Infinity;
  for (const at of pixels) {
    const x = (at % mapWidth) - mx;
    const y = Math.floor(at / mapWidth) - my;
    const u = x * cos + y * sin;
    const v = -x * sin + y * cos;
    if (u < u0) u0 = u;
    if (u > u1) u1 = u;
    if (v < v0) v0 = v;
    if (v > v1) v1 = v;
  }
  const w = u1 - u0 + 1;
  const h = v1 - v0 + 1;
  if (Math.min(w, h) < MIN_SIDE) return undefined;
  const grow = (w * h * UNCLIP_RATIO) / (2 * (w + h));
  // Pixel centres are at +0.5: the region's centre in map coordinates.
  const uc = (u0 + u1) / 2;
  const vc = (v0 + v1) / 2;
  const cx = mx + 0.5 + uc * cos - vc * sin;
  const cy = my + 0.5 + uc * sin + vc * cos;
  return rectangle(cx, cy, w + 2 * grow, h + 2 * grow, angle);
}

/**
 * A turned rectangle with its upright bounding box.
 *
 * @example
 * ```ts
 * rectangle(50, 20, 80, 10, 0).bounds; // { x: 10, y: 15, width: 80, height: 10 }
 * ```
 */
export function rectangle(cx: number, cy: number, width: number, height: number, angle: number): TextRegion {
  const halfW = (Math.abs(width * Math.cos(angle)) + Math.abs(height * Math.sin(angle))) / 2;
  const halfH = (Math.abs(width * Math.sin(angle)) + Math.abs(height * Math.cos(angle))) / 2;
  return {
    cx,
    cy,
    width,
    height,
    angle,
    bounds: { x: cx - halfW, y: cy - halfH, width: 2 * halfW, height: 2 * halfH },
  };
}

/**
 * Regions in reading order, top to bottom and left to right, with regions whose centres are
 * within half a line height of each other (vertically) taken as one line.
 *
 * @example
 * ```ts
 * readingLines([right, left, below]); // [[left, right], [below]]
 * ```
 */
export function readingLines(regions: readonly TextRegion[]): TextRegion[][] {
  const sorted = [...regions].sort((a, b) => a.cy - b.cy);
  const lines: { centre: number; height: number; regions: TextRegion[] }[] = [];
  for (const region of sorted) {
    const line = lines.at(-1);
    if (line && Math.abs(region.cy - line.centre) < Math.min(line.height, region.height) / 2) {
      line.regions.push(region);
      line.centre = (line.centre * (line.regions.length - 1) + region.cy) / line.regions.length;
    } else lines.push({ centre: region.cy, height: region.height, regions: [region] });
  }
  return lines.map((line) => line.regions.sort((a, b) => a.cx - b.cx));
}
