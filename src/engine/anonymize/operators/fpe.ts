import { VeilError } from '../../../errors/veil-error.js';
import type { FpeConfig, Operator, OperatorEnv } from '../types.js';

// FF3-1 over radix 10 needs a domain of at least a million values and allows at most 56 digits.
const MIN_DIGITS = 6;
const MAX_DIGITS = 56;
const DIGIT = /[0-9]/g;

/** The Luhn check digit that makes `payload` + digit valid. */
function luhnDigit(payload: string): number {
  let sum = 0;
  for (let i = payload.length - 1, double = true; i >= 0; i -= 1, double = !double) {
    let d = payload.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return (10 - (sum % 10)) % 10;
}

function checksumOf(config: FpeConfig | undefined, type: string): 'luhn' | 'none' {
  return config?.checksum ?? (type === 'CREDIT_CARD' ? 'luhn' : 'none');
}

function scopeOf(env: OperatorEnv): string {
  return `${env.tenant}/fpe/${env.type}`;
}

/** Puts `digits` back into the positions the digits of `template` had, keeping every separator. */
function withDigits(template: string, digits: string): string {
  let i = 0;
  return template.replace(DIGIT, () => digits[i++]!);
}

/**
 * Encrypts (or decrypts) the digit string, keeping a Luhn check digit consistent: the payload is
 * enciphered and the check digit recomputed, carrying over any error the input's check digit had
 * so that the mapping stays a bijection (a valid card maps to a valid card, and back exactly).
 */
function transform(digits: string, checksum: 'luhn' | 'none', cipher: (d: string) => string): string {
  if (checksum === 'none') return cipher(digits);
  const payload = digits.slice(0, -1);
  const check = digits.charCodeAt(digits.length - 1) - 48;
  const error = (check - luhnDigit(payload) + 10) % 10;
  const out = cipher(payload);
  return out + String((luhnDigit(out) + error) % 10);
}

function usable(digits: string, checksum: 'luhn' | 'none'): boolean {
  const n = digits.length - (checksum === 'luhn' ? 1 : 0);
  return n >= MIN_DIGITS && n <= MAX_DIGITS;
}

/**
 * FF3-1 format-preserving encryption of the value's digits (SSNs, card numbers, phone numbers):
 * separators and length stay, and a card number keeps a valid Luhn digit. A value with too few
 * or too many digits for FF3-1 gets a tag instead (its item says `replace`).
 */
export const fpeOperator: Operator<FpeConfig> = {
  name: 'fpe',
  needs: ['keys'],
  validate(config, path) {
    if (config.checksum !== undefined && config.checksum !== 'luhn' && config.checksum !== 'none')
      throw new VeilError('VEIL_INVALID_OPTION', `${path}.checksum: expected luhn or none`);
  },
  apply(value, config, env) {
    const digits = value.replace(/[^0-9]/g, '');
    const checksum = checksumOf(config, env.type);
    if (!usable(digits, checksum)) return { text: env.tags.tagFor(env.type, value), operator: 'replace' };
    const scope = scopeOf(env);
    return withDigits(
      value,
      transform(digits, checksum, (d) => env.keys!.fpeEncrypt(scope, d)),
    );
  },
  reverse(value, config, env) {
    const digits = value.replace(/[^0-9]/g, '');
    const checksum = checksumOf(config, env.type);
    if (!usable(digits, checksum)) throw new VeilError('VEIL_DECRYPTION_FAILED', 'decryption failed');
    const scope = scopeOf(env);
    return withDigits(
      value,
      transform(digits, checksum, (d) => env.keys!.fpeDecrypt(scope, d)),
    );
  },
};
