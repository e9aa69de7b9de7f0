/**
 * The database migrations, defined in code so the same list serves PGlite and PostgreSQL and
 * ships inside the package. Add a migration at the end; never edit one that has been released.
 */
import { Migrator, sql } from 'kysely';
import type { Kysely, Migration, MigrationProvider } from 'kysely';
import { VeilError } from '../errors/veil-error.js';

/** The tables that hold one tenant's rows, and so get the row-level security wall. */
export const TENANT_TABLES = [
  'jobs',
  'uploads',
  'artifacts',
  'keyring_records',
  'vault_entries',
  'api_keys',
] as const;

// One statement per call: PGlite's extended protocol takes a single statement at a time.
async function run(db: Kysely<unknown>, statements: readonly string[]): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}

// Printable ASCII without spaces, as the keyring requires of tenant and subject ids.
const ID_CHECK = `~ '^[!-~]{1,200}$'`;

const initial: Migration = {
  async up(db) {
    await run(db, [
      `create table tenants (
        id text primary key check (id ${ID_CHECK}),
        created_at timestamptz not null default now()
      )`,
      `create table jobs (
        tenant_id text not null references tenants (id),
        id text not null check (id ${ID_CHECK}),
        status text not null check (status in ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
        purpose text not null,
        consent_basis text not null,
        allow_model_training boolean not null default false,
        allow_manual_review boolean not null default false,
        policy_hash text not null,
        retention_class text not null,
        delete_after timestamptz not null,
        error_code text check (error_code ~ '^VEIL_[A-Z0-9_]+$'),
        counts_by_type jsonb not null default '{}'::jsonb check (jsonb_typeof(counts_by_type) = 'object'),
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        primary key (tenant_id, id)
      )`,
      `create index jobs_delete_after on jobs (delete_after)`,
      `create table uploads (
        tenant_id text not null references tenants (id),
        id text not null check (id ${ID_CHECK}),
        max_bytes integer not null check (max_bytes > 0),
        expires_at timestamptz not null,
        used_at timestamptz,
        blob_name text,
        created_at timestamptz not null default now(),
        primary key (tenant_id, id)
      )`,
      `create index uploads_expires_at on uploads (expires_at)`,
      // The composite foreign key makes a row of one tenant unable to point at another's job.
      // No cascade: deleting a job goes through the store, which hard-deletes each blob first.
      `create table artifacts (
        tenant_id text not null references tenants (id),
        id text not null check (id ${ID_CHECK}),
        job_id text,
        class text not null check (class ~ '^[a-z0-9][a-z0-9-]{0,63}$'),
        blob_name text not null unique,
        size_bytes bigint not null check (size_bytes >= 0),
        delete_after timestamptz not null,
        created_at timestamptz not null default now(),
        primary key (tenant_id, id),
        foreign key (tenant_id, job_id) references jobs (tenant_id, id)
      )`,
      `create index artifacts_delete_after on artifacts (delete_after)`,
      `create index artifacts_job on artifacts (tenant_id, job_id)`,
      // No foreign key to tenants: the keyring and the vault create keys on a tenant's first use.
      `create table keyring_records (
        tenant_id text not null check (tenant_id ${ID_CHECK}),
        subject_id text not null,
        version integer not null check (version >= 1),
        status text not null check (status in ('active', 'retired')),
        kek_id text not null,
        wrapped_key text,
        created_at timestamptz not null,
        retired_at timestamptz,
        primary key (tenant_id, subject_id, version),
        check ((status = 'active') = (wrapped_key is not null))
      )`,
      `create table vault_entries (
        tenant_id text not null check (tenant_id ${ID_CHECK}),
        token text not null,
        subject_id text not null,
        entity_type text not null,
        ciphertext bytea not null,
        created_at timestamptz not null default now(),
        primary key (tenant_id, token)
      )`,
      `create index vault_entries_subject on vault_entries (tenant_id, subject_id)`,
      `create table api_keys (
        tenant_id text not null references tenants (id),
        id text not null check (id ${ID_CHECK}),
        key_hash bytea not null unique check (length(key_hash) = 32),
        role text not null,
        created_at timestamptz not null default now(),
        expires_at timestamptz,
        revoked_at timestamptz,
        primary key (tenant_id, id)
      )`,
      `create table audit_entries (
        log_id text not null check (log_id ${ID_CHECK}),
        leaf_index bigint not null check (leaf_index >= 0),
        leaf_hash bytea not null check (length(leaf_hash) = 32),
        event bytea not null,
        created_at timestamptz not null default now(),
        primary key (log_id, leaf_index)
      )`,
      // Several heads may sign the same size (re-signed later), so the key is a sequence.
      `create table audit_tree_heads (
        id bigint generated always as identity primary key,
        log_id text not null check (log_id ${ID_CHECK}),
        tree_size bigint not null check (tree_size >= 0),
        root_hash bytea not null check (length(root_hash) = 32),
        timestamp_ms bigint not null,
        key_id text not null,
        signature bytea not null
      )`,
      `create index audit_tree_heads_size on audit_tree_heads (log_id, tree_size)`,
      // An append-only log enforced by the database too, not only by the code that writes it.
      `create function veil_append_only() returns trigger language plpgsql as $$
        begin
          raise exception 'veil: % is append-only', tg_table_name using errcode = 'insufficient_privilege';
        end
      $$`,
      `create trigger audit_entries_append_only before update or delete on audit_entries
        for each row execute function veil_append_only()`,
      `create trigger audit_tree_heads_append_only before update or delete on audit_tree_heads
        for each row execute function veil_append_only()`,
    ]);
  },
};

