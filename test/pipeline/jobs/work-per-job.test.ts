/**
 * The work one job costs: how many times detection runs over its content. The figures of
 * `npm run bench:job-sql` (statements, queue operations, CPU per job) rest on these counts.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { closeDocumentResources } from '../../../src/documents/resources.js';
import { createAnalyzer } from '../../../src/engine/analyze.js';
import type { AnalyzeOptions, Analyzer } from '../../../src/engine/analyze.js';
import { getJobStatus, readRedacted } from '../../../src/pipeline/jobs/commands.js';
import { JOB_STEPS } from '../../../src/pipeline/jobs/queues.js';
import type { JobStep } from '../../../src/pipeline/jobs/queues.js';
import { createJobTasks, stepEnv } from '../../../src/pipeline/jobs/steps.js';
import { runFusedSteps } from '../../../src/pipeline/jobs/fused.js';
import { transitionJob } from '../../../src/pipeline/jobs/records.js';
import { forTenant } from '../../../src/store/index.js';
import { submitJob } from '../../../src/pipeline/jobs/submit.js';
import { DRIVERS } from '../../store/drivers.js';
import { jobStoreSuite } from './job-store-suite.js';
import { textPdf } from '../../documents/fixtures.js';
import { canaries, canaryJob, canaryText } from './fixtures.js';

const TENANT = 'tenant-work';

// The PDF job starts the documents layer's sandbox and OCR workers; they would keep the file alive.
after(closeDocumentResources);

for (const driver of DRIVERS) {
  describe(`work per job on ${driver.name}`, { skip: driver.skip }, () => {
    const suite = jobStoreSuite(driver, 'veil-work-');

    /** Runs a job's steps in order, as a fused worker does, and returns the texts detection read. */
    const runCounting = async (bytes: Uint8Array, mediaType: string): Promise<string[]> => {
      const read: string[] = [];
      const counting = (options: AnalyzeOptions): Analyzer => {
        const analyze = createAnalyzer(options);
        return (text) => {
          read.push(text);
          return analyze(text);
        };
      };
      const tasks = createJobTasks({ keyring: suite.store.keyring, createAnalyzer: counting });
      const { jobId } = await submitJob(
        { db: suite.database.handle.db, blobs: suite.store.blobs, boss: suite.boss },
        canaryJob(TENANT, bytes, mediaType),
      );
      const payload = { tenantId: TENANT, jobId };
      const ran: JobStep[] = [];
      for (let step: JobStep | null = 'intake'; step !== null;) {
        const env = await stepEnv(suite.store, payload, step);
        assert.ok(env, `${step} is runnable`);
        ran.push(step);
        step = (await tasks[step].run(env)).next;
      }
      assert.deepEqual(
        ran,
        JOB_STEPS.filter((s) => s !== 'extract'),
      );
      assert.ok((await readRedacted(suite.store, { tenant: TENANT, jobId })).bytes.byteLength > 0);
      return read;
    };

    test('a text job is detected once, and its output checked once', async () => {
      const text = canaryText(7);
      const read = await runCounting(Buffer.from(text), 'text/plain');
      // The detect step reads the document; the anonymise step reuses its stored findings and
      // runs detection only over its own output (the residual check).
      assert.equal(read.length, 2);
      assert.equal(read.filter((t) => t === text).length, 1);
      assert.ok(!read[1]!.includes(canaries(7).ssn) && !read[1]!.includes(canaries(7).email));
    });

    test('a PDF job is parsed and detected once, and its output checked once', async () => {
      const { ssn, email } = canaries(8);
      const pdf = await textPdf(
        [[`Claim 8: contact ${email} about it.`, `Policy holder SSN ${ssn}.`]],
        false,
      );
      const read = await runCounting(pdf, 'application/pdf');
      // Before, the anonymise step parsed the original again and ran detection over it a second
      // time (3 runs); now it redacts from the detect step's findings.
      assert.equal(read.length, 2);
      assert.equal(read.filter((t) => t.includes(ssn)).length, 1, 'the document text is detected once');
      assert.ok(!read[1]!.includes(ssn) && !read[1]!.includes(email), 'the second run reads the output');
    });

    test('a fused job retried when it is already awaiting review runs finalise only', async () => {
      const tasks = createJobTasks({ keyring: suite.store.keyring });
      const { jobId } = await submitJob(
        { db: suite.database.handle.db, blobs: suite.store.blobs, boss: suite.boss },
        canaryJob(TENANT, Buffer.from(canaryText(9)), 'text/plain'),
      );
      const payload = { tenantId: TENANT, jobId };
      // The first run: every step up to finalise, which moved the job to awaiting_review (a field
      // waits for a reviewer) and died before it swept `parsed` and acknowledged the message.
      for (const step of ['intake', 'parse', 'detect', 'anonymise'] as const)
        await tasks[step].run((await stepEnv(suite.store, payload, step))!);
      assert.ok(await transitionJob(suite.database.handle.db, payload, ['running'], 'awaiting_review'));
      const repos = forTenant(suite.store, TENANT);
      const classes = async (): Promise<string[]> =>
        (await repos.artifacts.listForJob(jobId)).map((a) => `${a.artifactClass}:${a.blobName}`).sort();
      const before = await classes();
      assert.ok(before.some((c) => c.startsWith('parsed:')));

      // The retry, as the fused worker runs it.
      const ran: JobStep[] = [];
      await runFusedSteps(async (step) => {
        const env = await stepEnv(suite.store, payload, step);
        if (env === undefined) return undefined;
        ran.push(step);
        return tasks[step].run(env);
      });
      assert.deepEqual(ran, ['finalise']);
      const view = await getJobStatus(suite.store, { tenant: TENANT, jobId });
      assert.equal(view.status, 'awaiting_review', 'the job still waits for its reviewer');
      // Finalise only swept `parsed`: nothing was written again.
      assert.deepEqual(
        await classes(),
        before.filter((c) => !c.startsWith('parsed:')),
      );
    });
  });
}
