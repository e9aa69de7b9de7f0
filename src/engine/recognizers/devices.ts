import type { Recognizer } from '../types.js';
import { compact, luhn } from '../validators/checksums.js';
import { patternRecognizer } from './pattern.js';

const VIN_VALUES: Record<string, number> = Object.fromEntries(
  [...'ABCDEFGHJKLMNPRSTUVWXYZ'].map((c, i) => [
    c,
    [1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 3, 4, 5, 7, 9, 2, 3, 4, 5, 6, 7, 8, 9][i]!,
  ]),
);
const VIN_WEIGHTS = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2];

/**
 * True when a 17-character VIN's ninth character is its ISO 3779 / North American check digit.
 *
 * @example
 * ```ts
 * isVinChecked('1M8GDM9AXKP042788'); // true
 * ```
 */
export function isVinChecked(vin: string): boolean {
  const v = vin.toUpperCase();
  if (!/^[A-HJ-NPR-Z0-9]{17}$/.test(v)) return false;
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const c = v[i]!;
    const value = c >= '0' && c <= '9' ? Number(c) : VIN_VALUES[c];
    if (value === undefined) return false;
    sum += value * VIN_WEIGHTS[i]!;
  }
  const check = sum % 11;
  return v[8] === (check === 10 ? 'X' : String(check));
}

const vin = patternRecognizer({
  name: 'vin',
  entity: 'VIN',
  // The look-ahead for the first character comes before the look-behind: the engine then skips
  // ahead to capitals and digits instead of testing the look-behind everywhere (3x faster on prose).
  patterns: [
    { regex: /(?=[A-HJ-NPR-Z0-9])(?<![\p{L}\p{N}])[A-HJ-NPR-Z0-9]{17}(?![\p{L}\p{N}])/u, score: 0.2 },
  ],
  validator: isVinChecked,
  validatedScore: 0.7,
  context: ['vin', 'vehicle', 'chassis', 'car', 'identification number'],
});

const imei = patternRecognizer({
  name: 'imei',
  entity: 'IMEI',
  patterns: [
    { regex: /(?<![\p{N}-])\d{15}(?![\p{N}]|-\d)/u, score: 0.2 },
    { regex: /(?<![\p{N}-])\d{2}-\d{6}-\d{6}-\d(?![\p{N}]|-\d)/u, score: 0.4 },
  ],
  validator: (value) => luhn(compact(value)),
  context: ['imei', 'device', 'handset', 'phone serial', 'serial'],
});

/** Vehicle and device identifiers: VIN and IMEI. */
export const DEVICE_RECOGNIZERS: readonly Recognizer[] = [vin, imei];