// The row-level security policy of one tenant table (see `rowLevelSecurity`).
function tenantWall(table: string): string[] {
  return [
    `alter table ${table} enable row level security`,
    `alter table ${table} force row level security`,
    `create policy tenant_wall on ${table}
      using (tenant_id = current_setting('veil.tenant_id', true) or current_setting('veil.tenant_id', true) = '*')
      with check (tenant_id = current_setting('veil.tenant_id', true) or current_setting('veil.tenant_id', true) = '*')`,
  ];
}

/**
 * Row-level security as a second wall behind the repositories' `where tenant_id = …`: a row is
 * visible only when the transaction's `veil.tenant_id` setting names its tenant, or is `*` (the
 * store's system scope: the retention sweeper, API-key lookup by key id). Unset means nothing is
 * visible. FORCE makes the policy bind the tables' owner too. Superusers bypass every policy, so
 * the wall stands only when the service connects as an ordinary role (see src/store/README.md).
 */
const rowLevelSecurity: Migration = {
  async up(db) {
    // 0001's tables as they were; 0003 re-creates api_keys with its own wall.
    await run(db, TENANT_TABLES.flatMap(tenantWall));
  },
};

/**
 * API keys in the shape the access layer's `ApiKeyStore` port reads: a globally unique public
 * key id (the lookup before the tenant is known), the roles, and an HMAC of the secret under a
 * pepper that lives outside the database. 0001's table (SHA-256 of the whole key, one role) was
 * never read by authentication, so any rows it holds could not have authenticated anything: it
 * is dropped rather than converted (an unpeppered hash cannot be turned into a peppered one).
 */
const apiKeysByKeyId: Migration = {
  async up(db) {
    await run(db, [
      `drop table api_keys`,
      `create table api_keys (
        key_id text primary key check (key_id ~ '^[0-9a-f]{24}$'),
        tenant_id text not null references tenants (id),
        roles text[] not null check (cardinality(roles) between 1 and 16),
        hash bytea not null check (length(hash) = 32),
        created_at timestamptz not null,
        revoked_at timestamptz
      )`,
      `create index api_keys_tenant on api_keys (tenant_id, created_at)`,
      ...tenantWall('api_keys'),
    ]);
  },
};

/** API keys may expire: a key past `expires_at` is refused like a revoked one. */
const apiKeyExpiry: Migration = {
  async up(db) {
    await run(db, [
      `alter table api_keys add column expires_at timestamptz`,
      `alter table api_keys add check (expires_at is null or expires_at > created_at)`,
    ]);
  },
};

/**
 * Field extraction: a job records the template it extracts under (name, version and the hash of
 * its canonical content), as it records its policy hash. Null for jobs without a template.
 */
