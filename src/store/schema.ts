/**
 * The database schema as Kysely sees it. Every column holds ids, codes, counts, timestamps,
 * hashes or ciphertext: never document content, extracted text or a detected value.
 */
import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';

/** A timestamp column: read as a Date, written as a Date or an ISO string. */
type Timestamp = ColumnType<Date, Date | string, Date | string>;
/** A timestamp the database fills in when omitted. */
type DefaultTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;
/** A bigint column: pg reads it as a string, PGlite as a number; the repositories normalise. */
type BigIntColumn = ColumnType<string | number | bigint, number | bigint, number | bigint>;

/** The states a job moves through. */
export type JobStatus = 'queued' | 'running' | 'awaiting_review' | 'succeeded' | 'failed' | 'cancelled';

export interface TenantsTable {
  id: string;
  created_at: DefaultTimestamp;
}

export interface JobsTable {
  tenant_id: string;
  id: string;
  status: JobStatus;
  /** The declared purpose of processing (a code from the policy, not free text from a document). */
  purpose: string;
  /** The lawful basis code, e.g. `consent`, `contract`. */
  consent_basis: string;
  allow_model_training: Generated<boolean>;
  allow_manual_review: Generated<boolean>;
  /** The hash of the policy version the job ran under (privacy invariant 6). */
  policy_hash: string;
  retention_class: string;
  delete_after: Timestamp;
  /** A stable error code from the catalogue when the job failed; never a message. */
  error_code: string | null;
  /** Counts of findings by entity type, e.g. `{"EMAIL_ADDRESS": 3}`: counts, never values. */
  counts_by_type: ColumnType<Record<string, number>, string | undefined, string>;
  created_at: DefaultTimestamp;
  updated_at: DefaultTimestamp;
  /** The field template the job extracts under (name, version, hash), when it extracts fields with one (0005). */
  template_name: ColumnType<string | null, string | null | undefined, string | null>;
  template_version: ColumnType<number | null, number | null | undefined, number | null>;
  template_hash: ColumnType<string | null, string | null | undefined, string | null>;
  /** Governance (0007a): the deployment region the job ran in, and the policy file's id. */
  region: ColumnType<string | null, string | null | undefined, string | null>;
  policy_id: ColumnType<string | null, string | null | undefined, string | null>;
  /** `v<key version>:<hex>`: a keyed HMAC of the caller's subject reference, never the reference. */
  subject_hmac: ColumnType<string | null, string | null | undefined, string | null>;
  allow_analytics: Generated<boolean>;
  allow_quality_improvement: Generated<boolean>;
  allow_full_text: Generated<boolean>;
  /** Issue 13 (0015_ai): whether the job's consent lets a model see its (pseudonymised) content. */
  allow_model_use: Generated<boolean>;
  /** When the job succeeded, failed or was cancelled: retention windows run from here. */
  ended_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  /** Why it was cancelled, as a code (`consent_withdrawn`). */
  cancel_reason: ColumnType<string | null, string | null | undefined, string | null>;
}

/** One retention class of one job: its deadline, its deletion and the receipt's audit leaf. */
export interface RetentionLedgerTable {
  tenant_id: string;
  job_id: string;
  class: string;
  /** The job's artifact classes (envelope classes) that belong to this retention class. */
  artifact_classes: ColumnType<string[], readonly string[], readonly string[]>;
  delete_after: Timestamp;
  deleted_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  deleted_count: ColumnType<number, number | undefined, number>;
  audit_claimed_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  receipt_leaf: ColumnType<string | number | null, number | null | undefined, number | null>;
  /** When the sweeper first found this class due and kept it for a legal hold (0012). */
  held_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  /** The audit leaf of the `retention.held` event that recorded the hold (0019); -1 for holds recorded before it. */
  held_leaf: ColumnType<string | number | null, number | null | undefined, number | null>;
}

