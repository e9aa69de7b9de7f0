/**
 * Inline jobs: a small text job run to completion in the request that submits it. Its steps are
 * the fused run's (`createJobTasks`, `runFusedSteps`), with every write held (`held-writes.ts`)
 * from the job as submitted, its manifest and original read from memory; then ONE transaction
 * records the job as it ends with its tenant, ledger and artifact rows, and the steps' rows, in
 * a group commit shared with the submissions that end together (`held-commits.ts`). Nothing is
 * queued, fetched, claimed by a worker or completed, and the original is never stored (no row,
 * no blob).
 *
 * A request that dies before the commit leaves nothing but, at most, ciphertext blobs staged in
 * that very instant (swept as any orphan); the client's idempotency key makes its retry safe. A
 * step that throws (a document error, a busy detection pool, a lost database) or a commit that
 * rolls back records nothing: the job is then submitted queued, as without this path, so failure
 * handling, retries and error codes stay the workers'.
 */
import type { Insertable } from 'kysely';
import { forTenant } from '../../store/index.js';
import type { NewJob, Schema, StoreContext } from '../../store/index.js';
import { VeilError } from '../../errors/veil-error.js';
import { MAX_INLINE_BYTES, runFusedSteps } from './fused.js';
import { groupHeldCommits } from './held-commits.js';
import type { HeldCommits } from './held-commits.js';
import { HeldWrites } from './held-writes.js';
import type { JobPayload, JobStep } from './queues.js';
import { ARTIFACT, artifactId } from './request.js';
import { createJobTasks, stepEnv } from './steps.js';
import type { JobSnapshot, JobTask, StepServices } from './steps.js';

/** A submission, admitted and ready to be recorded: what an inline run records with its steps. */
export interface InlineSubmission {
  readonly tenant: string;
  readonly job: NewJob & { readonly id: string };
  /** Its retention ledger's rows (`ledgerRows`) and their classes. */
  readonly ledger: ReadonlyArray<Insertable<Schema['retention_ledger']>>;
  readonly ledgerClasses: readonly string[];
  /** The encoded manifest (request and policy, no content): stored, as for any job. */
  readonly manifest: Uint8Array;
  /** The document: read from memory by the steps, never stored. */
  readonly original: Uint8Array;
}

/** How an inline run ended: the job as committed, and the steps it ran, in order. */
export interface InlineRun {
  readonly after: JobSnapshot;
  /** Their `step-done` events are the caller's to tell, after its submission's. */
  readonly steps: readonly JobStep[];
}

/** Runs small text jobs in the submitting request (`JobDeps.inline`). */
export interface InlineJobs {
  /** The largest `text/plain` document that runs inline. */
  readonly maxBytes: number;
  /**
   * Runs and records the job, or answers undefined having recorded nothing (a step or the
   * commit threw): the caller then submits it queued. Throws only when a commit failed and whether
   * it landed cannot be read.
   */
  run(submission: InlineSubmission): Promise<InlineRun | undefined>;
}

/**
 * Runs a held job's steps from `opening` (the job as its opening read found it, or as submitted),
 * every write held in `held`, and answers the steps run, in order. Throws when a step throws,
 * when the job stopped before its end or when the run stopped holding: nothing is then recorded.
 *
 * @example
 * ```ts
 * const steps = await runHeld(tasks, store, payload, opening, held);
 * await held.commit(store, payload);
 * ```
 */
export async function runHeld(
  tasks: Readonly<Record<JobStep, JobTask>>,
  store: StoreContext,
  payload: JobPayload,
  opening: JobSnapshot,
  held: HeldWrites,
): Promise<JobStep[]> {
  const steps: JobStep[] = [];
  let found: JobSnapshot | undefined = opening;
  let ended = false;
  await runFusedSteps(async (step) => {
    const env = await stepEnv(store, payload, step, found, held);
    if (env === undefined) return undefined;
    const outcome = await tasks[step].run(env);
    // A step that found its work done wrote nothing: the next one starts from the same job.
    if (outcome.after !== undefined) found = outcome.after ?? undefined;
    steps.push(step);
    ended = outcome.next === null;
    return outcome;
  });
  if (!ended || !held.holding) throw new Error('held run: the job did not run to its end held');
  return steps;
}

/**
 * Starts running inline jobs for a `veil serve` process: one set of step tasks (analyzers built
 * once per policy, detection on `services.analyzeText`, the service's detection pool) and one
 * group commit for every submission.
 *
 * @example
 * ```ts
 * const inline = createInlineJobs(store, { keyring, analyzeText: pool.analyze }, 256 * 1024);
 * await submitJob({ ...store, boss, keyring, inline }, input); // { status: 'succeeded', … }
 * ```
 */
export function createInlineJobs(
  store: StoreContext,
  services: StepServices,
  maxBytes: number,
  commits: HeldCommits = groupHeldCommits(store),
): InlineJobs {
  if (!Number.isInteger(maxBytes) || maxBytes < 1 || maxBytes > MAX_INLINE_BYTES)
    throw new VeilError(
      'VEIL_INVALID_OPTION',
      `jobs: the inline size (VEIL_INLINE_MAX_BYTES) must be an integer from 1 to ${MAX_INLINE_BYTES}`,
    );
  const tasks = createJobTasks(services);
  return {
    maxBytes,
    async run(submission) {
      const { tenant, job } = submission;
      const payload: JobPayload = { tenantId: tenant, jobId: job.id };
      const repos = forTenant(store, tenant);
      const staged = await repos.artifacts.stage([
        {
          input: {
            id: artifactId(job.id, ARTIFACT.manifest),
            jobId: job.id,
            artifactClass: ARTIFACT.manifest,
            deleteAfter: job.deleteAfter,
          },
          content: submission.manifest,
        },
      ]);
      const opening: JobSnapshot = { job: repos.jobs.asSubmitted(job, new Date()), artifacts: [] };
      const held = new HeldWrites(opening.job, submission.ledgerClasses, {
        job,
        ledger: submission.ledger,
        artifacts: repos.artifacts.rowsOf(staged),
        contents: [
          { artifactClass: ARTIFACT.manifest, content: submission.manifest },
          { artifactClass: ARTIFACT.original, content: submission.original },
        ],
      });
      let steps: JobStep[];
      let after: JobSnapshot | undefined;
      try {
        steps = await runHeld(tasks, store, payload, opening, held);
      } catch {
        await repos.artifacts.discard(staged);
        return undefined;
      }
      try {
        after = await commits.commit(held, payload);
      } catch {
        // A failed commit may still have landed (its `commit` answered an error): the row says. A
        // read that fails too throws, and the blobs stay for the job that may be there.
        after = await repos.jobs.getWithArtifacts(job.id);
      }
      // Not recorded (a failed write, a lost claim): the blobs go, and the caller queues the job.
      if (after === undefined) {
        await repos.artifacts.discard(staged);
        return undefined;
      }
      return { after, steps };
    },
  };
}
