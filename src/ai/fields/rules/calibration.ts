import type { FieldType } from '../spec.js';
import shipped from './calibration.json' with { type: 'json' };

/**
 * Confidence calibration of the rule extractor: its raw score (format, label distance, OCR
 * confidence, agreement) ranks readings well but does not say how often a reading is right. A
 * calibration maps the raw score of a field type to the share of readings with that score that
 * were right on labelled documents, as a monotone piecewise-linear curve fitted by isotonic
 * regression (pool adjacent violators). It is data, fitted by `npm run eval:fields -- --fit`,
 * never a hand-set constant.
 */

/** One type's curve: raw scores (ascending) and the confidence each maps to (non-decreasing). */
export interface CalibrationCurve {
  readonly raw: readonly number[];
  readonly confidence: readonly number[];
  /** How many labelled readings the curve was fitted on. */
  readonly samples: number;
}

export interface CalibrationTable {
  /** What the table was fitted on, for the reader. */
  readonly fitted: string;
  readonly types: Readonly<Partial<Record<FieldType, CalibrationCurve>>>;
}

/** One labelled reading: the type of its field, its raw score, and whether its value was right. */
export interface CalibrationSample {
  readonly type: FieldType;
  readonly raw: number;
  readonly right: boolean;
}

/** The table shipped with Veil, fitted on the dev half of the SROIE receipts (see `scripts/eval/fields.ts`). */
export const SHIPPED_CALIBRATION: CalibrationTable = shipped as CalibrationTable;

/** Fewest readings a step of a curve holds: fewer say more about chance than about the score. */
const MIN_BLOCK = 5;

interface Block {
  sum: number;
  right: number;
  count: number;
}

const rate = (b: Block): number => b.right / b.count;

/** Pool adjacent violators: consecutive blocks merged until their rates no longer fall. */
function poolAdjacentViolators(blocks: Block[]): Block[] {
  const out: Block[] = [];
  for (const block of blocks) {
    let current = { ...block };
    while (out.length > 0 && rate(out.at(-1)!) >= rate(current)) {
      const previous = out.pop()!;
      current = {
        sum: previous.sum + current.sum,
        right: previous.right + current.right,
        count: previous.count + current.count,
      };
    }
    out.push(current);
  }
  return out;
}

/** Blocks of fewer than MIN_BLOCK readings merged into their closer neighbour (the curve stays monotone). */
function mergeSmall(blocks: Block[]): Block[] {
  const out = [...blocks];
  for (let i = out.findIndex((b) => b.count < MIN_BLOCK); i >= 0 && out.length > 1;) {
    const left = out[i - 1];
    const right = out[i + 1];
    const j =
      left === undefined
        ? i + 1
        : right === undefined || Math.abs(rate(left) - rate(out[i]!)) <= Math.abs(rate(right) - rate(out[i]!))
          ? i - 1
          : i + 1;
    const [a, b] = [out[Math.min(i, j)]!, out[Math.max(i, j)]!];
    out.splice(Math.min(i, j), 2, { sum: a.sum + b.sum, right: a.right + b.right, count: a.count + b.count });
    i = out.findIndex((x) => x.count < MIN_BLOCK);
  }
  return out;
}

/**
 * Fits one isotonic curve per field type from labelled readings. Each step's confidence is its share
 * right with one right and one wrong reading added (Laplace), so a step of five right readings says
 * 0.86, not a certainty it has not seen.
 *
 * @example
 * ```ts
 * const table = fitCalibration(samples, 'SROIE dev');
 * calibrate(table, 'money', 0.74); // the share of money readings scored near 0.74 that were right
 * ```
 */
export function fitCalibration(samples: readonly CalibrationSample[], fitted: string): CalibrationTable {
  const types: Partial<Record<FieldType, CalibrationCurve>> = {};
  for (const type of new Set(samples.map((s) => s.type))) {
    const own = samples.filter((s) => s.type === type).sort((a, b) => a.raw - b.raw);
    const blocks = mergeSmall(
      poolAdjacentViolators(own.map((s) => ({ sum: s.raw, right: s.right ? 1 : 0, count: 1 }))),
    );
    const round = (n: number): number => Math.round(n * 1000) / 1000;
    types[type] = {
      raw: blocks.map((b) => round(b.sum / b.count)),
      confidence: blocks.map((b) => round((b.right + 1) / (b.count + 2))),
      samples: own.length,
    };
  }
  return { fitted, types };
}

/**
 * The calibrated confidence of a raw score: the type's curve read at the score (linear between
 * steps, flat beyond the ends); the raw score itself when the table has no curve for the type.
 *
 * @example
 * ```ts
 * calibrate(SHIPPED_CALIBRATION, 'date', 0.9); // about the share of dates scored 0.9 that were right
 * ```
 */
export function calibrate(table: CalibrationTable, type: FieldType, raw: number): number {
  const curve = table.types[type];
  if (!curve || curve.raw.length === 0) return raw;
  const { raw: xs, confidence: ys } = curve;
  if (raw <= xs[0]!) return ys[0]!;
  if (raw >= xs.at(-1)!) return ys.at(-1)!;
  const i = xs.findIndex((x) => x > raw);
  const [x0, x1, y0, y1] = [xs[i - 1]!, xs[i]!, ys[i - 1]!, ys[i]!];
  return y0 + ((raw - x0) / (x1 - x0)) * (y1 - y0);
}