const jobTemplates: Migration = {
  async up(db) {
    await run(db, [
      `alter table jobs add column template_name text check (template_name ~ '^[a-z][a-z0-9_-]{0,63}$')`,
      `alter table jobs add column template_version integer check (template_version >= 1)`,
      `alter table jobs add column template_hash text check (template_hash ~ '^[0-9a-f]{64}$')`,
    ]);
  },
};

/**
 * Governance (issue 15). Jobs record their region, policy id, the HMAC of the caller's subject
 * reference, the consent flags beside the first two, when they ended and why they were
 * cancelled. `retention_ledger` holds each job's retention classes: their deadline, when they
 * were deleted and the audit leaf of the `retention.expired` event that says so, so a job whose
 * every artifact is gone still answers with its deletion receipt. `consent_withdrawals` holds
 * withdrawals by subject HMAC or job id, which refuse new jobs of those purposes.
 */
const governance: Migration = {
  async up(db) {
    await run(db, [
      `alter table jobs add column if not exists region text`,
      `alter table jobs add column if not exists policy_id text`,
      `alter table jobs add column if not exists subject_hmac text check (subject_hmac ~ '^v[0-9]+:[0-9a-f]{64}$')`,
      `alter table jobs add column if not exists allow_analytics boolean not null default false`,
      `alter table jobs add column if not exists allow_quality_improvement boolean not null default false`,
      `alter table jobs add column if not exists allow_full_text boolean not null default false`,
      `alter table jobs add column if not exists ended_at timestamptz`,
      `alter table jobs add column if not exists cancel_reason text check (cancel_reason ~ '^[a-z][a-z0-9_]{0,63}$')`,
      `create index if not exists jobs_subject on jobs (tenant_id, subject_hmac) where subject_hmac is not null`,
      `create table retention_ledger (
        tenant_id text not null,
        job_id text not null,
        class text not null check (class ~ '^[a-z][a-z0-9_]{0,63}$'),
        artifact_classes text[] not null,
        delete_after timestamptz not null,
        deleted_at timestamptz,
        deleted_count integer not null default 0 check (deleted_count >= 0),
        audit_claimed_at timestamptz,
        receipt_leaf bigint,
        primary key (tenant_id, job_id, class),
        foreign key (tenant_id, job_id) references jobs (tenant_id, id) on delete cascade
      )`,
      `create index retention_ledger_pending on retention_ledger (delete_after) where deleted_at is null`,
      `create index retention_ledger_unaudited on retention_ledger (deleted_at) where deleted_at is not null and receipt_leaf is null`,
      ...tenantWall('retention_ledger'),
      `create table consent_withdrawals (
        tenant_id text not null references tenants (id),
        id text not null check (id ${ID_CHECK}),
        subject_hmac text check (subject_hmac ~ '^v[0-9]+:[0-9a-f]{64}$'),
        job_id text,
        purposes text[],
        created_at timestamptz not null default now(),
        primary key (tenant_id, id),
        check ((subject_hmac is null) <> (job_id is null))
      )`,
      `create index consent_withdrawals_subject on consent_withdrawals (tenant_id, subject_hmac)`,
      ...tenantWall('consent_withdrawals'),
    ]);
  },
};

/**
 * The differential-privacy ledger (src/privacy/analytics): one row per release, what it spent
 * and in which budget period. Append-only like the audit log, and behind the tenant wall.
 */
const privacyLedger: Migration = {
  async up(db) {
    await run(db, [
      `create table privacy_ledger (
        tenant_id text not null references tenants (id),
        id text not null check (id ${ID_CHECK}),
        period_start timestamptz not null,
        epsilon_micro bigint not null check (epsilon_micro > 0),
        mechanism text not null check (mechanism ~ '^[a-z][a-z0-9_]{0,63}$'),
        group_by text not null check (group_by ~ '^[a-z][a-z0-9_]{0,63}$'),
        range_from timestamptz not null,
        range_to timestamptz not null,
        actor_id text not null check (actor_id ${ID_CHECK}),
        created_at timestamptz not null default now(),
        primary key (tenant_id, id)
      )`,
      `create index privacy_ledger_period on privacy_ledger (tenant_id, period_start)`,
      `create trigger privacy_ledger_append_only before update or delete on privacy_ledger
        for each row execute function veil_append_only()`,
      ...tenantWall('privacy_ledger'),
    ]);
  },
};

