import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { createLocalFileKeyProvider } from '../../src/crypto/key-providers/local-file.js';
import { Keyring } from '../../src/crypto/keyring.js';
import { isVeilError } from '../../src/errors/veil-error.js';
import type { AuditStore } from '../../src/audit/log.js';
import { DatabaseAuditStore } from '../../src/store/audit-store.js';
import { EncryptedFileBlobStore } from '../../src/store/blob-store.js';
import { SYSTEM_SCOPE, withTenantScope } from '../../src/store/database.js';
import { DatabaseKeyringStore } from '../../src/store/keyring-store.js';
import { MIGRATIONS, migrateToLatest } from '../../src/store/migrations.js';
import { ensureTenant, forTenant } from '../../src/store/repositories.js';
import { listExpiredArtifacts } from '../../src/store/tenant-artifacts.js';
import type { StoreContext } from '../../src/store/repository.js';
import type { Schema } from '../../src/store/schema.js';
import { DatabaseTokenVault } from '../../src/store/token-vault.js';
import { DRIVERS } from './drivers.js';
import type { TestDatabase } from './drivers.js';
import type { Kysely } from 'kysely';

const isCode = (code: string) => (e: unknown) => isVeilError(e) && e.code === code;
const CANARY = `canary-${randomBytes(6).toString('hex')} SSN 078-05-1120 jane.roe@example.org`;
const TABLES = [
  'tenants',
  'jobs',
  'uploads',
  'artifacts',
  'keyring_records',
  'vault_entries',
  'api_keys',
  'audit_entries',
  'audit_tree_heads',
  'retention_ledger',
  'consent_withdrawals',
  'subject_index',
  'subject_index_lists',
  'privacy_ledger',
  'alerts',
  'alert_deliveries',
  'idempotency_keys',
  'legal_holds',
  'blob_chunks',
  'review_tasks',
  'output_classes',
];
const newJob = (deleteAfter = new Date(Date.now() + 86_400_000)) => ({
  purpose: 'claims-intake',
  consent: { basis: 'contract', allowModelTraining: false, allowManualReview: true },
  policyHash: 'sha256:4f1c',
  retentionClass: 'short',
  deleteAfter,
});

async function walk(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await walk(path)));
    else out.push(path);
  }
  return out;
}

/** Every row of every Veil table as text: a database dump for canary checks. */
async function dump(db: Kysely<Schema>): Promise<string> {
  const parts: string[] = [];
  for (const table of TABLES) {
    const { rows } = await withTenantScope(db, SYSTEM_SCOPE, (trx) =>
      sql<{ row: string }>`select t::text as row from ${sql.table(table)} t`.execute(trx),
    );
    parts.push(...rows.map((r) => r.row));
  }
  return parts.join('\n');
}

