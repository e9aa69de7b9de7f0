/**
 * The reporting period routes take as `?since=&until=`: a period back from `until` (`12h`, `30d`,
 * `1y`) or an ISO 8601 time, ending now unless `until` says otherwise.
 */
import { z } from 'zod';
import { VeilError } from '../../errors/veil-error.js';
import { durationMs } from '../../policy/governance.js';

/** The `since` and `until` query parameters of a period, and nothing else. */
export const periodQuery = z
  .object({
    since: z
      .string()
      .max(40)
      .default('30d')
      .describe('A period back from `until` (`12h`, `30d`, `1y`) or an ISO 8601 time'),
    until: z.iso.datetime({ offset: true }).optional().describe('End of the period (default now)'),
  })
  .strict();

/**
 * The start of a period given as `since` (a period back from `until`, or an ISO 8601 time).
 *
 * @example
 * ```ts
 * periodStart('30d', new Date()); // thirty days ago
 * ```
 */
export function periodStart(since: string, until: Date, what: string): Date {
  const period = durationMs(since);
  if (period !== undefined) return new Date(until.getTime() - period);
  const at = new Date(since);
  if (Number.isNaN(at.getTime()))
    throw new VeilError(
      'VEIL_INVALID_OPTION',
      `${what}: \`since\` must be a period such as 30d or 12h, or an ISO 8601 time`,
    );
  return at;
}

/**
 * The period a validated {@link periodQuery} names; `VEIL_INVALID_OPTION` (naming `what`) unless
 * it starts before it ends.
 *
 * @example
 * ```ts
 * periodOf({ since: '30d' }, 'privacy metrics'); // { since: 30 days ago, until: now }
 * ```
 */
export function periodOf(query: z.output<typeof periodQuery>, what: string): { since: Date; until: Date } {
  const until = query.until === undefined ? new Date() : new Date(query.until);
  const since = periodStart(query.since, until, what);
  if (!(since.getTime() < until.getTime()))
    throw new VeilError('VEIL_INVALID_OPTION', `${what}: \`since\` must be before \`until\``);
  return { since, until };
}