/**
 * The subject index (issue 15): for each job, a keyed HMAC of every direct identifier the detect
 * step found (never the value in plaintext), the key version it was made under, and the value
 * sealed under the tenant's key, so a data-subject request finds a subject's jobs by an e-mail
 * address and the index can be re-keyed when the tenant's key rotates. Rows go with their job.
 */
const subjectIndex: Migration = {
  async up(db) {
    await run(db, [
      `create table subject_index (
        tenant_id text not null,
        job_id text not null,
        entity_type text not null check (entity_type ~ '^[A-Z][A-Z0-9_]{0,63}$'),
        hmac text not null check (hmac ~ '^v[0-9]+:[0-9a-f]{64}$'),
        ciphertext bytea not null,
        created_at timestamptz not null default now(),
        primary key (tenant_id, job_id, entity_type, hmac),
        foreign key (tenant_id, job_id) references jobs (tenant_id, id) on delete cascade
      )`,
      `create index subject_index_hmac on subject_index (tenant_id, hmac)`,
      ...tenantWall('subject_index'),
    ]);
  },
};

/**
 * Access anomaly alerts (src/privacy/anomaly): each alert raised, and a durable outbox of its
 * webhook deliveries, so an alert raised while the receiver is down is delivered when it is back.
 * Rule codes, principal ids, counts and times only. Webhook secrets are not stored: a delivery
 * names the environment variable that holds its secret.
 */
const alerts: Migration = {
  async up(db) {
    await run(db, [
      `create table alerts (
        tenant_id text not null references tenants (id),
        id text not null check (id ${ID_CHECK}),
        rule text not null check (rule ~ '^[a-z][a-z0-9_]{0,63}$'),
        principal_id text not null check (principal_id ${ID_CHECK}),
        observed integer not null check (observed >= 0),
        threshold integer not null check (threshold >= 0),
        window_seconds integer not null check (window_seconds >= 0),
        raised_at timestamptz not null,
        primary key (tenant_id, id)
      )`,
      `create index alerts_raised on alerts (tenant_id, raised_at)`,
      `create table alert_deliveries (
        tenant_id text not null,
        alert_id text not null,
        target text not null check (target ~ '^[a-z0-9:_-]{1,64}$'),
        url text not null check (url ~ '^https?://'),
        secret_env text not null check (secret_env ~ '^[A-Z][A-Z0-9_]{0,127}$'),
        status text not null check (status in ('pending', 'delivered', 'dead')),
        attempts integer not null default 0 check (attempts >= 0),
        next_attempt_at timestamptz not null,
        delivered_at timestamptz,
        last_status integer,
        primary key (tenant_id, alert_id, target),
        foreign key (tenant_id, alert_id) references alerts (tenant_id, id)
      )`,
      `create index alert_deliveries_due on alert_deliveries (status, next_attempt_at)`,
      ...tenantWall('alerts'),
      ...tenantWall('alert_deliveries'),
    ]);
  },
};

/**
 * Idempotency keys of `POST /v1/jobs` (console and SDK, issue 17): the key and the request are
 * kept only as keyed hashes (HMAC under a subkey of the tenant's data key), with the job the key
 * created and an expiry. The index on jobs serves `GET /v1/jobs`, newest first with id as the
 * tie-break, so a page is one index range whatever the table's size.
 */
const idempotencyKeys: Migration = {
  async up(db) {
    await run(db, [
      `create table idempotency_keys (
        tenant_id text not null references tenants (id),
        key_hash bytea not null check (length(key_hash) = 32),
        request_hash bytea not null check (length(request_hash) = 32),
        job_id text not null check (job_id ${ID_CHECK}),
        created_at timestamptz not null default now(),
        expires_at timestamptz not null,
        primary key (tenant_id, key_hash)
      )`,
      `create index idempotency_keys_expires_at on idempotency_keys (tenant_id, expires_at)`,
      ...tenantWall('idempotency_keys'),
      `create index jobs_tenant_created on jobs (tenant_id, created_at desc, id desc)`,
    ]);
  },
};

/**
 * Human review of uncertain fields (issue 14). A job waits in `awaiting_review` while it has open
 * tasks. A task row holds spec metadata (field name, type, hint labels), the confidence, times,
 * the lease holder and decider (principal ids) and the decision's action; the candidate and a
 * corrected value are ciphertext sealed under the tenant's key and bound to the row, never
 * plaintext. `created_audited` marks tasks whose `review.task.created` event is recorded, so a
 * step re-run after a crash records the missing ones and no others. Rows go with their job.
 */