for (const driver of DRIVERS) {
  describe(`store on ${driver.name}`, { skip: driver.skip }, () => {
    let test_db: TestDatabase;
    let db: Kysely<Schema>;
    let dir: string;
    let keyring: Keyring;
    let ctx: StoreContext;
    const blobDir = () => join(dir, 'blobs');

    before(async () => {
      test_db = await driver.open();
      db = test_db.handle.db;
      dir = await mkdtemp(join(tmpdir(), 'veil-store-files-'));
      keyring = new Keyring({
        provider: createLocalFileKeyProvider({ path: join(dir, 'kek.key') }),
        store: new DatabaseKeyringStore(db),
        cacheTtlMs: 0,
      });
      ctx = { db, blobs: new EncryptedFileBlobStore({ directory: blobDir(), keyring }) };
      for (const tenant of ['tenant-a', 'tenant-b']) await ensureTenant(db, tenant);
    });
    after(async () => {
      await test_db?.dispose();
      if (dir !== undefined) await rm(dir, { recursive: true, force: true });
    });

    test('migrations bring a fresh database to the latest schema, and rerunning applies nothing', async () => {
      const applied = await sql<{ name: string }>`select name from veil_migration order by name`.execute(db);
      assert.deepEqual(
        applied.rows.map((r) => r.name),
        Object.keys(MIGRATIONS),
      );
      const tables = await sql<{ table_name: string }>`
        select table_name from information_schema.tables where table_schema = 'public' and table_name not like 'veil_migration%' order by table_name`.execute(
        db,
      );
      assert.deepEqual(
        tables.rows.map((r) => r.table_name),
        [...TABLES].sort(),
      );
      assert.deepEqual(await migrateToLatest(db as unknown as Kysely<unknown>), []);
    });

    test('every table but tenants and the audit log carries tenant_id', async () => {
      const { rows } = await sql<{ table_name: string }>`
        select table_name from information_schema.columns
        where table_schema = 'public' and column_name = 'tenant_id' order by table_name`.execute(db);
      assert.deepEqual(
        rows.map((r) => r.table_name),
        [
          'alert_deliveries',
          'alerts',
          'api_keys',
          'artifacts',
          'blob_chunks',
          'consent_withdrawals',
          'idempotency_keys',
          'jobs',
          'keyring_records',
          'legal_holds',
          'output_classes',
          'privacy_ledger',
          'retention_ledger',
          'review_tasks',
          'subject_index',
          'subject_index_lists',
          'uploads',
          'vault_entries',
        ],
      );
    });

    test('jobs round-trip and another tenant sees none of them', async () => {
      const a = forTenant(ctx, 'tenant-a');
      const b = forTenant(ctx, 'tenant-b');
      const job = await a.jobs.create({ ...newJob(), id: 'job-scoped' });
      assert.equal(job.status, 'queued');
      assert.equal(job.policyHash, 'sha256:4f1c');
      assert.deepEqual(job.consent, {
        basis: 'contract',
        allowModelTraining: false,
        allowManualReview: true,
        // Governance (0007a): every other consent flag defaults to false.
        allowAnalytics: false,
        allowQualityImprovement: false,
        allowFullText: false,
        allowModelUse: false,
      });
      assert.deepEqual(job.countsByType, {});

      const done = await a.jobs.update('job-scoped', {
        status: 'succeeded',
        countsByType: { EMAIL_ADDRESS: 2, US_SSN: 1 },
      });
      assert.equal(done?.status, 'succeeded');
      assert.deepEqual((await a.jobs.get('job-scoped'))?.countsByType, { EMAIL_ADDRESS: 2, US_SSN: 1 });

      assert.equal(await b.jobs.get('job-scoped'), undefined);
      assert.deepEqual(await b.jobs.list(), []);
      assert.equal(await b.jobs.update('job-scoped', { status: 'failed' }), undefined);
      assert.equal(await b.jobs.delete('job-scoped'), false);
      assert.equal((await a.jobs.get('job-scoped'))?.status, 'succeeded');
      assert.deepEqual(
        (await a.jobs.list()).map((j) => j.id),
        ['job-scoped'],
      );
    });

    test('job ids are unique per tenant; error codes and counts are checked', async () => {
      const a = forTenant(ctx, 'tenant-a');
      await a.jobs.create({ ...newJob(), id: 'job-dup' });
      await assert.rejects(a.jobs.create({ ...newJob(), id: 'job-dup' }), isCode('VEIL_CONFLICT'));
      // The same id in another tenant is a different job.
      await forTenant(ctx, 'tenant-b').jobs.create({ ...newJob(), id: 'job-dup' });
      await assert.rejects(
        a.jobs.update('job-dup', { errorCode: 'not a code' }),
        isCode('VEIL_INVALID_INPUT'),
      );
      await assert.rejects(
        a.jobs.update('job-dup', { countsByType: { PERSON: -1 } }),
        isCode('VEIL_INVALID_INPUT'),
      );
      assert.equal(
        (await a.jobs.update('job-dup', { status: 'failed', errorCode: 'VEIL_LIMIT_PAGES' }))?.errorCode,
        'VEIL_LIMIT_PAGES',
      );
      await assert.rejects(forTenant(ctx, 'tenant-z').jobs.create(newJob()), isCode('VEIL_NOT_FOUND'));
      assert.throws(() => forTenant(ctx, 'bad tenant'), isCode('VEIL_INVALID_INPUT'));
    });

    test("a submission's rows go in one statement: a new tenant, the job, its ledger and artifacts; a taken id writes none", async () => {
      const tenant = `tenant-rows-${randomBytes(3).toString('hex')}`;
      const repos = forTenant(ctx, tenant);
      const deleteAfter = new Date(Date.now() + 86_400_000);
      const staged = await repos.artifacts.stage(
        ['manifest', 'original'].map((artifactClass) => ({
          input: { id: `job-rows.${artifactClass}`, jobId: 'job-rows', artifactClass, deleteAfter },
          content: Buffer.from(`${artifactClass} of job-rows`),
        })),
      );
      const ledger = ['original', 'extracted_text'].map((cls) => ({
        tenant_id: tenant,
        job_id: 'job-rows',
        class: cls,
        artifact_classes: [cls],
        delete_after: deleteAfter,
      }));
      const statements: string[] = [];
      await withTenantScope(db, tenant, async (trx) => {
        const counting = trx.withPlugin({
          transformQuery: (args) => {
            statements.push(args.node.kind);
            return args.node;
          },
          transformResult: async (args) => args.result,
        });
        await repos.jobs.createWithRowsIn(
          counting,
          { ...newJob(), id: 'job-rows' },
          { ledger, artifacts: repos.artifacts.rowsOf(staged) },
        );
      });
      assert.equal(statements.length, 1);
      const found = await repos.jobs.getWithArtifacts('job-rows');
      assert.equal(found?.job.status, 'queued');
      assert.deepEqual(found?.artifacts.map((a) => a.artifactClass).sort(), ['manifest', 'original']);
      assert.equal((await repos.artifacts.read('job-rows.original')).toString(), 'original of job-rows');
      // A status read: the row, its artifacts and its ledger in one statement; another tenant's
      // scope finds nothing.
      const read: string[] = [];
      const withLedger = await withTenantScope(db, tenant, (trx) =>
        repos.jobs.getWithLedgerIn(
          trx.withPlugin({
            transformQuery: (args) => (read.push(args.node.kind), args.node),
            transformResult: async (args) => args.result,
          }),
          'job-rows',
        ),
      );
      assert.equal(read.length, 1);
      assert.deepEqual(withLedger?.artifacts.map((a) => a.id).sort(), [
        'job-rows.manifest',
        'job-rows.original',
      ]);
      assert.deepEqual(
        withLedger?.ledger
          .map((l) => [l.class, new Date(l.delete_after).getTime(), l.deleted_at, l.receipt_leaf])
          .sort(),
        [
          ['extracted_text', deleteAfter.getTime(), null, null],
          ['original', deleteAfter.getTime(), null, null],
        ],
      );
      assert.equal(
        await withTenantScope(db, 'tenant-a', (trx) =>
          forTenant(ctx, 'tenant-a').jobs.getWithLedgerIn(trx, 'job-rows'),
        ),
        undefined,
      );
      const rowsOf = async () =>
        withTenantScope(db, tenant, async (trx) => ({
          ledger: (await trx.selectFrom('retention_ledger').select('class').execute()).length,
          artifacts: (await trx.selectFrom('artifacts').select('id').execute()).length,
        }));
      assert.deepEqual(await rowsOf(), { ledger: 2, artifacts: 2 });
      // The same job id again, with rows of its own: the job's key refuses the statement, and none
      // of its rows stays.
      const again = await repos.artifacts.stage([
        {
          input: { id: 'job-rows.redacted', jobId: 'job-rows', artifactClass: 'redacted', deleteAfter },
          content: Buffer.from('r'),
        },
      ]);
      await assert.rejects(
        withTenantScope(db, tenant, (trx) =>
          repos.jobs.createWithRowsIn(
            trx,
            { ...newJob(), id: 'job-rows' },
            {
              ledger: [{ ...ledger[0]!, class: 'redacted', artifact_classes: ['redacted'] }],
              artifacts: repos.artifacts.rowsOf(again),
            },
          ),
        ),
        isCode('VEIL_CONFLICT'),
      );
      await repos.artifacts.discard(again);
      assert.deepEqual(await rowsOf(), { ledger: 2, artifacts: 2 });
      await assert.rejects(
        withTenantScope(db, tenant, (trx) =>
          repos.jobs.createWithRowsIn(trx, { ...newJob(), id: 'job-none' }, { ledger: [], artifacts: [] }),
        ),
        isCode('VEIL_INVALID_INPUT'),
      );
      // Leave the tables as the later tests expect them: tenants a and b only.
      await withTenantScope(db, tenant, (trx) => trx.deleteFrom('retention_ledger').execute());
      assert.equal(await repos.jobs.delete('job-rows'), true);
      await withTenantScope(db, SYSTEM_SCOPE, (trx) =>
        trx.deleteFrom('tenants').where('id', '=', tenant).execute(),
      );
    });

    test('uploads are single use, expire, and are invisible to another tenant', async () => {
      const a = forTenant(ctx, 'tenant-a');
      const upload = await a.uploads.create({ maxBytes: 1000, expiresAt: new Date(Date.now() + 60_000) });
      assert.equal(await forTenant(ctx, 'tenant-b').uploads.consume(upload.id), undefined);
      const [first, second] = await Promise.all([a.uploads.consume(upload.id), a.uploads.consume(upload.id)]);
      assert.equal([first, second].filter((u) => u !== undefined).length, 1);
      assert.equal(await a.uploads.consume(upload.id), undefined);

      const expired = await a.uploads.create({ maxBytes: 1000, expiresAt: new Date(Date.now() - 1) });
      assert.equal(await a.uploads.consume(expired.id), undefined);
      assert.equal(await a.uploads.attachBlob(expired.id, 'b_0'), false);
      assert.equal(await a.uploads.delete(expired.id), true);
      assert.equal(await a.uploads.get(expired.id), undefined);
    });

    test('the keyring on the database store: round-trip, rotation, retirement, onlyIfAbsent, order', async () => {
      const binding = { tenantId: 'tenant-k', objectId: 'doc-1', artifactClass: 'source-document' };
      const sealed = await keyring.encrypt(binding, Buffer.from(CANARY));
      assert.equal((await keyring.decrypt(binding, sealed)).toString(), CANARY);
      assert.equal(await keyring.rotate('tenant-k'), 2);
      assert.equal((await keyring.decrypt(binding, sealed)).toString(), CANARY);
      await keyring.retire('tenant-k', 1);
      await assert.rejects(keyring.decrypt(binding, sealed), isCode('VEIL_KEY_RETIRED'));
      assert.deepEqual(
        (await keyring.versions('tenant-k')).map((v) => [v.version, v.status]),
        [
          [1, 'retired'],
          [2, 'active'],
        ],
      );

      const store = new DatabaseKeyringStore(db);
      const record = (await store.get({ tenantId: 'tenant-k', subjectId: null, version: 2 }))!;
      assert.equal(await store.put({ ...record, kekId: 'other' }, { onlyIfAbsent: true }), false);
      assert.equal((await store.get(record))?.kekId, record.kekId);
      assert.equal(
        await store.put(
          { ...record, version: 3, createdAt: '2024-05-01T10:20:30.123Z' },
          { onlyIfAbsent: true },
        ),
        true,
      );
      assert.equal((await store.get({ ...record, version: 3 }))?.createdAt, '2024-05-01T10:20:30.123Z');

      await keyring.subjectKey('tenant-k', 'subj-b');
      await keyring.subjectKey('tenant-k', 'subj-A');
      assert.deepEqual(
        (await store.list('tenant-k')).map((r) => [r.subjectId, r.version]),
        [
          [null, 1],
          [null, 2],
          [null, 3],
          ['subj-A', 1],
          ['subj-b', 1],
        ],
      );
      assert.deepEqual(
        (await store.list('tenant-k', 'subj-b')).map((r) => r.subjectId),
        ['subj-b'],
      );
      await store.delete({ tenantId: 'tenant-k', subjectId: 'subj-b', version: 1 });
      assert.equal(await store.get({ tenantId: 'tenant-k', subjectId: 'subj-b', version: 1 }), undefined);
      assert.deepEqual(await store.list('tenant-other'), []);
    });

    test('concurrent first use of a tenant key settles on one version', async () => {
      const keys = await Promise.all(Array.from({ length: 5 }, () => keyring.currentKey('tenant-race')));
      assert.deepEqual(new Set(keys.map((k) => k.version)), new Set([1]));
      assert.equal(new Set(keys.map((k) => Buffer.from(k.key).toString('hex'))).size, 1);
    });

    test('the token vault round-trips, is tenant scoped, forgets subjects and stores only ciphertext', async () => {
      const vault = new DatabaseTokenVault({ db, keyring });
      const request = {
        tenant: 'tenant-a',
        scope: 'job-7',
        subject: 'subj-42',
        type: 'PERSON',
        value: CANARY,
      };
      const token = await vault.tokenFor(request);
      assert.match(token, /^tok_[0-9a-f]{32}$/);
      assert.equal(await vault.tokenFor(request), token);
      const [t1, t2] = await Promise.all([
        vault.tokenFor({ ...request, value: 'x' }),
        vault.tokenFor({ ...request, value: 'x' }),
      ]);
      assert.equal(t1, t2);
      assert.notEqual(await vault.tokenFor({ ...request, scope: 'job-8' }), token);
      assert.deepEqual(await vault.valueFor('tenant-a', token), { type: 'PERSON', value: CANARY });
      assert.equal(await vault.valueFor('tenant-b', token), undefined);
      const anonymous = await vault.tokenFor({ ...request, subject: undefined, value: 'no subject' });
      assert.deepEqual(await vault.valueFor('tenant-a', anonymous), { type: 'PERSON', value: 'no subject' });
      await assert.rejects(
        vault.tokenFor({ ...request, subject: 'veil:none' }),
        isCode('VEIL_INVALID_INPUT'),
      );

      assert.ok(!(await dump(db)).includes(CANARY.slice(0, 19)), 'the canary reached a row in plaintext');

      assert.equal(await vault.forgetSubject('tenant-a', 'subj-42'), 3);
      assert.equal(await vault.valueFor('tenant-a', token), undefined);
      assert.deepEqual(await vault.valueFor('tenant-a', anonymous), { type: 'PERSON', value: 'no subject' });
      // After forgetting, the subject gets a new key and so new tokens.
      assert.notEqual(await vault.tokenFor(request), token);
    });

    test('blobs are ciphertext on disk, 0600, opaquely named, bound to their tenant, and hard-deleted', async () => {
      const blobs = ctx.blobs;
      const ref = await blobs.put(
        { tenantId: 'tenant-a', artifactClass: 'source-document' },
        Buffer.from(CANARY),
      );
      assert.match(ref.name, /^b_[0-9a-f]{32}$/);
      assert.equal((await blobs.get(ref)).toString(), CANARY);
      assert.equal(await blobs.exists(ref), true);

      const files = await walk(blobDir());
      assert.ok(files.length >= 1);
      for (const file of files) {
        assert.ok(
          !(await readFile(file)).includes(Buffer.from(CANARY.slice(0, 19))),
          `${file} holds the canary in plaintext`,
        );
        assert.equal((await stat(file)).mode & 0o777, 0o600);
        assert.ok(!file.includes('.tmp-'), 'a temp file was left behind');
      }

      await keyring.currentKey('tenant-b');
      await assert.rejects(blobs.get({ ...ref, tenantId: 'tenant-b' }), isCode('VEIL_DECRYPTION_FAILED'));
      await assert.rejects(
        blobs.get({ ...ref, artifactClass: 'redacted-output' }),
        isCode('VEIL_DECRYPTION_FAILED'),
      );
      await assert.rejects(blobs.get({ ...ref, name: '../kek.key' }), isCode('VEIL_INVALID_INPUT'));

      await blobs.delete(ref);
      await blobs.delete(ref);
      assert.equal(await blobs.exists(ref), false);
      await assert.rejects(blobs.get(ref), isCode('VEIL_NOT_FOUND'));
    });

    test('artifact deletion is hard: the row and the blob are gone, for one artifact and for a job', async () => {
      const a = forTenant(ctx, 'tenant-a');
      const job = await a.jobs.create(newJob());
      const before = new Set(await walk(blobDir()));
      const artifact = await a.artifacts.put(
        { jobId: job.id, artifactClass: 'redacted-output', deleteAfter: new Date(Date.now() + 60_000) },
        Buffer.from(CANARY),
      );
      assert.equal(artifact.sizeBytes, Buffer.byteLength(CANARY));
      assert.equal((await a.artifacts.read(artifact.id)).toString(), CANARY);
      await assert.rejects(forTenant(ctx, 'tenant-b').artifacts.read(artifact.id), isCode('VEIL_NOT_FOUND'));
      assert.equal(await forTenant(ctx, 'tenant-b').artifacts.delete(artifact.id), false);

      const added = (await walk(blobDir())).filter((f) => !before.has(f));
      assert.equal(added.length, 1);
      assert.equal(await a.artifacts.delete(artifact.id), true);
      assert.equal(await a.artifacts.get(artifact.id), undefined);
      assert.deepEqual(
        (await walk(blobDir())).filter((f) => !before.has(f)),
        [],
      );

      const kept = await a.artifacts.put(
        { jobId: job.id, artifactClass: 'source-document', deleteAfter: new Date() },
        Buffer.from('x'),
      );
      await a.artifacts.put(
        { jobId: job.id, artifactClass: 'extracted-fields', deleteAfter: new Date() },
        Buffer.from('y'),
      );
      assert.equal((await a.artifacts.listForJob(job.id)).length, 2);
      assert.equal(await a.jobs.delete(job.id), true);
      assert.equal(await a.jobs.get(job.id), undefined);
      assert.equal(await a.artifacts.get(kept.id), undefined);
      assert.deepEqual(
        (await walk(blobDir())).filter((f) => !before.has(f)),
        [],
      );
    });

    test("an artifact cannot point at another tenant's job", async () => {
      const jobB = await forTenant(ctx, 'tenant-b').jobs.create(newJob());
      const before = new Set(await walk(blobDir()));
      await assert.rejects(
        forTenant(ctx, 'tenant-a').artifacts.put(
          { jobId: jobB.id, artifactClass: 'source-document', deleteAfter: new Date() },
          Buffer.from('z'),
        ),
        isCode('VEIL_NOT_FOUND'),
      );
      // The blob written before the row was refused is deleted again.
      assert.deepEqual(
        (await walk(blobDir())).filter((f) => !before.has(f)),
        [],
      );
    });

    test('expired artifacts are listed across tenants for the sweeper', async () => {
      const past = new Date(Date.now() - 1000);
      const a = await forTenant(ctx, 'tenant-a').artifacts.put(
        { jobId: null, artifactClass: 'source-document', deleteAfter: past },
        Buffer.from('1'),
      );
      const b = await forTenant(ctx, 'tenant-b').artifacts.put(
        { jobId: null, artifactClass: 'source-document', deleteAfter: past },
        Buffer.from('2'),
      );
      await forTenant(ctx, 'tenant-b').artifacts.put(
        { jobId: null, artifactClass: 'source-document', deleteAfter: new Date(Date.now() + 60_000) },
        Buffer.from('3'),
      );
      const expired = await listExpiredArtifacts(db, new Date(), 100);
      assert.deepEqual(
        expired
          .filter((e) => e.id === a.id || e.id === b.id)
          .map((e) => e.tenantId)
          .sort(),
        ['tenant-a', 'tenant-b'],
      );
      for (const e of expired) assert.equal(await forTenant(ctx, e.tenantId).artifacts.delete(e.id), true);
      assert.deepEqual(await listExpiredArtifacts(db, new Date(), 100), []);
    });

    test('row-level security shows an ordinary role only the rows of the scoped tenant', async () => {
      const role = `veil_rls_${randomBytes(4).toString('hex')}`;
      await sql.raw(`create role ${role} nologin`).execute(db);
      try {
        await sql.raw(`grant select on jobs to ${role}`).execute(db);
        const visible = (scope: string | undefined) =>
          db.transaction().execute(async (trx) => {
            if (scope !== undefined)
              await sql`select set_config('veil.tenant_id', ${scope}, true)`.execute(trx);
            await sql.raw(`set local role ${role}`).execute(trx);
            // No tenant filter in the query: only the policy stands between the tenants.
            const { rows } = await sql<{
              tenant_id: string;
            }>`select distinct tenant_id from jobs order by tenant_id`.execute(trx);
            return rows.map((r) => r.tenant_id);
          });
        assert.deepEqual(await visible('tenant-a'), ['tenant-a']);
        assert.deepEqual(await visible('tenant-b'), ['tenant-b']);
        assert.deepEqual(await visible(undefined), []);
        assert.deepEqual(await visible(SYSTEM_SCOPE), ['tenant-a', 'tenant-b']);
      } finally {
        await sql.raw(`drop owned by ${role}`).execute(db);
        await sql.raw(`drop role ${role}`).execute(db);
      }
    });

    test('the audit tables are append-only', async () => {
      const leaf = randomBytes(32);
      await db
        .insertInto('audit_entries')
        .values({
          log_id: 'tenant-a',
          leaf_index: 0,
          leaf_hash: leaf,
          event: Buffer.from('{"action":"job.created"}'),
        })
        .execute();
      await assert.rejects(sql`update audit_entries set event = '\\x00'`.execute(db), /append-only/);
      await assert.rejects(sql`delete from audit_entries`.execute(db), /append-only/);
      const row = await db.selectFrom('audit_entries').selectAll().executeTakeFirstOrThrow();
      assert.deepEqual(Buffer.from(row.leaf_hash), leaf);
      assert.equal(Number(row.leaf_index), 0);
    });
    test('the audit store appends without gaps under concurrency, per log, and keeps tree heads', async () => {
      // Two instances, as two processes would hold: the advisory lock, not memory, serialises them.
      const stores: AuditStore[] = [
        new DatabaseAuditStore(db, 'audit-x'),
        new DatabaseAuditStore(db, 'audit-x'),
      ];
      const other: AuditStore = new DatabaseAuditStore(db, 'audit-y');
      const leaf = (i: number) => createHash('sha256').update(`leaf-${i}`).digest();
      const indices = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          stores[i % 2]!.append({ event: `{"n":${i}}`, leafHash: leaf(i) }),
        ),
      );
      assert.deepEqual(
        [...indices].sort((x, y) => x - y),
        Array.from({ length: 20 }, (_, i) => i),
      );
      assert.equal(await other.append({ event: '{"n":0}', leafHash: leaf(0) }), 0);
      assert.equal(await stores[0]!.size(), 20);
      const entries = await stores[1]!.entries(0, 20);
      for (const e of entries)
        assert.deepEqual(Buffer.from(e.leafHash), leaf(Number(/\d+/.exec(e.event)![0])));
      assert.equal((await stores[0]!.leafHashes(5, 7)).length, 2);
      await assert.rejects(stores[0]!.entries(0, 21), isCode('VEIL_AUDIT_OUT_OF_RANGE'));

      assert.equal(await stores[0]!.latestTreeHead(), undefined);
      const head = {
        tree_size: 20,
        root_hash: 'ab'.repeat(32),
        timestamp: 1_714_556_430_123,
        key_id: 'k1',
        signature: Buffer.alloc(64, 7).toString('base64url'),
      };
      await stores[0]!.saveTreeHead({ ...head, tree_size: 10 });
      await stores[0]!.saveTreeHead(head);
      await stores[0]!.saveTreeHead({ ...head, timestamp: head.timestamp + 1 });
      assert.deepEqual(await stores[1]!.latestTreeHead(), { ...head, timestamp: head.timestamp + 1 });
      assert.deepEqual(
        (await stores[1]!.treeHeads()).map((h) => h.tree_size),
        [10, 20, 20],
      );
      assert.deepEqual(await other.treeHeads(), []);
    });
  });
}
