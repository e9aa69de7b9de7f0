import { VeilError } from '../../../errors/veil-error.js';
import { addDays, formatDate, parseDate, parseWithLayout } from '../date-format.js';
import type { DateShiftConfig, Operator, OperatorEnv } from '../types.js';

const DEFAULT_MAX_DAYS = 365;
const LIMIT_DAYS = 36_500;

/**
 * The subject's shift in days: a keyed HMAC of the subject, so it is stable for the subject,
 * unpredictable without the key, never zero, and different subjects move independently.
 */
function offsetFor(env: OperatorEnv, maxDays: number): number {
  const mac = env.keys!.hmac(`${env.tenant}/date_shift`, env.subject ?? '');
  const n = Number.parseInt(mac.slice(0, 12), 16) % (2 * maxDays);
  return n < maxDays ? n - maxDays : n - maxDays + 1;
}

/**
 * Moves a date by the subject's offset and writes it in the original layout (the item carries
 * the layout, so the shift reverses to exactly the original text). Intervals between one
 * subject's dates are kept; a date it cannot read exactly gets a tag instead (item `replace`).
 */
export const dateShiftOperator: Operator<DateShiftConfig> = {
  name: 'date_shift',
  needs: ['keys'],
  validate(config, path) {
    const max = config.maxDays;
    if (max !== undefined && !(Number.isInteger(max) && max >= 1 && max <= LIMIT_DAYS))
      throw new VeilError(
        'VEIL_INVALID_OPTION',
        `${path}.maxDays: expected a whole number from 1 to ${LIMIT_DAYS}`,
      );
    if (config.order !== undefined && config.order !== 'mdy' && config.order !== 'dmy')
      throw new VeilError('VEIL_INVALID_OPTION', `${path}.order: expected mdy or dmy`);
  },
  apply(value, config, env) {
    const parsed = parseDate(value, config.order ?? 'mdy');
    const shifted = parsed && addDays(parsed.date, offsetFor(env, config.maxDays ?? DEFAULT_MAX_DAYS));
    if (!parsed || !shifted) return { text: env.tags.tagFor(env.type, value), operator: 'replace' };
    return { text: formatDate(shifted, parsed.layout) + parsed.time, format: parsed.layout };
  },
  reverse(value, config, env, item) {
    const read = item.format === undefined ? undefined : parseWithLayout(value, item.format);
    const original = read && addDays(read.date, -offsetFor(env, config?.maxDays ?? DEFAULT_MAX_DAYS));
    if (!read || !original || item.format === undefined)
      throw new VeilError(
        'VEIL_INVALID_INPUT',
        'deanonymize: a date_shift item does not match the text at its offsets',
      );
    return formatDate(original, item.format) + read.time;
  },
};