const review: Migration = {
  async up(db) {
    await run(db, [
      `alter table jobs drop constraint if exists jobs_status_check`,
      `alter table jobs add constraint jobs_status_check
        check (status in ('queued', 'running', 'awaiting_review', 'succeeded', 'failed', 'cancelled'))`,
      `create table review_tasks (
        tenant_id text not null,
        id text not null check (id ${ID_CHECK}),
        job_id text not null,
        queue text not null check (queue ~ '^[a-z][a-z0-9_-]{0,63}$'),
        field_name text not null check (field_name ~ '^[a-z][a-z0-9_]{0,63}$'),
        field_type text not null check (field_type ~ '^[a-z][a-z_]{0,31}$'),
        field_hint text[],
        reason text not null check (reason in ('low_confidence', 'failed_check', 'always')),
        confidence double precision not null check (confidence >= 0 and confidence <= 1),
        candidate bytea,
        crop_artifact_id text,
        crop_width integer check (crop_width > 0),
        crop_height integer check (crop_height > 0),
        crop_page_share double precision check (crop_page_share > 0 and crop_page_share <= 1),
        status text not null check (status in ('open', 'decided', 'expired')),
        lease_holder text check (lease_holder ${ID_CHECK}),
        lease_expires_at timestamptz,
        decision_action text check (decision_action in ('confirm', 'correct', 'reject')),
        decision bytea,
        decided_by text check (decided_by ${ID_CHECK}),
        decided_at timestamptz,
        created_audited boolean not null default false,
        created_at timestamptz not null default now(),
        expires_at timestamptz not null,
        primary key (tenant_id, id),
        unique (tenant_id, job_id, field_name),
        foreign key (tenant_id, job_id) references jobs (tenant_id, id) on delete cascade,
        check ((status = 'decided') = (decision_action is not null and decided_by is not null and decided_at is not null)),
        check ((lease_holder is null) = (lease_expires_at is null))
      )`,
      `create index review_tasks_open on review_tasks (tenant_id, queue, created_at, id) where status = 'open'`,
      `create index review_tasks_expiry on review_tasks (expires_at) where status = 'open'`,
      `create index review_tasks_job on review_tasks (tenant_id, job_id)`,
      ...tenantWall('review_tasks'),
    ]);
  },
};

/**
 * Legal holds (issue 15): a hold on a job, on a data subject (the HMACs its reference may have,
 * never the reference) or on a whole tenant (a matter) keeps every artifact it covers from the
 * retention sweeper and from erasure until it is lifted. A hold carries a reason code and a
 * reference (a matter or ticket id), never content. Lifted holds stay, as the record of when.
 * `held_at` on the ledger marks a class the sweeper found due but held, so each skip is audited once.
 */
const legalHolds: Migration = {
  async up(db) {
    await run(db, [
      `create table legal_holds (
        tenant_id text not null references tenants (id),
        id text not null check (id ${ID_CHECK}),
        scope text not null check (scope in ('job', 'subject', 'tenant')),
        job_id text check (job_id ${ID_CHECK}),
        subject_hmacs text[],
        reason text not null check (reason ~ '^[a-z][a-z0-9_]{0,63}$'),
        reference text not null check (reference ~ '^[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}$'),
        placed_by text not null check (placed_by ${ID_CHECK}),
        placed_at timestamptz not null,
        lifted_by text check (lifted_by ${ID_CHECK}),
        lifted_at timestamptz,
        primary key (tenant_id, id),
        check ((scope = 'job') = (job_id is not null)),
        check ((scope = 'subject') = (subject_hmacs is not null)),
        check ((lifted_at is null) = (lifted_by is null))
      )`,
      `create index legal_holds_active on legal_holds (tenant_id) where lifted_at is null`,
      ...tenantWall('legal_holds'),
      `alter table retention_ledger add column if not exists held_at timestamptz`,
    ]);
  },
};

/** Issue 13: the job's consent to model use (`allow_model_use`), recorded with the rest of its consent. */
const aiConsent: Migration = {
  async up(db) {
    await run(db, [
      `alter table jobs add column if not exists allow_model_use boolean not null default false`,
    ]);
  },
};

