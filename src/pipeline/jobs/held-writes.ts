/**
 * One transaction per fused job. A fused run that finds its job queued and untouched holds every
 * step's writes in memory (outputs, rows, the status each step moves the job to) and records them
 * all at the end: the blobs, then one transaction that claims the job and writes its row as the
 * steps leave it in one statement (`queued` → `succeeded` with counts and deadline, which only
 * one run can win), writes every other row and reads the job it leaves. The job's parsed
 * text is never stored: the steps after parse read it from memory. So a fused text job costs two
 * transactions (the opening read and this one) where each step used to cost one.
 *
 * A run that dies before the commit leaves nothing but, at most, blobs staged in that very
 * instant (ciphertext, swept as any orphan); its retry starts again from the queued job. A run
 * that loses the claim (another run, a cancellation or a deletion got there first) writes
 * nothing, deletes its staged blobs and is told so, so the caller can run the steps one by one
 * from what the store holds, as before.
 */
import type { Insertable, Kysely } from 'kysely';
import { forTenant, withTenantScope } from '../../store/index.js';
import type { RetentionClass } from '../../policy/index.js';
import { planRetention, retentionDeadlines, retentionSchedule } from '../../privacy/retention/ledger.js';
import type {
  Artifact,
  Job,
  JobStatus,
  NewJob,
  Schema,
  StagedArtifact,
  StoreContext,
} from '../../store/index.js';
import type { JobPayload } from './queues.js';
import { ARTIFACT, artifactId } from './request.js';
import type { ArtifactClass } from './request.js';

/** A job and its artifacts as a step leaves them (`jobs.getWithArtifacts`). */
interface Snapshot {
  readonly job: Job;
  readonly artifacts: readonly Artifact[];
}

/**
 * How a job ends `succeeded`: each retention class's window from its end, and the states a step
 * by step run may end it from (a held run ends it from `queued`, in the claim itself).
 */
export interface JobCompletion {
  readonly windows: Readonly<Record<RetentionClass, number>>;
  readonly from: readonly JobStatus[];
}

/** What a step would have written in its own transaction. */
export interface HeldStep {
  readonly outputs: ReadonlyArray<{ readonly artifactClass: ArtifactClass; readonly content: Uint8Array }>;
  /** Rows of other tables than `jobs`. */
  readonly rows?: (trx: Kysely<Schema>) => Promise<unknown>;
  /** The status the step moves the job to, if any. */
  readonly becomes?: JobStatus;
  /** Findings per entity type for the job's row. */
  readonly counts?: Readonly<Record<string, number>>;
  /** The job ends `succeeded`, its deadlines set from its end. */
  readonly completes?: JobCompletion;
}

/**
 * Whether a job, as the opening read found it, can run as one transaction: queued, with only the
 * rows its submission wrote (the manifest and the original), so no earlier run left work behind.
 *
 * @example
 * ```ts
 * if (runsWhole(opening)) held = new HeldWrites(opening.job, opening.ledgerClasses);
 * ```
 */
export function runsWhole(snapshot: Snapshot): boolean {
  return (
    snapshot.job.status === 'queued' &&
    snapshot.artifacts.every(
      (a) => a.artifactClass === ARTIFACT.manifest || a.artifactClass === ARTIFACT.original,
    )
  );
}

/**
 * A job whose submission is held with its steps (an inline job, run in the request that submits
 * it): its rows go first in the commit's transaction, and its inputs are read from memory.
 */
export interface HeldSubmission {
  /** The job as submitted: recorded as the steps leave it, with its ledger and artifacts. */
  readonly job: NewJob;
  readonly ledger: ReadonlyArray<Insertable<Schema['retention_ledger']>>;
  /** The rows of the submission's stored artifacts (the manifest's). */
  readonly artifacts: ReadonlyArray<Insertable<Schema['artifacts']>>;
  /** What the steps read instead of stored artifacts: the manifest, and the original, never stored. */
  readonly contents: ReadonlyArray<{ readonly artifactClass: ArtifactClass; readonly content: Uint8Array }>;
}

