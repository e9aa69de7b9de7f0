import { compact, luhn, mod97, verhoeff } from './checksums.js';

/** A validator decides whether a matched candidate is structurally valid (check digits etc.). */
export type Validator = (candidate: string) => boolean;

const registry = new Map<string, Validator>([
  ['luhn', (value) => luhn(compact(value))],
  ['verhoeff', (value) => verhoeff(compact(value))],
  ['mod97', (value) => mod97(compact(value))],
]);

/**
 * Registers a validator under a name so that custom recognizers declared as data can use it.
 * Built-in recognizers register theirs when their module loads.
 *
 * @example
 * ```ts
 * registerValidator('even', (v) => Number(v) % 2 === 0);
 * ```
 */
export function registerValidator(name: string, validator: Validator): void {
  registry.set(name, validator);
}

/**
 * The validator with this name, or undefined.
 *
 * @example
 * ```ts
 * validatorNamed('luhn')?.('4111 1111 1111 1111'); // true
 * ```
 */
export function validatorNamed(name: string): Validator | undefined {
  return registry.get(name);
}

/** The names of every registered validator, for documentation and error messages. */
export function validatorNames(): string[] {
  return [...registry.keys()].sort();
}