/**
 * Encrypted blobs in the database (`VEIL_BLOBS=postgres`): chunks of ciphertext keyed by the
 * blob's opaque name and their order, walled by tenant like every table with a tenant.
 */
const blobs: Migration = {
  async up(db) {
    await run(db, [
      `create table blob_chunks (
        tenant_id text not null,
        name text not null check (name ~ '^b_[0-9a-f]{32}$'),
        seq integer not null check (seq >= 0),
        data bytea not null,
        primary key (name, seq)
      )`,
      `create index blob_chunks_tenant on blob_chunks (tenant_id)`,
      ...tenantWall('blob_chunks'),
    ]);
  },
};

/**
 * Issue 16: the re-identification risk of released outputs (src/privacy/risk/outputs.ts). One row
 * per output a job made: a keyed HMAC of the identifying values it hands out (its equivalence
 * class) and their count, never a value; `released_at` once a caller first read it. Rows go with
 * their job.
 */
const privacyMetrics: Migration = {
  async up(db) {
    await run(db, [
      `create table output_classes (
        tenant_id text not null,
        job_id text not null,
        kind text not null check (kind in ('redacted', 'fields', 'text')),
        class_hmac text not null check (class_hmac ~ '^v[0-9]+:[0-9a-f]{64}$'),
        identifiers integer not null check (identifiers >= 0),
        created_at timestamptz not null default now(),
        released_at timestamptz,
        primary key (tenant_id, job_id, kind),
        foreign key (tenant_id, job_id) references jobs (tenant_id, id) on delete cascade
      )`,
      `create index output_classes_class on output_classes (tenant_id, kind, class_hmac)`,
      `create index output_classes_released on output_classes (tenant_id, released_at)`,
      ...tenantWall('output_classes'),
    ]);
  },
};

/**
 * The `retention.held` event is claimed and recorded like a deletion receipt: `held_at` is the
 * claim, `held_leaf` the event's audit leaf, so a sweeper that dies between the two leaves a claim
 * a later sweep takes over instead of an event never written. Holds recorded before this migration
 * get -1 (recorded, leaf not kept).
 */
const retentionHeldLeaf: Migration = {
  async up(db) {
    await run(db, [
      `alter table retention_ledger add column if not exists held_leaf bigint`,
      `update retention_ledger set held_leaf = -1 where held_at is not null`,
    ]);
  },
};

/**
 * One call appends a batch of audit entries to several logs (`AuditGroupCommit`): the locks, the
 * sizes and the inserts run inside the database, so a batch costs one statement instead of five
 * round trips (on PGlite each is ~0.5–1 ms of the event loop's CPU). Each statement inside a
 * PL/pgSQL function reads with a fresh snapshot, so a log's size is read after its lock is held,
 * as the writers of the old statements did. The locks are taken in log-id order (byte order,
 * whatever the caller sends), so two batches never wait on each other in a cycle; the lock key is
 * the one every writer of a log takes. Hashes come as hex and events as text, which both drivers
 * pass as plain `text[]`.
 */
const auditAppendFunction: Migration = {
  async up(db) {
    await run(db, [
      `create function veil_audit_append(log_ids text[], counts int[], leaf_hashes text[], events text[])
        returns table (log_id text, first_index bigint) language plpgsql as $$
        declare
          id text;
          i int;
          start int := 0;
          first bigint;
        begin
          if array_length(log_ids, 1) is distinct from array_length(counts, 1)
            or array_length(leaf_hashes, 1) is distinct from array_length(events, 1)
            or (select sum(c) from unnest(counts) c) is distinct from array_length(events, 1) then
            raise exception 'veil_audit_append: array lengths differ' using errcode = 'invalid_parameter_value';
          end if;
          for id in select distinct (l collate "C") as k from unnest(log_ids) l order by k loop
            perform pg_advisory_xact_lock(hashtext('veil.audit'), hashtext(id));
          end loop;
          for i in 1 .. array_length(log_ids, 1) loop
            select coalesce(max(e.leaf_index) + 1, 0) into first from audit_entries e where e.log_id = log_ids[i];
            insert into audit_entries (log_id, leaf_index, leaf_hash, event)
              select log_ids[i], first + g - 1, decode(leaf_hashes[start + g], 'hex'), convert_to(events[start + g], 'UTF8')
              from generate_series(1, counts[i]) g;
            start := start + counts[i];
            log_id := log_ids[i];
            first_index := first;
            return next;
          end loop;
        end
      $$`,
    ]);
  },
};

