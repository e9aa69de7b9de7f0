/**
 * Alerts once raised: stored with one delivery row per webhook (a durable outbox), recorded in
 * the tenant's audit log as `alert.raised`, and delivered by {@link AlertDispatcher} with an
 * HMAC-SHA256 signature, retries with exponential backoff, and a dead-letter status after the
 * last attempt. A receiver that is down loses nothing: the rows wait in the database.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { AuditEventInput } from '../../audit/index.js';
import { hmacSha256 } from '../../crypto/hmac.js';
import { VeilError } from '../../errors/veil-error.js';
import type { AlertsPolicy } from '../../policy/schema.js';
import { SYSTEM_SCOPE, withTenantScope } from '../../store/database.js';
import { ensureTenant } from '../../store/repositories.js';
import type { Schema } from '../../store/schema.js';
import { privacyDb } from '../tables.js';
import type { RaisedAlert } from './detector.js';

/** The deployment's default webhook, from `VEIL_ALERT_WEBHOOK_URL` and `VEIL_ALERT_WEBHOOK_SECRET`. */
export const DEFAULT_WEBHOOK_ENV = {
  url: 'VEIL_ALERT_WEBHOOK_URL',
  secret: 'VEIL_ALERT_WEBHOOK_SECRET',
} as const;

/** The signature header: `sha256=<hex>` of HMAC-SHA256(secret, `<timestamp>.<body>`). */
export const SIGNATURE_HEADER = 'x-veil-signature';
/** Seconds since the epoch, signed with the body so a captured request cannot be replayed later unnoticed. */
export const TIMESTAMP_HEADER = 'x-veil-timestamp';

/** One webhook an alert goes to. */
export interface WebhookTarget {
  readonly target: string;
  readonly url: string;
  readonly secretEnv: string;
}

/**
 * The webhooks of a tenant: its policy's, else the deployment default when configured.
 *
 * @throws VeilError `VEIL_ALERT_WEBHOOK` when the default URL is not http(s).
 *
 * @example
 * ```ts
 * webhookTargets(policy.alerts, process.env); // [{ target: 'policy:0', url: 'https://…', secretEnv: 'ACME_ALERT_SECRET' }]
 * ```
 */
