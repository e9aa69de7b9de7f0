/**
 * The access anomaly detector: rules over the audit stream and the API's request outcomes, with
 * sliding windows and per-principal baselines kept in memory. It sees ids, actions, status codes
 * and hashed source addresses only, and its alerts name a rule, a principal and counts: never a
 * document value. Pure and synchronous (the clock is the observation's time), so the hot path
 * pays a few map lookups per event.
 */
import type { AlertsPolicy } from '../../policy/schema.js';

/** Rule codes, as `alert.raised` events and webhooks name them. */
export const ALERT_RULES = [
  'reveal_burst',
  'download_burst',
  'dsr_export_burst',
  'outside_hours',
  'denied_burst',
  'not_found_burst',
  'api_key_new_address',
  'crops_outlier',
] as const;
export type AlertRule = (typeof ALERT_RULES)[number];

/** Thresholds when the policy gives none. */
export const DEFAULT_THRESHOLDS = {
  reveals_per_minute: 10,
  downloads_per_minute: 30,
  dsr_exports_per_hour: 5,
  denied_per_minute: 10,
  not_found_per_minute: 20,
  crops_peer_factor: 5,
  crops_min: 50,
} as const;

/** An event of the audit stream, as the detector needs it. */
export interface AuditObservation {
  readonly kind: 'audit';
  readonly tenant: string;
  readonly action: string;
  readonly actorId: string;
  readonly actorRole: string;
  /** Milliseconds since the epoch. */
  readonly time: number;
}

/** The outcome of one API request. */
export interface RequestObservation {
  readonly kind: 'request';
  /** The caller's tenant, when it authenticated. */
  readonly tenant?: string;
  /** The caller's audit id, when it authenticated. */
  readonly principalId?: string;
  readonly principalKind?: 'user' | 'service';
  readonly status: number;
  /** The route names a resource id (`/v1/jobs/:id`): a 404 there is a probe of an id. */
  readonly byId: boolean;
  /** A keyed hash of the client address (`src:` and hex), never the address. */
  readonly source: string;
  readonly time: number;
}

export type Observation = AuditObservation | RequestObservation;

/** An alert: which rule, about whom, and the counts. */
export interface RaisedAlert {
  readonly tenant: string;
  readonly rule: AlertRule;
  readonly principalId: string;
  readonly observed: number;
  readonly threshold: number;
  readonly windowSeconds: number;
  readonly at: number;
}

/** The tenant of events that belong to no tenant (failed authentication). */
export const NO_TENANT = 'veil:system';

const MINUTE = 60_000;
const HOUR = 3_600_000;
// After an alert, the same rule about the same principal stays quiet this long: one burst, one alert.
const COOLDOWN = 10 * MINUTE;
const MAX_KEYS = 100_000;
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;

// DSR exports and crop views are recorded by other layers (governance, review). Governance
// records a subject-access export as `dsr.access` (it hands out the subject's data); the pattern
// also takes `dsr.export`-style names as `admin.*` or first-class actions. The review queue records
// each crop a reviewer opens as `review.task.viewed`.
const DSR_EXPORT = /^(?:admin\.)?dsr\.(?:access|(?:[a-z_]+\.)?export(?:ed)?)$/;
const CROP_VIEW = /^(?:admin\.)?review\.(?:task\.viewed|crop(?:_viewed|\.viewed)?)$/;
const SENSITIVE = (action: string): boolean =>
  action === 'job.reveal' || action === 'job.download' || DSR_EXPORT.test(action);

function minutesOf(hhmm: string): number {
  const [h, m] = hhmm.split(':');
  return Number(h) * 60 + Number(m);
}

/**
 * True when `time` falls inside the tenant's working hours (always true without any).
 *
 * @example
 * ```ts
 * withinWorkingHours(Date.parse('2026-03-02T22:00:00Z'), { start: '08:00', end: '18:00' }); // false
 * ```
 */
export function withinWorkingHours(time: number, hours: AlertsPolicy['working_hours']): boolean {
  if (hours === undefined) return true;
  const local = new Date(time + (hours.utc_offset_minutes ?? 0) * MINUTE);
  const day = DAYS[local.getUTCDay()]!;
  if (!(hours.days ?? ['mon', 'tue', 'wed', 'thu', 'fri']).includes(day)) return false;
  const minute = local.getUTCHours() * 60 + local.getUTCMinutes();
  const [start, end] = [minutesOf(hours.start), minutesOf(hours.end)];
  return start <= end ? minute >= start && minute < end : minute >= start || minute < end;
}

/**
 * The detector. `settingsFor` returns a tenant's `alerts:` policy (or undefined for the defaults);
 * it is called on the hot path, so it must answer from memory.
 *
 * @example
 * ```ts
 * const detector = new AnomalyDetector(() => undefined);
 * detector.observe({ kind: 'audit', tenant: 'acme', action: 'job.reveal', actorId: 'user-1', actorRole: 'user', time: Date.now() }); // []
 * ```
 */
export class AnomalyDetector {
  readonly #settingsFor: (tenant: string) => AlertsPolicy | undefined;
  readonly #windows = new Map<string, number[]>();
  readonly #quietUntil = new Map<string, number>();
  readonly #keyAddresses = new Map<string, Set<string>>();
  readonly #crops = new Map<string, Map<string, number[]>>();

