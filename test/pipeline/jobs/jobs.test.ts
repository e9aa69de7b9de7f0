import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import PgBoss from 'pg-boss';
import { deleteJob, getJobStatus, readRedacted } from '../../../src/pipeline/jobs/commands.js';
import {
  ensureJobQueues,
  FUSED_QUEUE,
  STEP_QUEUES,
  stepMessageId,
} from '../../../src/pipeline/jobs/queues.js';
import { createJobTasks, stepEnv } from '../../../src/pipeline/jobs/steps.js';
import { submitJob } from '../../../src/pipeline/jobs/submit.js';
import type { SubmitJobInput } from '../../../src/pipeline/jobs/submit.js';
import { startWorkers } from '../../../src/pipeline/worker.js';
import { createDetectionPool } from '../../../src/runtime/detection-pool.js';
import type { Workers } from '../../../src/pipeline/worker.js';
import { validatePolicy } from '../../../src/policy/index.js';
import { forTenant, pgBossDb } from '../../../src/store/index.js';
import type { BlobStore, StoreContext } from '../../../src/store/index.js';
import { DRIVERS } from '../../store/drivers.js';
import type { TestDatabase } from '../../store/drivers.js';
import {
  canaries,
  canaryText,
  DEFAULT_POLICY,
  dumpTables,
  filesContaining,
  storeFor,
  waitForJob,
  walk,
} from './fixtures.js';
import { docx } from '../../documents/fixtures.js';

const TENANT = 'tenant-jobs';
// Pattern recognizers only: the counts do not move with the name tagger's training.
const POLICY = validatePolicy({ ...DEFAULT_POLICY, entities: ['EMAIL_ADDRESS', 'US_SSN'] });

function request(bytes: Uint8Array, overrides: Partial<SubmitJobInput> = {}): SubmitJobInput {
  return {
    tenant: TENANT,
    bytes,
    mediaType: 'text/plain',
    purpose: 'claims-intake',
    consent: { basis: 'contract', allowManualReview: false },
    outputs: ['findings_summary', 'redacted'],
    retentionDays: 7,
    policy: POLICY,
    ...overrides,
  };
}