/** The writes of a fused run's steps, held until its end. */
export class HeldWrites {
  readonly #job: Job;
  readonly #outputs: Array<{ readonly artifactClass: ArtifactClass; readonly content: Uint8Array }> = [];
  readonly #rows: Array<(trx: Kysely<Schema>) => Promise<unknown>> = [];
  /** Each held output's content, for the steps after it to read instead of a stored blob. */
  readonly #contents = new Map<ArtifactClass, Uint8Array>();
  #status: JobStatus;
  #counts: Readonly<Record<string, number>> | undefined;
  #completes: JobCompletion | undefined;
  #holding = true;

  /** The job's ledger classes, when its opening read brought them (else the commit reads them). */
  readonly #ledgerClasses: readonly string[] | undefined;
  /** The submission, when it is held too ({@link HeldSubmission}). */
  readonly #submission: Omit<HeldSubmission, 'contents'> | undefined;

  constructor(job: Job, ledgerClasses?: readonly string[], submission?: HeldSubmission) {
    this.#job = job;
    this.#status = job.status;
    this.#ledgerClasses = ledgerClasses;
    // Its ledger is not written before the commit, so the commit cannot read its classes.
    if (submission !== undefined && ledgerClasses === undefined)
      throw new Error('held writes: a held submission needs its ledger classes');
    this.#submission = submission;
    for (const { artifactClass, content } of submission?.contents ?? [])
      this.#contents.set(artifactClass, content);
  }

  /** Whether steps still hand their writes here (false once {@link release}d). */
  get holding(): boolean {
    return this.#holding;
  }

  /**
   * Stops holding before anything is held: the run goes on step by step, each step committing its
   * own writes (a job whose later steps wait on other transactions, such as review tasks).
   */
  release(): void {
    // A held submission stored no original for a step by step run to read.
    if (this.#submission !== undefined)
      throw new Error('held writes: a held submission cannot run step by step');
    if (
      this.#outputs.length > 0 ||
      this.#rows.length > 0 ||
      this.#status !== this.#job.status ||
      this.#counts !== undefined ||
      this.#completes !== undefined
    )
      throw new Error('held writes: released after a step was held');
    this.#holding = false;
  }

  /** A held output's content, or undefined. */
  content(artifactClass: ArtifactClass): Uint8Array | undefined {
    return this.#contents.get(artifactClass);
  }

  /**
   * Holds a step's writes; the parsed text is kept in memory only. Answers the job as the step
   * leaves it, which the next step starts from.
   */
  hold(step: HeldStep, artifacts: Snapshot['artifacts']): Snapshot {
    for (const output of step.outputs) {
      this.#contents.set(output.artifactClass, output.content);
      if (output.artifactClass !== ARTIFACT.parsed) this.#outputs.push(output);
    }
    if (step.rows !== undefined) this.#rows.push(step.rows);
    if (step.becomes !== undefined) this.#status = step.becomes;
    if (step.counts !== undefined) this.#counts = step.counts;
    if (step.completes !== undefined) {
      this.#completes = step.completes;
      this.#status = 'succeeded';
    }
    return { job: { ...this.#job, status: this.#status }, artifacts };
  }

  /**
   * Stores the held outputs' blobs, before any transaction: a blob is durable before the row
   * that names it commits. What {@link writeIn} and {@link commit} then record.
   */
  stage(store: StoreContext, payload: JobPayload): Promise<StagedArtifact[]> {
    return forTenant(store, payload.tenantId).artifacts.stage(
      this.#outputs.map(({ artifactClass, content }) => ({
        input: {
          id: artifactId(payload.jobId, artifactClass),
          jobId: payload.jobId,
          artifactClass,
          deleteAfter: this.#job.deleteAfter,
        },
        content,
      })),
    );
  }

