/**
 * Privacy counters: running totals since each tenant's audit log began, for Prometheus counters
 * (`veil_privacy_*_total`). The audit log is append-only (a trigger refuses updates and deletes)
 * and shared by every Veil process, so a total read from it never goes down, outlives any window
 * and any restart, and is the same whichever process is scraped. Each read looks only at the
 * entries appended since the previous one (by leaf index), so a scrape costs the new events, not
 * the log.
 *
 * Labels are codes from closed sets; a value outside its set (an older or newer event) is
 * counted as `other`, so no label can take a value an event carried in.
 */
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import { OUTPUT_KINDS as RELEASED_KINDS, REVEAL_REASONS } from '../../audit/event.js';
import { SYSTEM_SCOPE, withTenantScope } from '../../store/database.js';
import type { Schema } from '../../store/schema.js';
import { ALERT_RULES } from '../anomaly/detector.js';

/** Each counter: the audit action it counts, and the label it splits by (with its closed set). */
export const PRIVACY_COUNTERS = {
  jobs_created: { action: 'job.created' },
  outputs_released: { action: 'output.released', label: 'kind', values: RELEASED_KINDS },
  reveals: { action: 'job.reveal', label: 'reason', values: REVEAL_REASONS },
  model_requests: { action: 'ai.request', label: 'outcome', values: ['succeeded', 'failed'] },
  egress_blocked: { action: 'ai.egress_blocked' },
  alerts: { action: 'alert.raised', label: 'rule', values: ALERT_RULES },
  dsr_requests: { action: 'dsr.', label: 'kind', values: ['access', 'erasure'] },
  consent_withdrawals: { action: 'consent.withdrawn' },
} as const satisfies Record<string, { action: string; label?: string; values?: readonly string[] }>;
export type PrivacyCounterName = keyof typeof PRIVACY_COUNTERS;

/** One tenant's totals: counter → label value (`''` for an unlabelled counter) → count. */
export type CounterTotals = Readonly<Record<PrivacyCounterName, Readonly<Record<string, number>>>>;

const ACTIONS = [
  'job.created',
  'output.released',
  'job.reveal',
  'ai.request',
  'ai.egress_blocked',
  'alert.raised',
  'dsr.access',
  'dsr.erasure',
  'consent.withdrawn',
];

interface Tally {
  action: string;
  detail: string;
  n: string | number;
}

function counterOf(action: string): PrivacyCounterName | undefined {
  if (action === 'dsr.access' || action === 'dsr.erasure') return 'dsr_requests';
  return (Object.keys(PRIVACY_COUNTERS) as PrivacyCounterName[]).find(
    (name) => PRIVACY_COUNTERS[name].action === action,
  );
}

function labelOf(name: PrivacyCounterName, action: string, detail: string): string {
  const spec: { action: string; label?: string; values?: readonly string[] } = PRIVACY_COUNTERS[name];
  if (spec.values === undefined) return '';
  const value = name === 'dsr_requests' ? action.slice('dsr.'.length) : detail;
  return spec.values.includes(value) ? value : 'other';
}

const empty = (): Record<PrivacyCounterName, Record<string, number>> =>
  Object.fromEntries(Object.keys(PRIVACY_COUNTERS).map((name) => [name, {}])) as Record<
    PrivacyCounterName,
    Record<string, number>
  >;

/**
 * Running totals of every tenant's privacy events, read incrementally from the audit log.
 *
 * @example
 * ```ts
 * const counters = new PrivacyCounters(db);
 * const totals = await counters.read(); // Map { 'acme' => { reveals: { customer_support: 4 }, … } }
 * ```
 */
export class PrivacyCounters {
  readonly #db: Kysely<Schema>;
  readonly #tenants = new Map<
    string,
    { after: number; totals: Record<PrivacyCounterName, Record<string, number>> }
  >();
  #reading: Promise<ReadonlyMap<string, CounterTotals>> | undefined;

  constructor(db: Kysely<Schema>) {
    this.#db = db;
  }

  /** Every tenant's totals as of now (reads arriving together share one pass). */
  read(): Promise<ReadonlyMap<string, CounterTotals>> {
    this.#reading ??= this.#read().finally(() => (this.#reading = undefined));
    return this.#reading;
  }

  async #read(): Promise<ReadonlyMap<string, CounterTotals>> {
    const tenants = await withTenantScope(this.#db, SYSTEM_SCOPE, (trx) =>
      trx.selectFrom('tenants').select('id').orderBy('id').execute(),
    );
    for (const { id } of tenants) {
      const state = this.#tenants.get(id) ?? { after: -1, totals: empty() };
      const last = await sql<{ last: string | number | null }>`
        select max(leaf_index) as last from audit_entries where log_id = ${id}`.execute(this.#db);
      const upTo = Number(last.rows[0]?.last ?? -1);
      if (upTo > state.after) {
        // Counted by the database: nothing but codes and counts leaves it.
        const tallies = await sql<Tally>`
          select e->>'action' as action,
            coalesce(e->'reason'->>'code', e->'output'->>'kind', e->>'outcome', e->>'code', '') as detail,
            count(*) as n
          from (select convert_from(event, 'UTF8')::jsonb as e from audit_entries
                where log_id = ${id} and leaf_index > ${state.after} and leaf_index <= ${upTo}) entries
          where e->>'action' in (${sql.join(ACTIONS)})
          group by 1, 2`.execute(this.#db);
        for (const t of tallies.rows) {
          const name = counterOf(t.action);
          if (name === undefined) continue;
          const label = labelOf(name, t.action, t.detail);
          state.totals[name][label] = (state.totals[name][label] ?? 0) + Number(t.n);
        }
        state.after = upTo;
      }
      this.#tenants.set(id, state);
    }
    return new Map(
      [...this.#tenants].map(([id, s]) => [
        id,
        Object.fromEntries(
          Object.entries(s.totals).map(([name, byLabel]) => [name, { ...byLabel }]),
        ) as CounterTotals,
      ]),
    );
  }
}