/** A legal hold (0012): what it covers, why (a code and a reference), who placed and lifted it. */
export interface LegalHoldsTable {
  tenant_id: string;
  id: string;
  scope: 'job' | 'subject' | 'tenant';
  job_id: string | null;
  /** Every HMAC the subject's reference had when the hold was placed (one per live key version). */
  subject_hmacs: ColumnType<string[] | null, readonly string[] | null, readonly string[] | null>;
  reason: string;
  /** The matter or ticket id the hold serves; an id, never content. */
  reference: string;
  placed_by: string;
  placed_at: Timestamp;
  lifted_by: string | null;
  lifted_at: Timestamp | null;
}

/** A withdrawal of consent: by subject HMAC or by job, for some purposes or (null) all. */
export interface ConsentWithdrawalsTable {
  tenant_id: string;
  id: string;
  subject_hmac: string | null;
  job_id: string | null;
  purposes: ColumnType<string[] | null, readonly string[] | null, readonly string[] | null>;
  created_at: DefaultTimestamp;
}

/** A keyed HMAC of a direct identifier detected in a job, with the value sealed (never plaintext). */
export interface SubjectIndexTable {
  tenant_id: string;
  job_id: string;
  entity_type: string;
  /** `v<key version>:<hex>`. */
  hmac: string;
  /**
   * The value, sealed under the tenant's key and bound to the row; null on rows whose job's
   * values are sealed together in {@link SubjectIndexListsTable} (rows written from 0021 to 0022;
   * since 0022 a job's HMACs are in its list's `hmacs`, and it has no rows here).
   */
  ciphertext: Uint8Array | null;
  created_at: DefaultTimestamp;
}

/** A job's indexed values (type and value pairs), sealed together under the tenant's key. */
export interface SubjectIndexListsTable {
  tenant_id: string;
  job_id: string;
  ciphertext: Uint8Array;
  /**
   * The job's keyed HMACs (`v<key version>:<hex>`, one per distinct identifier); null on lists
   * written before 0022, whose HMACs are rows of {@link SubjectIndexTable}.
   */
  hmacs: ColumnType<string[] | null, readonly string[] | null, readonly string[] | null>;
  created_at: DefaultTimestamp;
}

export interface UploadsTable {
  tenant_id: string;
  id: string;
  max_bytes: number;
  expires_at: Timestamp;
  /** Set once, atomically, when the upload is consumed: single use. */
  used_at: Timestamp | null;
  /** The opaque name of the uploaded (encrypted) blob, once bytes arrived. */
  blob_name: string | null;
  created_at: DefaultTimestamp;
}

export interface ArtifactsTable {
  tenant_id: string;
  id: string;
  job_id: string | null;
  /** The artifact's retention class, also its envelope artifact class. */
  class: string;
  blob_name: string;
  size_bytes: BigIntColumn;
  delete_after: Timestamp;
  created_at: DefaultTimestamp;
}

export interface KeyringRecordsTable {
  tenant_id: string;
  /** The subject id, or '' for the tenant's own data key (a primary key column cannot be null). */
  subject_id: string;
  version: number;
  status: 'active' | 'retired';
  kek_id: string;
  /** The data key wrapped by the KEK provider, base64; null once retired. */
  wrapped_key: string | null;
  created_at: Timestamp;
  retired_at: Timestamp | null;
}

export interface VaultEntriesTable {
  tenant_id: string;
  token: string;
  subject_id: string;
  entity_type: string;
  /** The value, sealed under the subject's key and bound to the token. */
  ciphertext: Uint8Array;
  created_at: DefaultTimestamp;
}

/** API keys of services (see `src/access/api-keys.ts`): the public key id, roles and an HMAC, never the secret. */
export interface ApiKeysTable {
  /** The public part of `veil_<keyId>_<secret>`: 24 hex digits, unique across tenants. */
  key_id: string;
  tenant_id: string;
  roles: ColumnType<string[], readonly string[], readonly string[]>;
  /** HMAC-SHA256 of the secret under the API-key pepper, which is derived outside the database. */
  hash: Uint8Array;
  created_at: Timestamp;
  revoked_at: Timestamp | null;
  /** When the key stops working; null for a key without expiry (0004). */
  expires_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
}