for (const driver of DRIVERS) {
  describe(`durable jobs on ${driver.name}`, { skip: driver.skip }, () => {
    let database: TestDatabase;
    let dataDir: string;
    let boss: PgBoss;
    let store: ReturnType<typeof storeFor>;
    let workers: Workers | undefined;
    /** Set to a job id to make every blob read of that job's tenant fail like a lost disk. */
    const flaky = { on: false };

    before(async () => {
      database = await driver.open();
      dataDir = await mkdtemp(join(tmpdir(), 'veil-jobs-'));
      store = storeFor(database.handle, dataDir);
      boss = new PgBoss({ db: pgBossDb(database.handle), supervise: false, schedule: false });
      boss.on('error', () => {});
      await boss.start();
      await ensureJobQueues(boss, { retryLimit: 1, retryDelaySeconds: 1, stepTimeoutSeconds: 60 });
    });
    after(async () => {
      await workers?.stop();
      await boss?.stop({ graceful: false, close: false, wait: true });
      await database?.dispose();
      await rm(dataDir, { recursive: true, force: true });
    });

    const deps = () => ({ db: database.handle.db, blobs: store.blobs, boss });

    test('a step re-run after it is done changes nothing; outputs wait for the job', async () => {
      // No workers yet: the test plays each step itself, twice, as a crash-and-retry would.
      const { jobId } = await submitJob(deps(), request(Buffer.from(canaryText(90))));
      await assert.rejects(readRedacted(store, { tenant: TENANT, jobId }), { code: 'VEIL_JOB_NOT_READY' });
      const tasks = createJobTasks({ keyring: store.keyring });
      const payload = { tenantId: TENANT, jobId };
      const repos = forTenant(store, TENANT);
      const snapshot = async () =>
        (await repos.artifacts.listForJob(jobId)).map((a) => `${a.artifactClass}:${a.blobName}`).sort();
      for (const step of ['intake', 'parse', 'detect', 'anonymise', 'finalise'] as const) {
        const env = await stepEnv(store, payload, step);
        assert.ok(env, `${step} is runnable`);
        await tasks[step].run(env);
        const once = await snapshot();
        const again = await stepEnv(store, payload, step);
        if (again !== undefined) await tasks[step].run(again);
        assert.deepEqual(await snapshot(), once, `${step} twice writes nothing new`);
      }
      const view = await getJobStatus(store, { tenant: TENANT, jobId });
      assert.equal(view.status, 'succeeded');
      assertCounts(view.countsByType);
      assert.deepEqual((await repos.artifacts.listForJob(jobId)).map((a) => a.artifactClass).sort(), [
        'findings',
        'manifest',
        'original',
        'redacted',
      ]);
    });

    test('the detect step and the residual check analyse on the detection pool when one is given, with the in-process output', async () => {
      const pool = createDetectionPool({ threads: 1 });
      try {
        let pooled = 0;
        const pooledTasks = createJobTasks({
          keyring: store.keyring,
          analyzeText: (text, options) => {
            pooled++;
            return pool.analyze(text, options);
          },
        });
        const inProcess = createJobTasks({ keyring: store.keyring });
        const redacted: string[] = [];
        for (const tasks of [pooledTasks, inProcess]) {
          const { jobId } = await submitJob(deps(), request(Buffer.from(canaryText(92))));
          const payload = { tenantId: TENANT, jobId };
          for (const step of ['intake', 'parse', 'detect', 'anonymise', 'finalise'] as const)
            await tasks[step].run((await stepEnv(store, payload, step))!);
          assertCounts((await getJobStatus(store, { tenant: TENANT, jobId })).countsByType);
          redacted.push(
            Buffer.from((await readRedacted(store, { tenant: TENANT, jobId })).bytes).toString('utf8'),
          );
          await deleteJob(store, { tenant: TENANT, jobId });
        }
        // The text's detection, then its anonymised output's: both on the pool, none in process.
        assert.equal(pooled, 2);
        assert.equal(redacted[0], redacted[1]);
        // Pattern recognizers only here: the SSN and the e-mail address are what must go.
        for (const value of [canaries(92).ssn, canaries(92).email]) assert.ok(!redacted[0]!.includes(value));
      } finally {
        await pool.close();
      }
    });

    test('a job id submitted again after deletion runs under its new request, not a remembered one', async () => {
      // One set of tasks for both submissions, as in a long-running worker that keeps manifests.
      const tasks = createJobTasks({ keyring: store.keyring });
      const jobId = `resubmitted-${randomBytes(4).toString('hex')}`;
      const payload = { tenantId: TENANT, jobId };
      const runUntilDetect = async (): Promise<string | null> => {
        for (const step of ['intake', 'parse'] as const)
          await tasks[step].run((await stepEnv(store, payload, step))!);
        return (await tasks.detect.run((await stepEnv(store, payload, 'detect'))!)).next;
      };
      await submitJob(deps(), request(Buffer.from(canaryText(91)), { jobId }));
      assert.equal(await runUntilDetect(), 'anonymise');
      await deleteJob(store, { tenant: TENANT, jobId });
      await submitJob(deps(), request(Buffer.from(canaryText(91)), { jobId, outputs: ['findings_summary'] }));
      assert.equal(await runUntilDetect(), 'finalise');
      await deleteJob(store, { tenant: TENANT, jobId });
    });

    // Before any worker runs here, so the blob directory changes only by what submissions write.
    test("a submission whose rows cannot be written leaves no row and no blob of its own, and the first job's intact", async () => {
      const jobId = `twice-${randomBytes(4).toString('hex')}`;
      await submitJob(deps(), request(Buffer.from(canaryText(92)), { jobId }));
      const blobs = async () => (await walk(join(dataDir, 'blobs'))).sort();
      const count = async (table: 'jobs' | 'artifacts' | 'retention_ledger') =>
        (await database.handle.db.selectFrom(table).select('tenant_id').execute()).length;
      const before = { blobs: await blobs(), jobs: await count('jobs'), artifacts: await count('artifacts') };
      const ledger = await count('retention_ledger');
      // The same job id again: the job row's key refuses it, in the transaction that holds the
      // ledger and artifact rows too, after the submission's two blobs were written.
      await assert.rejects(submitJob(deps(), request(Buffer.from(canaryText(93)), { jobId })), {
        code: 'VEIL_CONFLICT',
      });
      assert.deepEqual(await blobs(), before.blobs, 'the refused submission left no blob');
      assert.equal(await count('jobs'), before.jobs);
      assert.equal(await count('artifacts'), before.artifacts);
      assert.equal(await count('retention_ledger'), ledger);
      const status = await getJobStatus(store, { tenant: TENANT, jobId });
      assert.equal(status.status, 'queued');
      await deleteJob(store, { tenant: TENANT, jobId });
    });

    test("a submission's queue message commits in the transaction of its rows", async () => {
      const { jobId } = await submitJob(deps(), request(Buffer.from(canaryText(94))));
      const id = stepMessageId({ tenantId: TENANT, jobId }, 'run');
      const { rows } = await sql<{ job: string; message: string }>`
        select (select xmin::text from jobs where tenant_id = ${TENANT} and id = ${jobId}) as job,
               (select xmin::text from pgboss.job where id = ${id}::uuid) as message`.execute(
        database.handle.db,
      );
      assert.ok(rows[0]!.job !== null && rows[0]!.message !== null, 'the job and its message exist');
      assert.equal(rows[0]!.message, rows[0]!.job, 'one transaction wrote both');
      await deleteJob(store, { tenant: TENANT, jobId });
    });

    test('a submission whose queue message cannot be written leaves no row, no message and no blob', async () => {
      const db = database.handle.db;
      await sql`create function veil_test_refuse_message() returns trigger language plpgsql as $$
        begin
          if new.data->>'jobId' like 'refused-%' then raise exception 'message refused'; end if;
          return new;
        end $$`.execute(db);
      await sql`create trigger veil_test_refuse_message before insert on pgboss.job
        for each row execute function veil_test_refuse_message()`.execute(db);
      try {
        const blobs = async () => (await walk(join(dataDir, 'blobs'))).sort();
        const count = async (table: 'jobs' | 'artifacts' | 'retention_ledger') =>
          (await db.selectFrom(table).select('tenant_id').execute()).length;
        const before = {
          blobs: await blobs(),
          jobs: await count('jobs'),
          artifacts: await count('artifacts'),
          ledger: await count('retention_ledger'),
        };
        const jobId = `refused-${randomBytes(4).toString('hex')}`;
        await assert.rejects(submitJob(deps(), request(Buffer.from(canaryText(95)), { jobId })));
        assert.deepEqual(await blobs(), before.blobs, 'the refused submission left no blob');
        assert.deepEqual(
          {
            blobs: await blobs(),
            jobs: await count('jobs'),
            artifacts: await count('artifacts'),
            ledger: await count('retention_ledger'),
          },
          before,
        );
        const messages = await sql<{ n: number }>`
          select count(*)::int as n from pgboss.job where data->>'jobId' = ${jobId}`.execute(db);
        assert.equal(messages.rows[0]!.n, 0);
        await assert.rejects(getJobStatus(store, { tenant: TENANT, jobId }), { code: 'VEIL_NOT_FOUND' });
      } finally {
        await sql`drop trigger veil_test_refuse_message on pgboss.job`.execute(db);
        await sql`drop function veil_test_refuse_message()`.execute(db);
      }
    });

    test('workers run a text job end to end; nothing holds a canary in plaintext', async () => {
      workers = await startWorkers({
        handle: database.handle,
        boss,
        keyring: store.keyring,
        blobs: flakyBlobs(store.blobs, flaky),
        concurrency: 2,
        pollingIntervalSeconds: 0.5,
      });
      const started = Date.now();
      const jobs = await Promise.all(
        [1, 2, 3].map(async (n) => (await submitJob(deps(), request(Buffer.from(canaryText(n))))).jobId),
      );
      for (const jobId of jobs) {
        const view = await waitForJob(store, TENANT, jobId, ['succeeded', 'failed']);
        assert.equal(view.status, 'succeeded');
        assert.equal(view.errorCode, null);
        assertCounts(view.countsByType);
        assert.equal(view.redactedAvailable, true);
        assert.equal(view.policyHash.length, 64);
        // Each artifact is kept for its retention class's window, counted from when the job
        // finished: the original (and its findings) 10 minutes by default, the output the
        // job's 7 days; the manifest until the last of them.
        for (const a of await forTenant(store, TENANT).artifacts.listForJob(jobId)) {
          const minutes = (a.deleteAfter.getTime() - started) / 60_000;
          if (a.artifactClass === 'original' || a.artifactClass === 'findings')
            assert.ok(minutes > 9.9 && minutes < 10.5, `${a.artifactClass} delete_after is 10 minutes out`);
          // The extracted text is due at once (finalise drops it just after the status changes).
          else if (a.artifactClass === 'parsed') assert.ok(minutes < 0.5, 'parsed is due when the job ends');
          else
            assert.ok(
              minutes / 1440 > 6.99 && minutes / 1440 < 7.01,
              `${a.artifactClass} delete_after is 7 days out`,
            );
        }
      }
      const all = [1, 2, 3, 90].flatMap((n) => Object.values(canaries(n)));
      // Names are not detected under this policy: they stay in the output but, like everything, nowhere else.
      const NAMES = new Set([1, 2, 3, 90].map((n) => canaries(n).name));
      for (const [i, jobId] of jobs.entries()) {
        const { mediaType, bytes } = await readRedacted(store, { tenant: TENANT, jobId });
        assert.equal(mediaType, 'text/plain');
        const text = bytes.toString('utf8');
        const c = canaries(i + 1);
        assert.equal(
          text,
          `Claim note ${i + 1}.\nPlease contact ${c.name} by e-mail at <EMAIL_ADDRESS_1> about the claim.\nHis social security number is ***-**-${c.ssn.slice(-4)}.\n`,
        );
        for (const canary of all.filter((v) => !NAMES.has(v)))
          assert.ok(!text.includes(canary), 'the redacted output holds no canary');
      }
      const dump = await dumpTables(database.handle);
      assert.ok(dump.includes(jobs[0]!), 'the dump covers the job rows');
      for (const canary of all) assert.ok(!dump.includes(canary), 'no table holds a canary');
      assert.deepEqual(
        await filesContaining(dataDir, all),
        [],
        'no file in the data directory holds a canary',
      );
      // Queue messages carry the two ids and nothing else (these small texts run fused: one message each).
      const messages = await sql<{
        data: unknown;
        name: string;
      }>`select name, data from pgboss.job where name like 'veil-job-%'`.execute(database.handle.db);
      assert.ok(messages.rows.length >= 3);
      for (const { data } of messages.rows)
        assert.deepEqual(Object.keys(data as object).sort(), ['jobId', 'tenantId']);
    });

    test("a DOCX job's redacted text goes through the policy's operators, like a text job's", async () => {
      workers ??= await startWorkers({
        handle: database.handle,
        boss,
        keyring: store.keyring,
        blobs: store.blobs,
        concurrency: 2,
        pollingIntervalSeconds: 0.5,
      });
      const c = canaries(7);
      const bytes = await docx(
        [`Please contact us at ${c.email} about the claim.`, `Or at ${c.email} again.`],
        `SSN ${c.ssn}`,
      );
      const { jobId } = await submitJob(
        deps(),
        request(bytes, {
          mediaType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
        }),
      );
      const view = await waitForJob(store, TENANT, jobId, ['succeeded', 'failed']);
      assert.equal(view.status, 'succeeded', view.errorCode ?? '');
      const redacted = await readRedacted(store, { tenant: TENANT, jobId });
      assert.equal(redacted.mediaType, 'text/plain');
      const text = redacted.bytes.toString('utf8');
      assert.equal(text.match(/<EMAIL_ADDRESS_1>/g)?.length, 2, 'one tag for one address, across paragraphs');
      assert.ok(text.includes(`***-**-${c.ssn.slice(-4)}`), 'the SSN is masked as the policy says');
      assert.ok(!text.includes(c.email) && !text.includes(c.ssn));
    });

    test('an unparseable document fails with a stable code and leaves no artifact', async () => {
      const before = (await walk(join(dataDir, 'blobs'))).length;
      // NUL bytes and no known magic number: no parser accepts it.
      const garbage = Buffer.concat([Buffer.from([0, 1, 2, 0xfe, 0, 0x7f]), randomBytes(4096)]);
      const { jobId } = await submitJob(deps(), request(garbage, { mediaType: 'application/octet-stream' }));
      const view = await waitForJob(store, TENANT, jobId, ['succeeded', 'failed']);
      assert.equal(view.status, 'failed');
      assert.equal(view.errorCode, 'VEIL_UNSUPPORTED_TYPE');
      assert.deepEqual(await forTenant(store, TENANT).artifacts.listForJob(jobId), []);
      assert.equal((await walk(join(dataDir, 'blobs'))).length, before, 'its blobs are gone too');
      await assert.rejects(readRedacted(store, { tenant: TENANT, jobId }), { code: 'VEIL_JOB_FAILED' });
    });

    test('a step that keeps failing is retried, then failed by the hook with VEIL_JOB_FAILED', async () => {
      const { jobId } = await submitJob(deps(), request(Buffer.from(canaryText(4))));
      flaky.on = true;
      try {
        const view = await waitForJob(store, TENANT, jobId, ['succeeded', 'failed'], 45_000);
        assert.equal(view.status, 'failed');
        assert.equal(view.errorCode, 'VEIL_JOB_FAILED');
      } finally {
        flaky.on = false;
      }
      assert.deepEqual(await forTenant(store, TENANT).artifacts.listForJob(jobId), []);
      // What pg-boss kept of the failure names the step and nothing of the document (a small
      // text runs fused: its one message is the one that failed).
      const outputs = await sql<{
        output: unknown;
      }>`select output from pgboss.job where name in (${STEP_QUEUES.intake}, ${FUSED_QUEUE}) and state = 'failed'`.execute(
        database.handle.db,
      );
      assert.equal(outputs.rows.length, 1);
      assert.match(
        JSON.stringify(outputs.rows[0]?.output),
        /veil job step intake failed \(unexpected error\)/,
      );
      assert.doesNotMatch(JSON.stringify(outputs.rows[0]?.output), /EIO|simulated/);
    });

    test('deleteJob hard-deletes every artifact and the job, and says what it deleted', async () => {
      const { jobId } = await submitJob(deps(), request(Buffer.from(canaryText(5))));
      await waitForJob(store, TENANT, jobId, ['succeeded']);
      const blobsBefore = (await walk(join(dataDir, 'blobs'))).length;
      const receipt = await deleteJob(store, { tenant: TENANT, jobId });
      assert.deepEqual(receipt.artifacts.map((a) => a.artifactClass).sort(), [
        'findings',
        'manifest',
        'original',
        'redacted',
      ]);
      assert.equal((await walk(join(dataDir, 'blobs'))).length, blobsBefore - 4);
      await assert.rejects(getJobStatus(store, { tenant: TENANT, jobId }), { code: 'VEIL_NOT_FOUND' });
      await assert.rejects(deleteJob(store, { tenant: TENANT, jobId }), { code: 'VEIL_NOT_FOUND' });
      // Another tenant's id answers as if it did not exist.
      const other = await submitJob(deps(), request(Buffer.from('no personal data here')));
      await assert.rejects(getJobStatus(store, { tenant: 'tenant-other', jobId: other.jobId }), {
        code: 'VEIL_NOT_FOUND',
      });
    });

    test('submitJob refuses a bad request before writing anything', async () => {
      const rows = async () => (await database.handle.db.selectFrom('jobs').select('id').execute()).length;
      const n = await rows();
      await assert.rejects(submitJob(deps(), request(Buffer.from('x'), { purpose: 'Free text about Ann' })), {
        code: 'VEIL_INVALID_INPUT',
        message: /purpose/,
      });
      await assert.rejects(submitJob(deps(), request(Buffer.from('x'), { retentionDays: 0 })), {
        code: 'VEIL_INVALID_INPUT',
      });
      await assert.rejects(submitJob(deps(), request(Buffer.from('x'), { outputs: [] })), {
        code: 'VEIL_INVALID_INPUT',
      });
      await assert.rejects(submitJob(deps(), request(new Uint8Array(0))), { code: 'VEIL_INVALID_INPUT' });
      assert.equal(await rows(), n);
    });
  });
}

/** One e-mail and one SSN, counted, never listed. */
function assertCounts(counts: Readonly<Record<string, number>>): void {
  assert.deepEqual(counts, { EMAIL_ADDRESS: 1, US_SSN: 1 });
}

/** A blob store whose reads fail with an unexpected (retryable) error while `flag.on`. */
function flakyBlobs(inner: BlobStore, flag: { on: boolean }): BlobStore {
  return {
    put: (target, content) => inner.put(target, content),
    get: (ref) => (flag.on ? Promise.reject(new Error('EIO: simulated disk failure')) : inner.get(ref)),
    exists: (ref) => inner.exists(ref),
    delete: (ref) => inner.delete(ref),
  };
}

export type { StoreContext };
