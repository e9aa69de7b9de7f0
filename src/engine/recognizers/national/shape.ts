import { compact, isAsciiDigits } from '../../validators/checksums.js';

/**
 * Shared shape rules for national identifiers, so every region bounds its matches the same way.
 */

/**
 * Compiles an identifier pattern that cannot start or end inside a longer token: no letter,
 * digit or underscore may touch it, nor a separator that continues a number ("12-" before it,
 * "-5" after it). `core` is regex source; keep it free of unbounded quantifiers so matching
 * stays linear on adversarial input.
 *
 * @example
 * ```ts
 * identifier(String.raw`\d{9}`).test('BSN 123456782'); // true
 * identifier(String.raw`\d{9}`).test('1234567820'); // false
 * ```
 */
export function identifier(core: string, flags = ''): RegExp {
  return new RegExp(`(?<!\\w|\\d[-./])(?:${core})(?!\\w|[-./]\\d)`, flags);
}

/**
 * Regex source for an optional separator between digit groups, captured so later groups can
 * require the same one with `\N` ("943 476 5919" or "943-476-5919", never "943 476-5919").
 */
export const SEPARATOR = '([ -]?)';

/** The identifier with spaces, dashes, dots and slashes removed, upper-cased. */
export function normalise(value: string): string {
  return compact(value).toUpperCase();
}

/** The integer value of `value.slice(start, end)`; NaN when that is not all digits. */
export function digitsAt(value: string, start: number, end: number): number {
  const part = value.slice(start, end);
  return isAsciiDigits(part) ? Number(part) : Number.NaN;
}
