/**
 * The store: database access (PGlite or PostgreSQL, one dialect), migrations, tenant-scoped
 * repositories, the database keyring store and token vault, blob stores and the pg-boss adapter.
 */
export {
  databaseConfigFromEnv,
  preparedStatementsFromEnv,
  openDatabase,
  SYSTEM_SCOPE,
  veilDataDir,
  switchTenantScope,
  withTenantScope,
  type DatabaseConfig,
  type DatabaseConnectionRef,
  type DatabaseHandle,
  type OpenDatabaseOptions,
} from './database.js';
export { MIGRATIONS, migrateToLatest, TENANT_TABLES } from './migrations.js';
export { PGliteDialect, PGliteSession } from './pglite-dialect.js';
export type { Schema, JobStatus } from './schema.js';
export { checkId, type StoreContext } from './repository.js';
export { ensureTenant, forTenant, type TenantRepositories } from './repositories.js';
export {
  consentGrants,
  TenantJobs,
  type Job,
  type JobConsent,
  type JobDeadlines,
  type JobTemplate,
  type JobPosition,
  type JobUpdate,
  type NewJob,
} from './tenant-jobs.js';
export { TenantUploads, type Upload } from './tenant-uploads.js';
export {
  listExpiredArtifacts,
  TenantArtifacts,
  type Artifact,
  type NewArtifact,
  type StagedArtifact,
} from './tenant-artifacts.js';
export { EncryptedFileBlobStore, type BlobRef, type BlobStore } from './blob-store.js';
export { BLOB_CHUNK_BYTES, PostgresBlobStore } from './postgres-blob-store.js';
export {
  BLOB_DRIVERS,
  openS3BlobStore,
  type BlobDriver,
  type BlobSettings,
  type S3BlobSettings,
} from './blob-drivers.js';
export type { S3BlobStore, S3BlobStoreOptions } from './s3-blob-store.js';
export { DatabaseApiKeyStore, type ApiKeyListing, type ApiKeyRecord } from './api-key-store.js';
export { DatabaseKeyringStore } from './keyring-store.js';
export { DatabaseTokenVault } from './token-vault.js';
export { pgBossDb, pgBossDbForPGlite, pgBossDbIn, type PgBossDb } from './pgboss-pglite.js';
export { DatabaseAuditStore, type AuditEntryRecord, type AuditTreeHeadRecord } from './audit-store.js';
export { TenantIdempotencyKeys, type IdempotencyRecord, type Reservation } from './idempotency-keys.js';
export { withProcessLock } from './process-lock.js';