  /**
   * Writes the held rows in the caller's transaction, which must be under the job's tenant
   * scope: the job's row as the steps leave it, in one statement conditional on `queued` (the
   * claim, the status, the counts, the end and deadline), the staged outputs' rows, the other
   * rows in step order, then the retention deadlines and the read of the job they leave (one
   * statement). A held submission's job is inserted as the steps leave it instead, with its
   * ledger and every artifact's row, in one statement. Throws {@link LostClaim} (see
   * {@link isLostClaim}) when the job was no longer queued or did not end as the steps left it:
   * the caller rolls back. `unused` are the staged blobs whose rows another run wrote first, to
   * discard after the commit.
   */
  async writeIn(
    trx: Kysely<Schema>,
    store: StoreContext,
    payload: JobPayload,
    staged: readonly StagedArtifact[],
  ): Promise<{ readonly after: Snapshot; readonly unused: readonly StagedArtifact[] }> {
    const repos = forTenant(store, payload.tenantId);
    const endedAt = new Date();
    // The ledger's classes are known (the opening read of a job as submitted) or read before the
    // claim: the job's own deadline, written with it, is the latest of theirs.
    const schedule =
      this.#completes === undefined
        ? undefined
        : this.#ledgerClasses !== undefined
          ? retentionSchedule(
              payload.tenantId,
              payload.jobId,
              this.#ledgerClasses,
              this.#completes.windows,
              endedAt,
            )
          : await planRetention(trx, payload.tenantId, payload.jobId, this.#completes.windows, endedAt);
    const ended = {
      status: this.#status,
      ...(this.#counts === undefined ? {} : { countsByType: this.#counts }),
      ...(schedule === undefined ? {} : { endedAt, deleteAfter: schedule.last }),
    };
    let unused: readonly StagedArtifact[] = [];
    if (this.#submission !== undefined) {
      // A held submission: its job written as the steps leave it, with its ledger and every
      // artifact's row, in one statement (nothing to claim: no other run can know the job).
      const { job, ledger, artifacts } = this.#submission;
      await repos.jobs.createWithRowsIn(
        trx,
        { ...job, ...ended },
        { ledger, artifacts: [...artifacts, ...repos.artifacts.rowsOf(staged)] },
      );
    } else {
      const claimed = await repos.jobs.updateIn(trx, payload.jobId, { ...ended, errorCode: null }, [
        'queued',
      ]);
      if (claimed === undefined) throw new LostClaim();
      // The outputs' rows before the deadlines: finishing the job schedules every artifact's.
      ({ unused } = await repos.artifacts.insertStagedOnce(trx, staged));
    }
    for (const rows of this.#rows) await rows(trx);
    // The deadlines and the closing read in one statement.
    const after = await repos.jobs.getWithArtifactsIn(
      trx,
      payload.jobId,
      schedule === undefined ? undefined : retentionDeadlines(schedule),
    );
    if (after?.job.status !== this.#status) throw new LostClaim();
    return { after, unused };
  }

  /**
   * Records what the steps held: blobs (unless given, already {@link stage}d), then one
   * transaction that claims the queued job, writes the rows in step order and the outputs' rows,
   * and reads the job. Undefined (nothing written, staged blobs deleted) when the job was no
   * longer queued or did not end `succeeded`.
   */
  async commit(
    store: StoreContext,
    payload: JobPayload,
    stagedBefore?: readonly StagedArtifact[],
  ): Promise<Snapshot | undefined> {
    const repos = forTenant(store, payload.tenantId);
    const staged = stagedBefore ?? (await this.stage(store, payload));
    let committing = false;
    let settled: { after: Snapshot; unused: readonly StagedArtifact[] } | undefined;
    try {
      settled = await withTenantScope(store.db, payload.tenantId, async (trx) => {
        const written = await this.writeIn(trx, store, payload, staged);
        committing = true;
        return written;
      });
    } catch (error) {
      // Not when the commit itself failed: it may have landed, and its rows would lose their blobs.
      if (!committing) await repos.artifacts.discard(staged);
      if (error instanceof LostClaim) return undefined;
      throw error;
    }
    await repos.artifacts.discard(settled.unused);
    return settled.after;
  }
}

/**
 * Whether `error` is {@link HeldWrites.writeIn}'s: the job was no longer queued (another run, a
 * cancellation or a deletion came first), and the transaction must roll back.
 *
 * @example
 * ```ts
 * if (isLostClaim(error)) return undefined;
 * ```
 */
export function isLostClaim(error: unknown): boolean {
  return error instanceof LostClaim;
}

/** Rolls the held run's transaction back: another run, a cancellation or a deletion came first. */
class LostClaim extends Error {
  constructor() {
    super('held writes: the job was no longer queued');
  }
}
