import type { Recognizer } from '../../types.js';
import { weightedSum } from '../../validators/checksums.js';
import { patternRecognizer } from '../pattern.js';
import { identifier, normalise } from './shape.js';

// Check letters by series: S/T for citizens and permanent residents, F/G for foreigners
// (pre-2022), M for foreigners from 2022.
const NRIC_LETTERS: Readonly<Record<string, string>> = {
  S: 'JZIHGFEDCBA',
  T: 'JZIHGFEDCBA',
  F: 'XWUTRQPNMLK',
  G: 'XWUTRQPNMLK',
  M: 'XWUTRQPNJLK',
};
// The later series of each kind shift the weighted sum so their check letters differ.
const NRIC_OFFSET: Readonly<Record<string, number>> = { S: 0, T: 4, F: 0, G: 4, M: 3 };

/** NRIC/FIN: a series letter, seven digits and a check letter (weights 2, 7, 6, 5, 4, 3, 2, mod 11). */
export function isSingaporeNric(value: string): boolean {
  const v = normalise(value);
  const series = v[0] ?? '';
  const letters = NRIC_LETTERS[series];
  if (!letters || !/^[STFGM]\d{7}[A-Z]$/.test(v)) return false;
  const sum = weightedSum(v.slice(1), [2, 7, 6, 5, 4, 3, 2], 11) + (NRIC_OFFSET[series] ?? 0);
  return letters[sum % 11] === v[8];
}

const UEN_OTHER_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWX0123456789';
const UEN_ENTITY_TYPES = new Set(
  'CC CD CH CL CM CP CS CX DP FB FC FM FN GA GB GS HS LL LP MB MC MD MH MM MQ NB NR PA PB PF RF RP SM SS TC TU VH XL'.split(
    ' ',
  ),
);

/**
 * Unique Entity Number, in its three forms: businesses (eight digits and a check letter),
 * local companies (year, five digits, check letter) and other entities (R/S/T and a two-digit
 * year, an entity-type code, four digits and a check character).
 */
export function isSingaporeUen(value: string): boolean {
  const v = normalise(value);
  if (/^\d{8}[A-Z]$/.test(v)) return 'XMKECAWLJDB'[weightedSum(v, [10, 4, 9, 3, 8, 2, 7, 1], 11)] === v[8];
  if (/^(?:18|19|20)\d{7}[A-Z]$/.test(v))
    return 'ZKCMDNERGWH'[weightedSum(v, [10, 8, 6, 4, 9, 7, 5, 3, 1], 11)] === v[9];
  if (!/^[RST]\d{2}[A-Z]{2}\d{4}[A-Z]$/.test(v) || !UEN_ENTITY_TYPES.has(v.slice(3, 5))) return false;
  const weights = [4, 3, 5, 3, 10, 2, 2, 5, 7];
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += UEN_OTHER_ALPHABET.indexOf(v[i]!) * weights[i]!;
  return UEN_OTHER_ALPHABET[(((sum - 5) % 11) + 11) % 11] === v[9];
}

/** Recognizers for identifiers issued in Singapore. */
export const SINGAPORE_RECOGNIZERS: readonly Recognizer[] = [
  patternRecognizer({
    name: 'sg-nric-fin',
    entity: 'SG_NRIC_FIN',
    patterns: [{ regex: identifier('[STFGM]\\d{7}[A-Z]'), score: 0.3 }],
    validator: isSingaporeNric,
    validatedScore: 0.7,
    context: [
      'nric',
      'fin',
      'identity card',
      'ic number',
      'ic no',
      'foreign identification number',
      'work pass',
      'singpass',
    ],
  }),
  patternRecognizer({
    name: 'sg-uen',
    entity: 'SG_UEN',
    patterns: [{ regex: identifier(String.raw`\d{8,9}[A-Z]|[RST]\d{2}[A-Z]{2}\d{4}[A-Z]`), score: 0.1 }],
    validator: isSingaporeUen,
    validatedScore: 0.45,
    context: [
      'uen',
      'unique entity number',
      'acra',
      'company registration',
      'business registration',
      'registration number',
    ],
  }),
];
