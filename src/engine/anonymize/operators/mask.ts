import { VeilError } from '../../../errors/veil-error.js';
import type { MaskConfig, Operator } from '../types.js';

const SEPARATOR = /[^\p{L}\p{N}]/u;

function checkCount(value: unknown, path: string): void {
  if (value !== undefined && !(typeof value === 'number' && Number.isInteger(value) && value >= 0))
    throw new VeilError('VEIL_INVALID_OPTION', `${path}: expected a whole number of at least 0`);
}

/**
 * Overwrites characters with a mask character. Works on code points so an emoji or an accented
 * letter written as a surrogate pair is masked as one character, never split.
 *
 * `keepLast` characters at the end are never masked; of the rest, `count` (default all) are masked
 * from the start, or from the end with `fromEnd`. With `keepSeparators`, characters that are not
 * letters or digits stay and are not counted.
 */
export const maskOperator: Operator<MaskConfig> = {
  name: 'mask',
  needs: [],
  validate(config, path) {
    if (config.char !== undefined && (typeof config.char !== 'string' || [...config.char].length !== 1))
      throw new VeilError('VEIL_INVALID_OPTION', `${path}.char: expected exactly one character`);
    checkCount(config.count, `${path}.count`);
    checkCount(config.keepLast, `${path}.keepLast`);
  },
  apply(value, config) {
    const chars = [...value];
    const char = config.char ?? '*';
    const eligibleEnd = Math.max(0, chars.length - (config.keepLast ?? 0));
    const eligible: number[] = [];
    for (let i = 0; i < eligibleEnd; i += 1)
      if (!(config.keepSeparators === true && SEPARATOR.test(chars[i]!))) eligible.push(i);
    const count = Math.min(config.count ?? eligible.length, eligible.length);
    const chosen =
      config.fromEnd === true ? eligible.slice(eligible.length - count) : eligible.slice(0, count);
    for (const i of chosen) chars[i] = char;
    return chars.join('');
  },
};