  constructor(settingsFor: (tenant: string) => AlertsPolicy | undefined) {
    this.#settingsFor = settingsFor;
  }

  /** Feeds one observation; returns the alerts it raises (usually none). */
  observe(observation: Observation): RaisedAlert[] {
    const tenant = observation.tenant ?? NO_TENANT;
    const settings = tenant === NO_TENANT ? undefined : this.#settingsFor(tenant);
    if (settings?.enabled === false) return [];
    const t = { ...DEFAULT_THRESHOLDS, ...settings?.thresholds };
    const alerts: RaisedAlert[] = [];
    const raise = (
      rule: AlertRule,
      principalId: string,
      observed: number,
      threshold: number,
      windowMs: number,
      cooldown = COOLDOWN,
    ): void => {
      const key = `${tenant}|${rule}|${principalId}`;
      if ((this.#quietUntil.get(key) ?? 0) > observation.time) return;
      this.#quietUntil.set(key, observation.time + cooldown);
      alerts.push({
        tenant,
        rule,
        principalId,
        observed,
        threshold,
        windowSeconds: windowMs / 1000,
        at: observation.time,
      });
    };
    const burst = (rule: AlertRule, principalId: string, threshold: number, windowMs: number): void => {
      const observed = this.#count(`${tenant}|${rule}|${principalId}`, observation.time, windowMs, threshold);
      if (observed >= threshold) raise(rule, principalId, observed, threshold, windowMs);
    };

    if (observation.kind === 'audit') {
      const { action, actorId, actorRole } = observation;
      if (action === 'alert.raised') return [];
      if (action === 'job.reveal') burst('reveal_burst', actorId, t.reveals_per_minute, MINUTE);
      else if (action === 'job.download') burst('download_burst', actorId, t.downloads_per_minute, MINUTE);
      else if (DSR_EXPORT.test(action)) burst('dsr_export_burst', actorId, t.dsr_exports_per_hour, HOUR);
      else if (CROP_VIEW.test(action))
        this.#cropOutlier(tenant, actorId, observation.time, t.crops_peer_factor, t.crops_min, raise);
      const person = actorRole !== 'system' && actorRole !== 'service';
      if (person && SENSITIVE(action) && !withinWorkingHours(observation.time, settings?.working_hours))
        raise('outside_hours', actorId, 1, 0, 0, HOUR);
    } else {
      const { status, source } = observation;
      if (status === 401 || status === 403) burst('denied_burst', source, t.denied_per_minute, MINUTE);
      if (status === 404 && observation.byId)
        burst('not_found_burst', observation.principalId ?? source, t.not_found_per_minute, MINUTE);
      if (observation.principalKind === 'service' && observation.principalId !== undefined && status < 400) {
        const seen = this.#keyAddresses.get(observation.principalId);
        if (seen === undefined) this.#keyAddresses.set(observation.principalId, new Set([source]));
        else if (!seen.has(source)) {
          // A key's first address is its baseline; any later new one is worth a look.
          if (seen.size < 64) seen.add(source);
          raise('api_key_new_address', observation.principalId, seen.size, 1, 0, HOUR);
        }
      }
    }
    if (this.#windows.size > MAX_KEYS) this.#prune(observation.time);
    return alerts;
  }

  // Events of `key` in the last `windowMs`, this one included; at most `cap` kept.
  #count(key: string, now: number, windowMs: number, cap: number): number {
    const times = this.#windows.get(key) ?? [];
    times.push(now);
    while (times.length > 0 && times[0]! <= now - windowMs) times.shift();
    if (times.length > cap * 2) times.splice(0, times.length - cap * 2);
    this.#windows.set(key, times);
    return times.length;
  }

  // A reviewer whose crop views in the last hour reach `min` and `factor` times the peers' median.
  #cropOutlier(
    tenant: string,
    reviewer: string,
    now: number,
    factor: number,
    min: number,
    raise: (
      rule: AlertRule,
      principalId: string,
      observed: number,
      threshold: number,
      windowMs: number,
    ) => void,
  ): void {
    let byReviewer = this.#crops.get(tenant);
    if (byReviewer === undefined) this.#crops.set(tenant, (byReviewer = new Map()));
    const times = byReviewer.get(reviewer) ?? [];
    times.push(now);
    byReviewer.set(reviewer, times);
    const counts = new Map<string, number>();
    for (const [id, list] of byReviewer) {
      while (list.length > 0 && list[0]! <= now - HOUR) list.shift();
      if (list.length === 0 && id !== reviewer) byReviewer.delete(id);
      else counts.set(id, list.length);
    }
    const peers = [...counts]
      .filter(([id]) => id !== reviewer)
      .map(([, n]) => n)
      .sort((a, b) => a - b);
    if (peers.length < 2) return;
    const median = peers[Math.floor(peers.length / 2)]!;
    const threshold = Math.max(min, factor * Math.max(1, median));
    const observed = counts.get(reviewer)!;
    if (observed >= threshold) raise('crops_outlier', reviewer, observed, threshold, HOUR);
  }

  #prune(now: number): void {
    for (const [key, times] of this.#windows)
      if (times.length === 0 || times.at(-1)! <= now - HOUR) this.#windows.delete(key);
    for (const [key, until] of this.#quietUntil) if (until <= now) this.#quietUntil.delete(key);
  }
}