export function webhookTargets(
  alerts: AlertsPolicy | undefined,
  env: Readonly<Record<string, string | undefined>>,
): WebhookTarget[] {
  const own = (alerts?.webhooks ?? []).map((w, n) => ({
    target: `policy:${n}`,
    url: w.url,
    secretEnv: w.secret_env,
  }));
  if (own.length > 0) return own;
  const url = env[DEFAULT_WEBHOOK_ENV.url];
  if (url === undefined || url === '') return [];
  if (!/^https?:\/\//.test(url))
    throw new VeilError('VEIL_ALERT_WEBHOOK', `${DEFAULT_WEBHOOK_ENV.url}: expected an http(s) URL`);
  return [{ target: 'default', url, secretEnv: DEFAULT_WEBHOOK_ENV.secret }];
}

/** An alert as stored and listed. */
export interface StoredAlert {
  readonly id: string;
  readonly tenant: string;
  readonly rule: string;
  readonly principalId: string;
  readonly observed: number;
  readonly threshold: number;
  readonly windowSeconds: number;
  readonly raisedAt: Date;
  readonly deliveries: ReadonlyArray<{
    target: string;
    status: 'pending' | 'delivered' | 'dead';
    attempts: number;
    deliveredAt: Date | null;
    lastStatus: number | null;
  }>;
}

/** A stored alert and the webhooks it is still to reach: what {@link AlertDispatcher.deliver} sends. */
export interface AlertToDeliver {
  readonly alert: Omit<StoredAlert, 'deliveries'>;
  readonly deliveries: ReadonlyArray<{ target: string; url: string; secretEnv: string; attempts: number }>;
}

/**
 * Stores a raised alert and its deliveries in one transaction. The deliveries are stored claimed
 * for `leaseMs` (their first attempt is due only then): the caller sends them at once with
 * {@link AlertDispatcher.deliver}, and a poller, in this process or another, takes them over
 * only if that attempt never finished (a crash). Record `alert.raised` beside it with
 * {@link alertRaisedEvent}; delivery does not wait for the audit log.
 *
 * @example
 * ```ts
 * const stored = await storeAlert(db, alert, targets, { leaseMs: dispatcher.leaseMs });
 * await Promise.all([dispatcher.deliver(stored), log.append(alertRaisedEvent(alert))]);
 * ```
 */
export async function storeAlert(
  db: Kysely<Schema>,
  alert: RaisedAlert,
  targets: readonly WebhookTarget[],
  options: { readonly leaseMs: number },
): Promise<AlertToDeliver> {
  const id = randomUUID();
  const raisedAt = new Date(alert.at);
  await ensureTenant(db, alert.tenant);
  await withTenantScope(db, alert.tenant, async (trx) => {
    const pdb = privacyDb(trx);
    await pdb
      .insertInto('alerts')
      .values({
        tenant_id: alert.tenant,
        id,
        rule: alert.rule,
        principal_id: alert.principalId,
        observed: alert.observed,
        threshold: alert.threshold,
        window_seconds: alert.windowSeconds,
        raised_at: raisedAt,
      })
      .execute();
    if (targets.length > 0)
      await pdb
        .insertInto('alert_deliveries')
        .values(
          targets.map((t) => ({
            tenant_id: alert.tenant,
            alert_id: id,
            target: t.target,
            url: t.url,
            secret_env: t.secretEnv,
            status: 'pending' as const,
            next_attempt_at: new Date(Date.now() + options.leaseMs),
          })),
        )
        .execute();
  });
  return {
    alert: {
      id,
      tenant: alert.tenant,
      rule: alert.rule,
      principalId: alert.principalId,
      observed: alert.observed,
      threshold: alert.threshold,
      windowSeconds: alert.windowSeconds,
      raisedAt,
    },
    deliveries: targets.map((t) => ({ target: t.target, url: t.url, secretEnv: t.secretEnv, attempts: 0 })),
  };
}

/**
 * The `alert.raised` audit event of an alert: the rule as its code, the principal, the counts.
 *
 * @example
 * ```ts
 * await logs.forTenant(alert.tenant).append(alertRaisedEvent(alert));
 * ```
 */
export function alertRaisedEvent(alert: RaisedAlert): AuditEventInput {
  return {
    time: new Date(alert.at).toISOString(),
    actor: { id: 'veil-anomaly', role: 'system' },
    tenant: alert.tenant,
    action: 'alert.raised',
    objects: [{ kind: 'principal', id: alert.principalId }],
    code: alert.rule,
    counts: { observed: alert.observed, threshold: alert.threshold, window_seconds: alert.windowSeconds },
  };
}

/**
 * A tenant's alerts, newest first, with their deliveries.
 *
 * @example
 * ```ts
 * const recent = await listAlerts(db, 'acme', { limit: 50 });
 * ```
 */
export async function listAlerts(
  db: Kysely<Schema>,
  tenant: string,
  options: { limit: number; since?: Date },
): Promise<StoredAlert[]> {
  return withTenantScope(db, tenant, async (trx) => {
    const pdb = privacyDb(trx);
    let query = pdb.selectFrom('alerts').selectAll().where('tenant_id', '=', tenant);
    if (options.since !== undefined) query = query.where('raised_at', '>=', options.since);
    const alerts = await query.orderBy('raised_at', 'desc').orderBy('id').limit(options.limit).execute();
    const deliveries =
      alerts.length === 0
        ? []
        : await pdb
            .selectFrom('alert_deliveries')
            .select(['alert_id', 'target', 'status', 'attempts', 'delivered_at', 'last_status'])
            .where('tenant_id', '=', tenant)
            .where(
              'alert_id',
              'in',
              alerts.map((a) => a.id),
            )
            .orderBy('target')
            .execute();
    return alerts.map((a) => ({
      id: a.id,
      tenant: a.tenant_id,
      rule: a.rule,
      principalId: a.principal_id,
      observed: a.observed,
      threshold: a.threshold,
      windowSeconds: a.window_seconds,
      raisedAt: a.raised_at,
      deliveries: deliveries
        .filter((d) => d.alert_id === a.id)
        .map((d) => ({
          target: d.target,
          status: d.status,
          attempts: d.attempts,
          deliveredAt: d.delivered_at,
          lastStatus: d.last_status,
        })),
    }));
  });
}

/**
 * The webhook body: Slack-compatible `text`, and the alert's fields. Rule, ids and counts only.
 *
 * @example
 * ```ts
 * alertBody(alert).text; // 'Veil alert in tenant acme: reveal_burst by user-dpo, 10 in 60 s (threshold 10)'
 * ```
 */
export function alertBody(alert: Omit<StoredAlert, 'deliveries'>): Record<string, unknown> {
  const window = alert.windowSeconds > 0 ? ` in ${alert.windowSeconds} s` : '';
  return {
    text: `Veil alert in tenant ${alert.tenant}: ${alert.rule} by ${alert.principalId}, ${alert.observed}${window} (threshold ${alert.threshold})`,
    alert: {
      id: alert.id,
      tenant: alert.tenant,
      rule: alert.rule,
      principal: alert.principalId,
      observed: alert.observed,
      threshold: alert.threshold,
      window_seconds: alert.windowSeconds,
      raised_at: alert.raisedAt.toISOString(),
    },
  };
}

/**
 * The signature of a webhook request: hex HMAC-SHA256 under `secret` of `<timestamp>.<body>`.
 *
 * @example
 * ```ts
 * signWebhook(secret, '1767225600', body); // 'sha256=…'
 * ```
 */
export function signWebhook(secret: string, timestamp: string, body: string): string {
  return `sha256=${hmacSha256(Buffer.from(secret, 'utf8'), `${timestamp}.${body}`).toString('hex')}`;
}

/** What the dispatcher takes. */
export interface DispatcherOptions {
  readonly db: Kysely<Schema>;
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** How often due retries are looked for, in ms (default 1000). A new alert does not wait for it. */
  readonly pollMs?: number;
  /** The first retry's delay in ms, doubled each attempt up to `maxDelayMs` (default 1000). */
  readonly baseDelayMs?: number;
  readonly maxDelayMs?: number;
  /** Attempts before a delivery is dead-lettered (default 30: about 2 hours at the default delays). */
  readonly maxAttempts?: number;
  readonly timeoutMs?: number;
  readonly onError?: (error: unknown) => void;
}

interface DeliveryRow {
  readonly alert: Omit<StoredAlert, 'deliveries'>;
  readonly target: string;
  readonly url: string;
  readonly secretEnv: string;
  readonly attempts: number;
}

interface ClaimedRow {
  tenant_id: string;
  alert_id: string;
  target: string;
  url: string;
  secret_env: string;
  attempts: number;
  rule: string;
  principal_id: string;
  observed: number;
  threshold: number;
  window_seconds: number;
  raised_at: Date | string;
}

/**
 * Delivers alert webhooks. A new alert is sent at once by the process that raised it
 * ({@link AlertDispatcher.deliver}: no poll, no query, so its latency is one loopback POST and
 * one row update); retries, and deliveries whose first attempt a crash cut short, come from the
 * outbox, which a pass claims under a lease (`for update skip locked`), so two processes never
 * send the same attempt.
 *
 * @example
 * ```ts
 * const dispatcher = new AlertDispatcher({ db });
 * dispatcher.start();
 * await dispatcher.deliver(await storeAlert(db, alert, targets, { leaseMs: dispatcher.leaseMs }));
 * await dispatcher.stop();
 * ```
 */
export class AlertDispatcher {
  readonly #options: Required<Omit<DispatcherOptions, 'onError'>> & Pick<DispatcherOptions, 'onError'>;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  readonly #sending = new Set<Promise<void>>();
  #again = false;
  #stopped = false;

  constructor(options: DispatcherOptions) {
    this.#options = {
      env: process.env,
      pollMs: 1000,
      baseDelayMs: 1000,
      maxDelayMs: 300_000,
      maxAttempts: 30,
      timeoutMs: 5000,
      ...options,
    };
  }

  /** How long a claimed attempt is its claimant's: the request's timeout and a margin for the row update. */
  get leaseMs(): number {
    return this.#options.timeoutMs + 5000;
  }

  start(): void {
    this.#timer = setInterval(() => this.wake(), this.#options.pollMs);
    this.#timer.unref();
  }

  /** Sends the first attempt of a stored alert's deliveries now, in parallel, and records each outcome. */
  async deliver(stored: AlertToDeliver): Promise<void> {
    if (this.#stopped) return; // the lease runs out and a poller sends it
    const sending = Promise.all(
      stored.deliveries.map((d) => this.#attempt({ alert: stored.alert, ...d })),
    ).then(() => undefined);
    this.#sending.add(sending);
    try {
      await sending;
    } finally {
      this.#sending.delete(sending);
    }
  }

  /** Looks for due retries now (one pass at a time; a wake during a pass runs another after it). */
  wake(): void {
    if (this.#stopped) return;
    if (this.#running !== undefined) {
      this.#again = true;
      return;
    }
    this.#running = (async () => {
      do {
        this.#again = false;
        try {
          await this.#pass();
        } catch (error) {
          this.#options.onError?.(error);
        }
      } while (this.#again && !this.#stopped);
    })().finally(() => (this.#running = undefined));
  }

  /** Resolves once no pass and no first attempt is running (tests, and before closing the database). */
  async idle(): Promise<void> {
    while (this.#running !== undefined || this.#sending.size > 0)
      await Promise.allSettled([this.#running, ...this.#sending]);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#timer);
    await this.idle();
  }

  async #pass(): Promise<void> {
    const now = new Date();
    const lease = new Date(now.getTime() + this.leaseMs);
    const claimed = await withTenantScope(this.#options.db, SYSTEM_SCOPE, (trx) =>
      sql<ClaimedRow>`
        update alert_deliveries d set next_attempt_at = ${lease}
        from alerts a
        where a.tenant_id = d.tenant_id and a.id = d.alert_id
          and (d.tenant_id, d.alert_id, d.target) in (
            select tenant_id, alert_id, target from alert_deliveries
            where status = 'pending' and next_attempt_at <= ${now}
            order by next_attempt_at limit 50
            for update skip locked)
        returning d.tenant_id, d.alert_id, d.target, d.url, d.secret_env, d.attempts,
          a.rule, a.principal_id, a.observed, a.threshold, a.window_seconds, a.raised_at`.execute(trx),
    );
    const due = [...claimed.rows].sort(
      (a, b) => new Date(a.raised_at).getTime() - new Date(b.raised_at).getTime(),
    );
    for (const row of due) {
      if (this.#stopped) return;
      await this.#attempt({
        alert: {
          id: row.alert_id,
          tenant: row.tenant_id,
          rule: row.rule,
          principalId: row.principal_id,
          observed: row.observed,
          threshold: row.threshold,
          windowSeconds: row.window_seconds,
          raisedAt: new Date(row.raised_at),
        },
        target: row.target,
        url: row.url,
        secretEnv: row.secret_env,
        attempts: row.attempts,
      });
    }
    if (due.length === 50) this.#again = true;
  }

  async #attempt(row: DeliveryRow): Promise<void> {
    const body = JSON.stringify(alertBody(row.alert));
    const secret = this.#options.env[row.secretEnv];
    let status: number | null = null;
    if (secret !== undefined && secret !== '') {
      const timestamp = String(Math.floor(Date.now() / 1000));
      try {
        const response = await fetch(row.url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            [TIMESTAMP_HEADER]: timestamp,
            [SIGNATURE_HEADER]: signWebhook(secret, timestamp, body),
            'x-veil-alert-id': row.alert.id,
          },
          body,
          redirect: 'manual',
          signal: AbortSignal.timeout(this.#options.timeoutMs),
        });
        status = response.status;
        await response.body?.cancel();
      } catch {
        status = 0; // no answer: refused, reset or timed out
      }
    }
    const attempts = row.attempts + 1;
    const delivered = status !== null && status >= 200 && status < 300;
    // A missing secret is a configuration error: dead at once rather than sent unsigned.
    const dead = !delivered && (status === null || attempts >= this.#options.maxAttempts);
    const delay = Math.min(this.#options.maxDelayMs, this.#options.baseDelayMs * 2 ** (attempts - 1));
    await withTenantScope(this.#options.db, row.alert.tenant, (trx) =>
      privacyDb(trx)
        .updateTable('alert_deliveries')
        .set({
          status: delivered ? 'delivered' : dead ? 'dead' : 'pending',
          attempts,
          last_status: status,
          delivered_at: delivered ? new Date() : null,
          next_attempt_at: new Date(Date.now() + delay),
        })
        .where('tenant_id', '=', row.alert.tenant)
        .where('alert_id', '=', row.alert.id)
        .where('target', '=', row.target)
        .execute(),
    );
  }
}