export interface AuditEntriesTable {
  /** Which log: a tenant id, or `system` for events of no one tenant. */
  log_id: string;
  leaf_index: BigIntColumn;
  leaf_hash: Uint8Array;
  /** The canonical JSON event bytes exactly as hashed (ids, actions, counts: never content). */
  event: Uint8Array;
  created_at: DefaultTimestamp;
}

export interface AuditTreeHeadsTable {
  id: Generated<string | number>;
  log_id: string;
  tree_size: BigIntColumn;
  root_hash: Uint8Array;
  /** Milliseconds since the epoch, exactly as signed. */
  timestamp_ms: BigIntColumn;
  key_id: string;
  signature: Uint8Array;
}

/** Idempotency keys of job submissions: keyed hashes of the key and the request, never either. */
export interface IdempotencyKeysTable {
  tenant_id: string;
  /** HMAC-SHA256 of the caller's Idempotency-Key under the tenant's idempotency subkey. */
  key_hash: Uint8Array;
  /** HMAC-SHA256 of the request (options and document) under the same subkey. */
  request_hash: Uint8Array;
  /** The job the first request with this key created (reserved before the job is written). */
  job_id: string;
  created_at: DefaultTimestamp;
  expires_at: Timestamp;
}

/** Encrypted blobs in the database (0014): an object's ciphertext in chunks, in `seq` order. */
export interface BlobChunksTable {
  tenant_id: string;
  /** The blob's opaque name (`b_` and 32 hex digits): nothing about a person or a document. */
  name: string;
  seq: number;
  /** Ciphertext only: a slice of the object's Veil envelope. */
  data: Uint8Array;
}

/**
 * A review task (0011): one uncertain field of one job. Spec metadata, a confidence, times and
 * principal ids; the candidate and the decision (a corrected value, a reason) are ciphertext.
 */
export interface ReviewTasksTable {
  tenant_id: string;
  id: string;
  job_id: string;
  queue: string;
  field_name: string;
  field_type: string;
  /** The spec's hint labels (template metadata, not document content). */
  field_hint: ColumnType<string[] | null, readonly string[] | null, readonly string[] | null>;
  reason: 'low_confidence' | 'failed_check' | 'always';
  confidence: number;
  /** The candidate value as JSON, sealed under the tenant's key and bound to the task. */
  candidate: Uint8Array | null;
  crop_artifact_id: string | null;
  crop_width: number | null;
  crop_height: number | null;
  crop_page_share: number | null;
  status: 'open' | 'decided' | 'expired';
  lease_holder: string | null;
  lease_expires_at: Date | null;
  decision_action: 'confirm' | 'correct' | 'reject' | null;
  /** `{ value, reason }` as JSON, sealed like the candidate. */
  decision: Uint8Array | null;
  decided_by: string | null;
  decided_at: Date | null;
  created_audited: Generated<boolean>;
  created_at: DefaultTimestamp;
  expires_at: Timestamp;
}

/** Every table Veil owns (pg-boss keeps its own schema, `pgboss`). */
export interface Schema {
  tenants: TenantsTable;
  jobs: JobsTable;
  uploads: UploadsTable;
  artifacts: ArtifactsTable;
  keyring_records: KeyringRecordsTable;
  vault_entries: VaultEntriesTable;
  api_keys: ApiKeysTable;
  audit_entries: AuditEntriesTable;
  blob_chunks: BlobChunksTable;
  audit_tree_heads: AuditTreeHeadsTable;
  retention_ledger: RetentionLedgerTable;
  consent_withdrawals: ConsentWithdrawalsTable;
  subject_index: SubjectIndexTable;
  subject_index_lists: SubjectIndexListsTable;
  idempotency_keys: IdempotencyKeysTable;
  legal_holds: LegalHoldsTable;
  review_tasks: ReviewTasksTable;
}

export type JobRow = Selectable<JobsTable>;
export type NewJobRow = Insertable<JobsTable>;
export type UploadRow = Selectable<UploadsTable>;
export type ArtifactRow = Selectable<ArtifactsTable>;
