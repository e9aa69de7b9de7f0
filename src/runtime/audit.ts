/**
 * The composition root of the audit log: the database store, the Ed25519 signing key kept in
 * the data directory, and one {@link AuditLog} per log id, wired once per process and shared by
 * `veil serve`, the CLI and the job workers (`veil worker`).
 *
 * Log ids. Each tenant has its own log, whose id is the tenant id (`DatabaseAuditStore(db,
 * tenantId)`): an auditor of one tenant reads, exports and proves against a tree that holds only
 * that tenant's events, and tree sizes reveal nothing about other tenants. Events that belong to
 * no tenant (a request that failed authentication names no tenant anyone can trust) go to the
 * system log, {@link SYSTEM_AUDIT_LOG} = `veil:system`. A tenant id can never be `veil:system`,
 * because tenant ids have no `:` (`isTenantId`), so the two kinds of log cannot collide.
 *
 * One signing key serves every log of a deployment. Processes that share a PostgreSQL database
 * must share the key file too (copy `<dataDir>/audit-signing-key.pem`), or their heads would be
 * signed by different keys and an export would name the odd one out.
 */
import { createHash, randomUUID } from 'node:crypto';
import { link, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import {
  AuditLog,
  createAuditSigner,
  exportAuditLog,
  exportAuditPrivateKey,
  generateAuditKeyPair,
  importAuditPrivateKey,
  serializeAuditExport,
} from '../audit/index.js';
import type {
  AuditEventInput,
  AuditLogOptions,
  AuditReceipt,
  AuditSigner,
  SignedTreeHead,
} from '../audit/index.js';
import type { ApiDependencies, AuditRecorder, SecurityEvent } from '../api/ports.js';
import type { Role } from '../access/permissions.js';
import type { Principal } from '../access/principal.js';
import { VeilError } from '../errors/veil-error.js';
import { DatabaseAuditStore } from '../store/audit-store.js';
import type { Schema } from '../store/schema.js';
import type { WorkerEvent } from '../pipeline/worker.js';
import { SYSTEM_AUDIT_LOG } from './system-audit-log.js';

export { SYSTEM_AUDIT_LOG };

/** The signing key's file name inside the data directory (PKCS#8 PEM, mode 0600). */
export const AUDIT_KEY_FILE = 'audit-signing-key.pem';

/**
 * Tree heads are signed after every this many appends to a log (and on demand). Tampering with an
 * entry that a head covers is pinned to the span between two heads, so the span is kept short;
 * a head is one small row per 64 entries.
 */
export const DEFAULT_SIGN_EVERY = 64;

function keyFileError(path: string, what: string, cause?: unknown): VeilError {
  return new VeilError(
    'VEIL_AUDIT_SIGNING_KEY',
    `audit signing key: ${path}: ${what}`,
    cause === undefined ? undefined : { cause },
  );
}

async function createKeyFile(path: string): Promise<void> {
  // Written whole to a private temporary name, then linked into place: link() fails if another
  // process won the race, and nobody can ever read a half-written key.
  const temp = `${path}.${process.pid}.${randomUUID()}.tmp`;
  await writeFile(temp, exportAuditPrivateKey(generateAuditKeyPair()), { mode: 0o600, flag: 'wx' });
  try {
    await link(temp, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    await rm(temp, { force: true });
  }
}

/**
 * The audit signer of a data directory: the Ed25519 key in `<dataDir>/audit-signing-key.pem`,
 * created (0600) on first use. A key file that group or others can read is refused, as ssh
 * refuses such a private key.
 *
 * @throws VeilError `VEIL_AUDIT_SIGNING_KEY` naming the file (never key material).
 *
 * @example
 * ```ts
 * const signer = await loadAuditSigner('.veil');
 * exportAuditPublicKey(signer).jwk; // what /v1/audit/public-key serves
 * ```
 */
export async function loadAuditSigner(dataDir: string): Promise<AuditSigner> {
  const path = join(dataDir, AUDIT_KEY_FILE);
  let text: string;
  try {
    await mkdir(dataDir, { recursive: true, mode: 0o700 });
    const existing = await stat(path).catch(() => undefined);
    if (existing === undefined) await createKeyFile(path);
    const info = await stat(path);
    if ((info.mode & 0o077) !== 0)
      throw keyFileError(
        path,
        `readable or writable by group or others (mode ${(info.mode & 0o777).toString(8)}); run chmod 600 on it`,
      );
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (error instanceof VeilError) throw error;
    throw keyFileError(
      path,
      `cannot create or read it (${(error as NodeJS.ErrnoException).code ?? 'unknown error'})`,
      error,
    );
  }
  try {
    return createAuditSigner(importAuditPrivateKey(text));
  } catch (error) {
    throw keyFileError(
      path,
      'not an Ed25519 private key in PKCS#8 PEM; restore it from backup (a new key cannot sign for the old heads)',
      error,
    );
  }
}

/** What {@link openAuditLog} takes. */
export interface OpenAuditLogOptions {
  readonly db: Kysely<Schema>;
  /** Where the signing key lives (`<dataDir>/audit-signing-key.pem`). */
  readonly dataDir: string;
  /** A tenant id, or {@link SYSTEM_AUDIT_LOG}. */
  readonly logId: string;
  /** Sign a head after every this many appends (default {@link DEFAULT_SIGN_EVERY}). */
  readonly signEvery?: number;
  /** A signer already loaded (tests, a KMS); otherwise the data directory's key file. */
  readonly signer?: AuditSigner;
  /** Milliseconds since the epoch for head timestamps (default `Date.now`). */
  readonly clock?: () => number;
  /** The deployment region (`VEIL_REGION`), recorded in every event. */
  readonly region?: string;
  /** Told of every event stored in any of the logs (the anomaly detector). */
  readonly onAppend?: AuditLogOptions['onAppend'];
  /**
   * When due heads are signed (see `AuditLogOptions.heads`): `after-append` in a server, which
   * awaits {@link AuditLogs.settled} before it closes the database; the default elsewhere.
   */
  readonly heads?: AuditLogOptions['heads'];
  /** Told of a head signed after the append that failed (with `heads: 'after-append'`). */
  readonly onHeadError?: AuditLogOptions['onHeadError'];
}

/**
 * One audit log on the database, signing with the data directory's key: a head every
 * `signEvery` appends, and on demand (`log.treeHead()`).
 *
 * @example
 * ```ts
 * const log = await openAuditLog({ db: handle.db, dataDir: '.veil', logId: 'acme' });
 * const { index } = await log.append(event);
 * const receipt = await log.receipt(index);
 * ```
 */
export async function openAuditLog(options: OpenAuditLogOptions): Promise<AuditLog> {
  const signer = options.signer ?? (await loadAuditSigner(options.dataDir));
  return new AuditLog({
    store: new DatabaseAuditStore(options.db, options.logId),
    signer,
    signEvery: options.signEvery ?? DEFAULT_SIGN_EVERY,
    ...(options.clock === undefined ? {} : { clock: options.clock }),
  });
}

/**
 * The audit logs of a process: one {@link AuditLog} per log id, sharing one signer. An AuditLog
 * must be shared within a process (it serialises appends and caches the tree), hence the cache.
 */
export interface AuditLogs {
  readonly signer: AuditSigner;
  /** The tenant's log (its id is the tenant id). */
  forTenant(tenantId: string): AuditLog;
  /** The log of events without a tenant. */
  readonly system: AuditLog;
  /**
   * The latest signed head of `log`, signing a new one when there is none or the log has grown
   * since. Heads are signed only over new entries, so callers cannot make more heads than appends.
   */
  currentTreeHead(log: AuditLog): Promise<SignedTreeHead>;
  /**
   * Appends `event` to its tenant's log (`event.tenant`) and returns the receipt: the event, its
   * leaf index, its inclusion proof and a signed head covering it. What a deletion returns.
   */
  recordWithReceipt(event: AuditEventInput): Promise<AuditReceipt>;
  /** The API's audit port: security events from the guard, as audit events. */
  readonly recorder: AuditRecorder;
  /** Resolves once every append and head queued so far in any of the logs is written or failed. */
  settled(): Promise<void>;
}

/**
 * Opens the audit logs of a process on one database and the data directory's signing key.
 *
 * @example
 * ```ts
 * const logs = await openAuditLogs({ db: handle.db, dataDir: '.veil' });
 * const receipt = await logs.recordWithReceipt(jobDeletedEvent({ tenant: 'acme', jobId, policyHash, artifacts, actor }));
 * ```
 */
export async function openAuditLogs(options: Omit<OpenAuditLogOptions, 'logId'>): Promise<AuditLogs> {
  const signer = options.signer ?? (await loadAuditSigner(options.dataDir));
  const cache = new Map<string, AuditLog>();
  const open = (logId: string): AuditLog => {
    let log = cache.get(logId);
    if (log === undefined) {
      log = new AuditLog({
        store: new DatabaseAuditStore(options.db, logId),
        signer,
        signEvery: options.signEvery ?? DEFAULT_SIGN_EVERY,
        ...(options.clock === undefined ? {} : { clock: options.clock }),
        ...(options.region === undefined ? {} : { region: options.region }),
        ...(options.onAppend === undefined ? {} : { onAppend: options.onAppend }),
        ...(options.heads === undefined ? {} : { heads: options.heads }),
        ...(options.onHeadError === undefined ? {} : { onHeadError: options.onHeadError }),
      });
      cache.set(logId, log);
    }
    return log;
  };
  // Events of a tenant go to its log; events without one (failed authentication) to the system log.
  const logOf = (event: AuditEventInput): AuditLog =>
    event.tenant === SYSTEM_AUDIT_LOG ? open(SYSTEM_AUDIT_LOG) : logs.forTenant(event.tenant);
  const logs: AuditLogs = {
    signer,
    forTenant: (tenantId) => {
      if (tenantId.includes(':')) throw new VeilError('VEIL_INVALID_INPUT', 'audit: a tenant id has no `:`');
      return open(tenantId);
    },
    get system() {
      return open(SYSTEM_AUDIT_LOG);
    },
    currentTreeHead,
    recordWithReceipt: async (event) => {
      const log = logOf(event);
      const { index } = await log.append(event);
      return log.receipt(index);
    },
    // A security event needs no receipt: a plain append.
    recorder: {
      record: async (event) => {
        const input = securityAuditEvent(event, options.clock);
        await logOf(input).append(input);
      },
    },
    settled: async () => {
      await Promise.all([...cache.values()].map((log) => log.settled()));
    },
  };
  return logs;
}

async function currentTreeHead(log: AuditLog): Promise<SignedTreeHead> {
  const [latest, size] = await Promise.all([log.latestTreeHead(), log.size()]);
  if (latest !== undefined && latest.tree_size >= size) return latest;
  return log.treeHead();
}

// Principal roles as the event schema names actors. Processor and DPO are people acting as users.
const ACTOR_ROLE: Readonly<Record<Role, 'admin' | 'auditor' | 'reviewer' | 'user'>> = {
  admin: 'admin',
  auditor: 'auditor',
  reviewer: 'reviewer',
  processor: 'user',
  dpo: 'user',
};

/**
 * The audit actor for a principal: its id (hashed when it is not a safe id) and the most
 * privileged role the event schema names.
 *
 * @example
 * ```ts
 * auditActor({ id: 'u-1', tenantId: 'acme', roles: ['dpo'], kind: 'user' }); // { id: 'u-1', role: 'user' }
 * ```
 */
export function auditActor(principal: Pick<Principal, 'id' | 'roles' | 'kind'>): AuditEventInput['actor'] {
  const role =
    principal.roles.map((r) => ACTOR_ROLE[r]).find((r) => r !== 'user') ??
    (principal.kind === 'service' ? 'service' : 'user');
  return { id: auditActorId(principal.id), role };
}

const EVENT_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

/**
 * An actor id as an audit event may hold it. A subject that is not an opaque id (an identity
 * provider's `sub` can be an e-mail address) is replaced by `sub:` and 32 hex digits of its
 * SHA-256: stable, so an auditor can follow one actor, without putting the address in the log.
 *
 * @example
 * ```ts
 * auditActorId('apikey:k_01HZ'); // 'apikey:k_01HZ'
 * auditActorId('jane@example.org'); // 'sub:…' (32 hex digits)
 * ```
 */
export function auditActorId(id: string): string {
  if (EVENT_ID.test(id) && !/^tok_/i.test(id) && !/^(?:\d[\s._:-]?){7,}$/.test(id)) return id;
  return `sub:${createHash('sha256').update(id, 'utf8').digest('hex').slice(0, 32)}`;
}

/**
 * The audit event of a security event from the API guard: `auth.failed` in the system log (the
 * request named no tenant it could prove), `permission.denied` in the principal's tenant log.
 * Ids, reason codes and the permission only; never a credential.
 *
 * @example
 * ```ts
 * securityAuditEvent({ kind: 'permission.denied', requestId, principal, permission: 'audit:read', route: 'GET /v1/audit/entries' });
 * // { action: 'permission.denied', tenant: 'acme', actor: { id: 'user-1', role: 'user' }, permission: 'audit.read', … }
 * ```
 */
export function securityAuditEvent(event: SecurityEvent, now: () => number = Date.now): AuditEventInput {
  const time = new Date(now()).toISOString();
  const request = { kind: 'request' as const, id: event.requestId };
  if (event.kind === 'auth.failed') {
    return {
      time,
      actor: { id: 'anonymous', role: 'anonymous' },
      tenant: SYSTEM_AUDIT_LOG,
      action: 'auth.failed',
      objects: [request],
      // The access layer says `api_key` when an API key was refused; every other credential is a token.
      method: event.reason === 'api_key' ? 'api_key' : 'jwt',
      code:
        event.credential === 'none'
          ? 'missing'
          : event.reason !== undefined && /^[a-z][a-z0-9_]{0,63}$/.test(event.reason)
            ? event.reason
            : 'refused',
    };
  }
  const { principal } = event;
  if (event.kind === 'text.analyzed') {
    // Entity types become slugs (EMAIL_ADDRESS: email_address); the schema keeps at most 32.
    const counts = Object.entries(event.counts)
      .map(([type, n]) => [type.toLowerCase(), n] as const)
      .filter(([type]) => /^[a-z][a-z0-9_.-]{0,63}$/.test(type))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .slice(0, 32);
    return {
      time,
      actor: auditActor(principal),
      tenant: principal.tenantId,
      action: event.route === 'analyze' ? 'text.analyzed' : 'text.anonymized',
      objects: [request],
      counts: Object.fromEntries(counts),
    };
  }
  return {
    time,
    actor: auditActor(principal),
    tenant: principal.tenantId,
    action: 'permission.denied',
    objects: [request],
    // The schema's names are slugs without ':'; `audit:read` is recorded as `audit.read`.
    permission: event.permission.replaceAll(':', '.'),
  };
}

/** What a job deletion removed, as `deleteJob` in src/pipeline/jobs reports it (by shape). */
export interface DeletedJobSummary {
  readonly tenant: string;
  readonly jobId: string;
  readonly policyHash: string;
  readonly artifacts: ReadonlyArray<{ readonly artifactClass: string }>;
  readonly deletedAt: Date;
}

/**
 * The `job.deleted` event of a deletion: the job id, its policy hash and how many artifacts of
 * each class were hard-deleted (the job row itself counts as class `job`).
 *
 * @example
 * ```ts
 * const deleted = await deleteJob(store, { tenant, jobId });
 * const receipt = await logs.recordWithReceipt(
 *   jobDeletedEvent(deleted, { actor: { id: principal.id, role: 'user' }, trigger: 'request' }),
 * );
 * ```
 */
export function jobDeletedEvent(
  deleted: DeletedJobSummary,
  context: {
    readonly actor: AuditEventInput['actor'];
    readonly trigger: NonNullable<AuditEventInput['trigger']>;
  },
): AuditEventInput {
  const counts = new Map<string, number>([['job', 1]]);
  for (const artifact of deleted.artifacts)
    counts.set(artifact.artifactClass, (counts.get(artifact.artifactClass) ?? 0) + 1);
  return {
    time: deleted.deletedAt.toISOString(),
    actor: { id: auditActorId(context.actor.id), role: context.actor.role },
    tenant: deleted.tenant,
    action: 'job.deleted',
    objects: [{ kind: 'job', id: deleted.jobId }],
    ...(/^[0-9a-f]{64}$/.test(deleted.policyHash) ? { policy_hash: deleted.policyHash } : {}),
    deleted: [...counts]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([cls, count]) => ({ class: cls, count })),
    trigger: context.trigger,
  };
}

/**
 * The self-contained export (JSON Lines) of one log, after signing a head over any entries the
 * last head does not cover, so the whole log verifies. What `veil audit export` writes.
 *
 * @example
 * ```ts
 * const text = await exportAuditLogText(logs, 'acme');
 * await writeFile('acme-audit.jsonl', text);
 * ```
 */
export async function exportAuditLogText(logs: AuditLogs, tenant?: string): Promise<string> {
  const log = tenant === undefined ? logs.system : logs.forTenant(tenant);
  await logs.currentTreeHead(log);
  return serializeAuditExport(await exportAuditLog(log.store, logs.signer));
}

/**
 * The API dependencies that add the audit routes and the guard's audit hook.
 *
 * @example
 * ```ts
 * const app = await buildApp({ ...deps, ...auditApiDependencies(logs) });
 * ```
 */
export function auditApiDependencies(logs: AuditLogs): Pick<ApiDependencies, 'auditLog' | 'audit'> {
  return { auditLog: logs, audit: logs.recorder };
}

const STEP_OUTCOMES = { 'step-done': 'succeeded', 'step-retry': 'retried', 'job-failed': 'failed' } as const;

/**
 * Records a worker's step report as a `job.step` event in the job's tenant log: the step, its
 * outcome and error code, never content. Queue errors carry no job and are only logged.
 *
 * @example
 * ```ts
 * startWorkers({ ...runtime, onEvent: (event) => void recordWorkerEvent(logs, event) });
 * ```
 */
export async function recordWorkerEvent(
  logs: AuditLogs,
  event: WorkerEvent,
  now: () => number = Date.now,
): Promise<void> {
  if (event.kind === 'queue-error' || event.tenantId === undefined || event.jobId === undefined) return;
  await logs.forTenant(event.tenantId).append({
    time: new Date(now()).toISOString(),
    actor: { id: 'veil-worker', role: 'system' },
    tenant: event.tenantId,
    action: 'job.step',
    objects: [{ kind: 'job', id: event.jobId }],
    step: event.step ?? 'job',
    outcome: STEP_OUTCOMES[event.kind],
    ...(event.code !== undefined ? { code: event.code.toLowerCase() } : {}),
  });
}
