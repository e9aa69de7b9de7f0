/**
 * One fetch loop for a job queue in a process (every step queue, the fused queue, the failure
 * queue): free slots are filled by one batched `fetch`, and the messages that finish together are
 * acknowledged by one `complete` with their ids, where `concurrency` pg-boss workers would each
 * fetch, complete and poll on their own (16 empty polls per interval for the fused queue alone
 * when idle).
 *
 * Each message is still settled on its own, as pg-boss's `work` settles a batch of one: completed
 * once its handler resolved, failed (pg-boss then retries it or moves it to its dead-letter queue)
 * when it threw or outlasted its `expireInSeconds`; a batch never fails together. A process that
 * dies leaves its fetched messages active until they expire, and pg-boss retries them, as before.
 */
import type PgBoss from 'pg-boss';

/** What {@link workInBatches} takes. */
export interface BatchedWorkOptions {
  readonly boss: PgBoss;
  readonly queue: string;
  /** Messages running at once in this process (1 to 256). */
  readonly concurrency: number;
  /** How long an empty look waits before the next, in seconds. */
  readonly pollingIntervalSeconds: number;
  /** Runs one message; a rejection fails it with what was thrown (a message naming codes only). */
  readonly handle: (message: PgBoss.JobWithMetadata<object>) => Promise<unknown>;
  /** A fetch or an acknowledgement that failed (the messages then expire and are retried). */
  readonly onError: (error: unknown) => void;
}

/** A running fetch loop. */
export interface BatchedWorker {
  /** Looks for messages now rather than at the next poll (after this process enqueued one). */
  wake(): void;
  /** Stops fetching and waits for the messages in flight and their acknowledgements. */
  stop(): Promise<void>;
}

/** A handler that outlasts its message's expiry fails it, as pg-boss's `work` does. */
function withinSeconds<T>(work: Promise<T>, seconds: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`handler execution exceeded ${Math.max(1, seconds) * 1000}ms`)),
      Math.max(1, seconds) * 1000,
    );
  });
  return Promise.race([work, expired]).finally(() => clearTimeout(timer));
}

/**
 * Starts the loop. It fetches when at least a quarter of the slots are free (or none is busy), so
 * a busy process takes messages in batches; a look that finds the queue empty waits out
 * `pollingIntervalSeconds` unless {@link BatchedWorker.wake} is called.
 *
 * @example
 * ```ts
 * const fused = workInBatches({ boss, queue: FUSED_QUEUE, concurrency: 16, pollingIntervalSeconds: 1,
 *   handle: runFused, onError: (error) => log(error) });
 * await fused.stop();
 * ```
 */
export function workInBatches(options: BatchedWorkOptions): BatchedWorker {
  const { boss, queue, concurrency } = options;
  const minBatch = Math.max(1, Math.floor(concurrency / 4));
  const running = new Set<Promise<void>>();
  let completing: string[] = [];
  let acknowledged: Promise<void> = Promise.resolve();
  let fetching: Promise<unknown> | undefined;
  let stopping = false;
  let poll: NodeJS.Timeout | undefined;
  /** Whether the last look found messages: a finished one then fetches again at once. */
  let found = true;

  const report = (error: unknown): void => {
    try {
      options.onError(error);
    } catch {
      // A failing logger must not stop the loop.
    }
  };

  const flushCompletions = (): void => {
    const ids = completing;
    completing = [];
    if (ids.length === 0) return;
    acknowledged = acknowledged.then(() => boss.complete(queue, ids).then(() => undefined, report));
  };

  const start = (message: PgBoss.JobWithMetadata<object>): void => {
    const run = withinSeconds(options.handle(message), Number(message.expireInSeconds)).then(
      () => {
        // Messages that finish in the same turn of the event loop share one acknowledgement.
        if (completing.push(message.id) === 1) setImmediate(flushCompletions);
      },
      (error: unknown) => {
        acknowledged = acknowledged.then(() =>
          boss.fail(queue, message.id, error as object).then(() => undefined, report),
        );
      },
    );
    const tracked: Promise<void> = run.finally(() => {
      running.delete(tracked);
      if (found) void look();
    });
    running.add(tracked);
  };

  const look = async (): Promise<void> => {
    const free = concurrency - running.size;
    if (stopping || fetching !== undefined || free <= 0 || (running.size > 0 && free < minBatch)) return;
    clearTimeout(poll);
    poll = undefined;
    let messages: PgBoss.JobWithMetadata<object>[] = [];
    const fetched = boss.fetch<object>(queue, { batchSize: free, includeMetadata: true });
    fetching = fetched;
    try {
      messages = await fetched;
    } catch (error) {
      report(error);
    } finally {
      fetching = undefined;
    }
    // Fetched messages are active: they run even when a stop came meanwhile.
    for (const message of messages) start(message);
    found = messages.length > 0;
    if (stopping) return;
    if (found) void look();
    else poll = setTimeout(() => void look(), options.pollingIntervalSeconds * 1000);
  };

  void look();
  return {
    wake: () => {
      found = true;
      void look();
    },
    async stop() {
      stopping = true;
      clearTimeout(poll);
      while (running.size > 0 || fetching !== undefined) await Promise.allSettled([...running, fetching]);
      flushCompletions();
      await acknowledged;
    },
  };
}
