/**
 * Shared pieces of the job tests: a canary document, a store with a keyring and blobs in a temp
 * directory, and helpers that dump every table and walk every file looking for canaries.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sql } from 'kysely';
import { createLocalFileKeyProvider } from '../../../src/crypto/key-providers/local-file.js';
import { Keyring } from '../../../src/crypto/keyring.js';
import { getJobStatus } from '../../../src/pipeline/jobs/commands.js';
import type { JobStatusView } from '../../../src/pipeline/jobs/commands.js';
import { HeldWrites, runsWhole } from '../../../src/pipeline/jobs/held-writes.js';
import { readTogether } from '../../../src/pipeline/jobs/opening-reads.js';
import { runHeld } from '../../../src/pipeline/jobs/inline.js';
import type { JobPayload } from '../../../src/pipeline/jobs/queues.js';
import { createJobTasks, jobSnapshot } from '../../../src/pipeline/jobs/steps.js';
import { submitJob } from '../../../src/pipeline/jobs/submit.js';
import type { SubmitJobInput } from '../../../src/pipeline/jobs/submit.js';
import type { Runtime } from '../../../src/runtime/runtime.js';
import { loadPolicy, validatePolicy } from '../../../src/policy/index.js';
import type { Policy } from '../../../src/policy/index.js';
import { DatabaseKeyringStore, EncryptedFileBlobStore } from '../../../src/store/index.js';
import type { DatabaseHandle, StoreContext } from '../../../src/store/index.js';
import { packagePath } from '../../../src/package-root.js';
import { needleSearch } from '../../needles.js';

const NAMES = [
  'Zebulon Quartermaine',
  'Ottilie Farnsworth',
  'Leopold Vandersloot',
  'Philippa Ashcombe',
  'Cornelius Blackwood',
];

/** Unique fake values: none may appear anywhere in plaintext. */
export function canaries(n: number): { ssn: string; email: string; name: string } {
  const serial = String(1000 + n).slice(-4);
  return {
    ssn: `536-2${n % 10}-${serial}`,
    email: `canary.k7q${n}x@example.org`,
    name: NAMES[n % NAMES.length]!,
  };
}

export function canaryText(n: number): string {
  const c = canaries(n);
  return `Claim note ${n}.\nPlease contact ${c.name} by e-mail at ${c.email} about the claim.\nHis social security number is ${c.ssn}.\n`;
}

export const DEFAULT_POLICY: Policy = await loadPolicy(packagePath('policies', 'default.yaml'));

export function storeFor(handle: DatabaseHandle, dataDir: string): StoreContext & { keyring: Keyring } {
  const keyring = new Keyring({
    provider: createLocalFileKeyProvider({ path: join(dataDir, 'kek.key') }),
    store: new DatabaseKeyringStore(handle.db),
  });
  return {
    db: handle.db,
    blobs: new EncryptedFileBlobStore({ directory: join(dataDir, 'blobs'), keyring }),
    keyring,
  };
}

/** Every row of every table in Veil's and pg-boss's schemas, as text (bytea as latin1 too). */
export async function dumpTables(handle: DatabaseHandle): Promise<string> {
  const tables = await sql<{ schema: string; name: string }>`
    select table_schema as schema, table_name as name from information_schema.tables
    where table_schema in ('public', 'pgboss') and table_type = 'BASE TABLE'`.execute(handle.db);
  const parts: string[] = [];
  for (const { schema, name } of tables.rows) {
    // The store's row-level security hides tenant rows unless the scope says otherwise.
    const rows = await handle.db.transaction().execute(async (trx) => {
      await sql`select set_config('veil.tenant_id', '*', true)`.execute(trx);
      return (await sql.raw(`select * from "${schema}"."${name}"`).execute(trx)).rows;
    });
    parts.push(
      JSON.stringify(rows, (_key, value: unknown) =>
        value instanceof Uint8Array ? Buffer.from(value).toString('latin1') : value,
      ),
    );
  }
  return parts.join('\n');
}

/** Every file under `dir`, recursively. */
export async function walk(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await walk(path)));
    else if (entry.isFile()) out.push(path);
  }
  return out;
}

/** The files under `dir` whose bytes contain any of `needles`. */
export async function filesContaining(dir: string, needles: readonly string[]): Promise<string[]> {
  const hits: string[] = [];
  const find = needleSearch(needles);
  for (const file of await walk(dir)) if (find(await readFile(file)) !== undefined) hits.push(file);
  return hits;
}