/**
 * One sealed list per job for the subject index: the job's identified values sealed together
 * under the tenant's key, where each index row held its own sealed copy (one AES-GCM seal per
 * identifier, the detect step's largest cost after detection). The rows keep their keyed HMACs,
 * which lookups and erasure go by; a new row's `ciphertext` is null, and rows written before keep
 * theirs (both are read). The list goes with its job.
 */
const subjectIndexLists: Migration = {
  async up(db) {
    await run(db, [
      `alter table subject_index alter column ciphertext drop not null`,
      `create table subject_index_lists (
        tenant_id text not null,
        job_id text not null,
        ciphertext bytea not null,
        created_at timestamptz not null default now(),
        primary key (tenant_id, job_id),
        foreign key (tenant_id, job_id) references jobs (tenant_id, id) on delete cascade
      )`,
      ...tenantWall('subject_index_lists'),
    ]);
  },
};

/**
 * A job's keyed HMACs in its list's row (`hmacs`, one array, a GIN index over its elements), where
 * each identifier had a row of its own in `subject_index`: a 5 KB text names about 80, and their
 * rows (each a heap tuple, two B-tree entries, a foreign-key check and the tenant wall's check)
 * were the largest database cost of a text job. Lookups read both: lists written before keep
 * their rows (`hmacs` null) until a key rotation re-keys them into the list.
 */
const subjectIndexInLists: Migration = {
  async up(db) {
    await run(db, [
      // As the rows' check: keyed HMACs only, so no value can land here in plaintext.
      `alter table subject_index_lists add column hmacs text[]
        check (hmacs is null or (cardinality(hmacs) > 0 and array_position(hmacs, null) is null
          and array_to_string(hmacs, ',') ~ '^v[0-9]+:[0-9a-f]{64}(,v[0-9]+:[0-9a-f]{64})*$'))`,
      `create index subject_index_lists_hmacs on subject_index_lists using gin (hmacs)`,
    ]);
  },
};

/** Every migration, in order. Names sort in the order they run. */
export const MIGRATIONS: Readonly<Record<string, Migration>> = {
  '0001_initial': initial,
  '0002_row_level_security': rowLevelSecurity,
  '0003_api_keys_by_key_id': apiKeysByKeyId,
  '0004_api_key_expiry': apiKeyExpiry,
  '0005_fields': jobTemplates,
  '0007a_governance': governance,
  '0007b_subject_index': subjectIndex,
  '0009a_privacy_ledger': privacyLedger,
  '0009b_alerts': alerts,
  '0010_idempotency_keys': idempotencyKeys,
  '0011_review': review,
  '0012_legal_holds': legalHolds,
  '0014_blobs': blobs,
  '0015_ai': aiConsent,
  '0016_privacy_metrics': privacyMetrics,
  '0019_retention_held': retentionHeldLeaf,
  '0020_audit_append_function': auditAppendFunction,
  '0021_subject_index_lists': subjectIndexLists,
  '0022_subject_index_in_lists': subjectIndexInLists,
};

class CodeMigrationProvider implements MigrationProvider {
  async getMigrations(): Promise<Record<string, Migration>> {
    return { ...MIGRATIONS };
  }
}

/**
 * Brings the database to the latest migration. Concurrent callers (several workers starting at
 * once) are serialised by Kysely's migration lock. Throws `VEIL_STORE_MIGRATION` naming the
 * migration that failed.
 *
 * @example
 * ```ts
 * const applied = await migrateToLatest(handle.db); // ['0001_initial', …] on a fresh database
 * ```
 */
export async function migrateToLatest(db: Kysely<unknown>): Promise<string[]> {
  const migrator = new Migrator({
    db,
    provider: new CodeMigrationProvider(),
    migrationTableName: 'veil_migration',
    migrationLockTableName: 'veil_migration_lock',
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error !== undefined) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new VeilError('VEIL_STORE_MIGRATION', `store: migration ${failed} failed`, { cause: error });
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