/** Polls a job until its status is one of `states`, or fails after `timeoutMs`. */
export async function waitForJob(
  store: StoreContext,
  tenant: string,
  jobId: string,
  states: readonly string[],
  timeoutMs = 30_000,
): Promise<JobStatusView> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const view = await getJobStatus(store, { tenant, jobId });
    if (states.includes(view.status)) return view;
    if (Date.now() > deadline) throw new Error(`job ${jobId} stayed ${view.status} for ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The policy the crash and fault tests run under: the default, detecting e-mail addresses and SSNs only. */
export const CANARY_POLICY: Policy = validatePolicy({
  ...DEFAULT_POLICY,
  entities: ['EMAIL_ADDRESS', 'US_SSN'],
});

/**
 * A canary job's request: `bytes` in `tenant` under {@link CANARY_POLICY}, for claims intake with
 * the findings summary and the redacted document as outputs.
 *
 * @example
 * ```ts
 * await submitJob(deps, canaryJob('tenant-a', Buffer.from(canaryText(0)), 'text/plain'));
 * ```
 */
export function canaryJob(tenant: string, bytes: Uint8Array, mediaType: string): SubmitJobInput {
  return {
    tenant,
    bytes,
    mediaType,
    purpose: 'claims-intake',
    consent: { basis: 'contract', allowManualReview: false },
    outputs: ['findings_summary', 'redacted'],
    retentionDays: 3,
    policy: CANARY_POLICY,
  };
}

/**
 * Queues `count` canary text jobs in `tenant` (job n holds canaries(n)) under {@link CANARY_POLICY};
 * returns their ids in order. They run fused (one message each) unless `route` is `steps`.
 */
export async function submitCanaryJobs(
  runtime: Runtime,
  tenant: string,
  count: number,
  route: 'fused' | 'steps' = 'fused',
): Promise<string[]> {
  const deps = {
    db: runtime.handle.db,
    blobs: runtime.blobs,
    boss: runtime.boss,
    ...(route === 'steps' ? { fusedMaxBytes: 0 } : {}),
  };
  const ids: string[] = [];
  for (let n = 0; n < count; n += 1) {
    const { jobId } = await submitJob(deps, canaryJob(tenant, Buffer.from(canaryText(n)), 'text/plain'));
    ids.push(jobId);
  }
  return ids;
}

/**
 * Queue messages of Veil's job queues not yet settled (created, waiting to retry or active). A run
 * killed after its job's status and before its closing sweep leaves a finished job whose message is
 * retried once it expires, so "every job finished" is not yet "nothing left to do".
 */
export async function unsettledJobMessages(handle: Pick<DatabaseHandle, 'db'>): Promise<number> {
  const result = await sql<{ n: string }>`select count(*) as n from pgboss.job
    where name like 'veil-job-%' and state in ('created', 'retry', 'active')`.execute(handle.db);
  return Number(result.rows[0]?.n ?? 0);
}

/**
 * Makes the server refuse any change of a job's `counts_by_type` (a fault injected into a step's
 * writes), or drops that refusal. `name` names the trigger and its function, so files sharing a
 * database do not trip on each other's.
 */
export async function refuseCountUpdates(handle: DatabaseHandle, name: string, on: boolean): Promise<void> {
  const trigger = sql.id(name);
  if (!on) {
    await sql`drop trigger if exists ${trigger} on jobs`.execute(handle.db);
    return;
  }
  await sql`
    create or replace function ${trigger}() returns trigger language plpgsql as $$
    begin
      raise exception 'injected fault';
    end $$`.execute(handle.db);
  await sql`
    create trigger ${trigger} before update on jobs for each row
    when (new.counts_by_type is distinct from old.counts_by_type)
    execute function ${trigger}()`.execute(handle.db);
}

/**
 * Records every row update of `jobs` (the job's id, one row per update) in a table named `name`,
 * so a test counts the statements that wrote a job's row; `off` drops the table and trigger.
 *
 * @example
 * ```ts
 * await recordJobUpdates(handle, 'veil_test_job_updates', true);
 * ```
 */
export async function recordJobUpdates(handle: DatabaseHandle, name: string, on: boolean): Promise<void> {
  const id = sql.id(name);
  await sql`drop trigger if exists ${id} on jobs`.execute(handle.db);
  await sql`drop table if exists ${id}`.execute(handle.db);
  if (!on) return;
  await sql`create table ${id} (job_id text not null)`.execute(handle.db);
  // Security definer: the update runs under the service's role, which has no grant on the table.
  await sql`
    create or replace function ${id}() returns trigger language plpgsql security definer as $$
    begin
      execute format('insert into %I (job_id) values ($1)', TG_NAME) using new.id;
      return null;
    end $$`.execute(handle.db);
  await sql`create trigger ${id} after update on jobs for each row execute function ${id}()`.execute(
    handle.db,
  );
}

/**
 * Runs every step of a queued text job with its writes held, as a fused run does, and answers
 * what it held (nothing is recorded until its commit). Throws when the job cannot run held.
 *
 * @example
 * ```ts
 * const held = await holdJob(store, payload);
 * await held.commit(store, payload);
 * ```
 */
export async function holdJob(
  store: StoreContext & { keyring: Keyring },
  payload: JobPayload,
  options: { readonly ledgerClasses?: boolean } = {},
): Promise<HeldWrites> {
  const tasks = createJobTasks({ keyring: store.keyring });
  // With `ledgerClasses`, opened as the workers open a fused run: its ledger classes come along.
  const opening =
    options.ledgerClasses === true
      ? (await readTogether(store, [payload]))[0]
      : await jobSnapshot(store, payload);
  if (opening === undefined || !runsWhole(opening))
    throw new Error('holdJob: the job is not queued and untouched');
  const held = new HeldWrites(opening.job, opening.ledgerClasses);
  await runHeld(tasks, store, payload, opening, held);
  return held;
}
