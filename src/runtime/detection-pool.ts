/**
 * Detection on worker threads, so analysing a text never blocks the API's event loop: health
 * checks, job status and other requests are answered while a long text is analysed, and a
 * machine with several cores analyses several texts at once.
 *
 * Why not piscina: its workers load the task module by file path, and Node 20 worker threads do
 * not inherit tsx's loader, so under tsx (tests, benchmarks) the TypeScript worker would not load.
 * The pool needed here is small: fixed threads, one task each (and one short one queued behind when
 * all are busy), a bounded FIFO queue, and a fresh
 * thread when one dies. It starts threads the way the PDF sandbox does (`documents/pdf/sandbox`).
 */
import { channel } from 'node:diagnostics_channel';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { AnalyzeOptions } from '../engine/analyze.js';
import type { Finding } from '../engine/types.js';
import type { PresentedAnalysis } from '../api/presented-analysis.js';
import type { ErrorCode } from '../errors/catalogue.js';
import { VeilError } from '../errors/veil-error.js';
import { decodeFindings } from './findings-transfer.js';
import type { EncodedFindings } from './findings-transfer.js';

/** One text to analyse, as posted to a thread. */
export interface DetectionTask {
  readonly id: number;
  readonly text: string;
  readonly options: AnalyzeOptions;
  /** Answer with the findings presented as `/v1/analyze` answers them, not the findings. */
  readonly present?: true;
  /** Set while an instrument listens on {@link detectionTrace}: the thread answers with its timing. */
  readonly trace?: true;
}

/**
 * A thread's own account of a traced task: when it started and ended it (milliseconds since the
 * epoch, `performance.timeOrigin + performance.now()`, comparable across threads) and the garbage
 * collections it ran since its last traced answer, as start, duration and kind (V8's: 1 minor,
 * 2 major, 4 incremental marking, 8 weak callbacks) triples.
 */
export interface DetectionTiming {
  readonly start: number;
  readonly end: number;
  readonly gc: readonly number[];
}

/**
 * What the pool publishes for an instrument (the load benchmark's `analyze-trace.ts`), only while
 * one subscribes, so an untraced service pays one property read a text: `{ kind: 'queued', id,
 * waiting, idle }` when a text is handed to the pool (`waiting` texts ahead of it, `idle` whether a
 * thread was free), `{ kind: 'posted', id, thread, behind }` when it is posted to a thread (`behind`
 * 1 when the thread was still running another text), and `{ kind: 'answered', id, thread, timing }`
 * when the answer is read back. Ids, counts and times only: never a text or a finding.
 */
export const detectionTrace = channel('veil.detection-pool');

/**
 * A thread's answer: the findings (encoded as numbers and names, or as objects when they hold a
 * field the encoding does not carry), or the error's stable code and message.
 */
export type DetectionReply = (
  | { readonly id: number; readonly encoded: EncodedFindings }
  | { readonly id: number; readonly findings: Finding[] }
  | { readonly id: number; readonly presented: PresentedAnalysis }
  | { readonly id: number; readonly error: { readonly code: ErrorCode; readonly message: string } }
) & { readonly timing?: DetectionTiming };

/** Settings of {@link createDetectionPool}. */
export interface DetectionPoolOptions {
  /** Threads analysing at once (1 to 64). */
  readonly threads: number;
  /** Texts waiting for a thread before new ones are refused with `VEIL_BUSY` (default 1024). */
  readonly maxQueue?: number;
  /** Heap limit of each thread in MiB (default 512): a runaway text ends its thread, not the service. */
  readonly maxHeapMb?: number;
  /**
   * `eager` (default) starts every thread at once, so the first requests after a start find them
   * warm; `on-demand` starts each when a text first waits for one (a process that may never
   * analyse, such as a one-off command or a test, pays nothing: a thread loads the engine, about a
   * second of CPU).
   */
  readonly start?: 'eager' | 'on-demand';
}

/** Analysis on worker threads. */
export interface DetectionPool {
  /** The findings in `text`, analysed on a pool thread with `options`. */
  analyze(text: string, options: AnalyzeOptions): Promise<Finding[]>;
  /**
   * The same analysis presented as `/v1/analyze` answers it (`presentAnalysis`), built on the
   * thread: the event loop receives one string and the counts instead of every finding.
   */
  analyzePresented(text: string, options: AnalyzeOptions): Promise<PresentedAnalysis>;
  /** Stops every thread; waiting and running tasks fail with `VEIL_NOT_READY`. */
  close(): Promise<void>;
}

// Under tsx the module is TypeScript; once built it is JavaScript: the worker file matches.
const extension = extname(fileURLToPath(import.meta.url));
const workerUrl = new URL(`./detection-worker${extension}`, import.meta.url);
const workerSource: URL | string =
  extension === '.ts'
    ? `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((tsx) => { tsx.register(); return import(${JSON.stringify(workerUrl.href)}); });`
    : workerUrl;

const DEFAULT_MAX_QUEUE = 1024;
const DEFAULT_MAX_HEAP_MB = 512;
/**
 * Each thread's young generation: two 32 MiB semi-spaces and their large-object space, where V8's
 * default grows to 16 MiB ones. Analysing a 5 KB text allocates about 300 KB, so a thread paused for
 * a minor collection every 50 texts or so, and the text it was analysing (and the one queued behind)
 * waited for it; with twice the room it collects half as often, for at most 32 MiB more a thread.
 */
const YOUNG_GENERATION_MB = 96;
const MAX_THREADS = 64;

interface Pending {
  readonly task: DetectionTask;
  /** With the findings, or the presented analysis when the task asked for it. */
  readonly resolve: (answer: Finding[] | PresentedAnalysis) => void;
  readonly reject: (error: VeilError) => void;
}

interface Thread {
  readonly worker: Worker;
  readonly startedAt: number;
  /** Posted to the thread, in order: the first is running, a second waits in its message queue. */
  readonly running: Pending[];
}

/**
 * A busy thread is given a second text (when every thread is busy and both texts are short), so it
 * starts the next as soon as it posts an answer instead of waiting for the event loop to hand it
 * one: under load the event loop is busy (HTTP, the database, the audit log) and a thread that
 * waits for it idles. Long texts are never queued behind, nor behind a long one, so a short text
 * never waits long for a busy thread while another could have taken it.
 */
const PREFETCH_MAX_CHARS = 64 * 1024;

/** A thread that dies sooner than this after starting counts as failing to start. */
const QUICK_DEATH_MS = 2000;
/** After this many quick deaths in a row, waiting texts fail instead of waiting for a thread. */
const QUICK_DEATHS_TO_FAIL = 3;
const MAX_RESPAWN_DELAY_MS = 5000;

/**
 * A pool of `threads` detection threads, started at once or each when a text first waits for one
 * (`start`).
 *
 * @throws VeilError `VEIL_INVALID_OPTION` for a thread count or limit out of range.
 *
 * @example
 * ```ts
 * const pool = createDetectionPool({ threads: 2 });
 * const findings = await pool.analyze('mail jane@example.org', {});
 * await pool.close();
 * ```
 */
export function createDetectionPool(options: DetectionPoolOptions): DetectionPool {
  const { threads } = options;
  if (!Number.isInteger(threads) || threads < 1 || threads > MAX_THREADS)
    throw new VeilError(
      'VEIL_INVALID_OPTION',
      `detection pool: threads must be an integer from 1 to ${MAX_THREADS}`,
    );
  const maxQueue = options.maxQueue ?? DEFAULT_MAX_QUEUE;
  if (!Number.isInteger(maxQueue) || maxQueue < 0)
    throw new VeilError('VEIL_INVALID_OPTION', 'detection pool: maxQueue must be a non-negative integer');
  const maxHeapMb = options.maxHeapMb ?? DEFAULT_MAX_HEAP_MB;

  const queue: Pending[] = [];
  const pool: Thread[] = [];
  let nextId = 1;
  let closed = false;
  let quickDeaths = 0;
  const respawns = new Set<NodeJS.Timeout>();

  function start(): Thread {
    const worker = new Worker(workerSource, {
      eval: typeof workerSource === 'string',
      resourceLimits: { maxOldGenerationSizeMb: maxHeapMb, maxYoungGenerationSizeMb: YOUNG_GENERATION_MB },
    });
    const thread: Thread = { worker, startedAt: Date.now(), running: [] };
    worker.on('message', (reply: DetectionReply) => {
      const pending = thread.running[0];
      if (pending === undefined || pending.task.id !== reply.id) return;
      thread.running.shift();
      quickDeaths = 0;
      if (detectionTrace.hasSubscribers)
        detectionTrace.publish({
          kind: 'answered',
          id: reply.id,
          thread: worker.threadId,
          timing: reply.timing,
        });
      if (thread.running.length === 0) worker.unref();
      if ('encoded' in reply) pending.resolve(decodeFindings(reply.encoded));
      else if ('presented' in reply) pending.resolve(reply.presented);
      else if ('findings' in reply) pending.resolve(reply.findings);
      else pending.reject(new VeilError(reply.error.code, reply.error.message));
      dispatch();
    });
    // A thread that dies (out of memory, a bug) fails its task alone and is replaced.
    worker.on('error', () => undefined);
    worker.on('exit', () => {
      const index = pool.indexOf(thread);
      if (index >= 0) pool.splice(index, 1);
      // The first text was running when the thread died; those behind it never started, so they
      // go back to the head of the queue rather than fail with it.
      const [running, ...notStarted] = thread.running.splice(0);
      running?.reject(
        closed
          ? new VeilError('VEIL_NOT_READY', 'detection pool: closed')
          : new VeilError('VEIL_INTERNAL', 'detection failed: the analysis thread stopped'),
      );
      if (closed) {
        for (const pending of notStarted)
          pending.reject(new VeilError('VEIL_NOT_READY', 'detection pool: closed'));
        return;
      }
      queue.unshift(...notStarted);
      // A thread that cannot start (too little memory, a broken install) must not spin: back off,
      // and fail the waiting texts rather than keep them waiting for a thread that never comes.
      quickDeaths = Date.now() - thread.startedAt < QUICK_DEATH_MS ? quickDeaths + 1 : 0;
      if (quickDeaths >= QUICK_DEATHS_TO_FAIL)
        for (const pending of queue.splice(0))
          pending.reject(
            new VeilError('VEIL_INTERNAL', 'detection failed: the analysis threads cannot start'),
          );
      const delay = quickDeaths === 0 ? 0 : Math.min(MAX_RESPAWN_DELAY_MS, 100 * 2 ** quickDeaths);
      const timer = setTimeout(() => {
        respawns.delete(timer);
        if (closed) return;
        pool.push(start());
        dispatch();
      }, delay);
      respawns.add(timer);
    });
    // Idle threads must not keep a finished process alive; a thread with a task does.
    worker.unref();
    return thread;
  }

  function dispatch(): void {
    // On demand, threads start up to `threads` as texts wait (a respawn on its way counts as one).
    const idle = pool.filter((thread) => thread.running.length === 0).length;
    for (let wanted = queue.length - idle; wanted > 0 && pool.length + respawns.size < threads; wanted--)
      pool.push(start());
    for (const thread of pool) {
      if (queue.length === 0) return;
      if (thread.running.length === 0) post(thread, queue.shift()!);
    }
    // Every thread is busy (or starting): queue one short text behind a short one.
    if (pool.length + respawns.size < threads) return;
    for (const thread of pool) {
      const next = queue[0];
      if (next === undefined) return;
      const running = thread.running;
      if (
        running.length === 1 &&
        running[0]!.task.text.length <= PREFETCH_MAX_CHARS &&
        next.task.text.length <= PREFETCH_MAX_CHARS
      )
        post(thread, queue.shift()!);
    }
  }

  function post(thread: Thread, pending: Pending): void {
    if (detectionTrace.hasSubscribers)
      detectionTrace.publish({
        kind: 'posted',
        id: pending.task.id,
        thread: thread.worker.threadId,
        behind: thread.running.length,
      });
    try {
      thread.worker.postMessage(pending.task);
    } catch {
      // Options holding functions (recognizer objects rather than data) cannot cross threads.
      pending.reject(
        new VeilError(
          'VEIL_INVALID_OPTION',
          'detection pool: options must be data (custom recognizers as definitions, not objects)',
        ),
      );
      return;
    }
    thread.running.push(pending);
    thread.worker.ref();
  }

  if (options.start !== 'on-demand') for (let i = 0; i < threads; i++) pool.push(start());

  function submit(
    text: string,
    analyzeOptions: AnalyzeOptions,
    present: boolean,
  ): Promise<Finding[] | PresentedAnalysis> {
    if (closed) return Promise.reject(new VeilError('VEIL_NOT_READY', 'detection pool: closed'));
    // A thread not started yet counts as idle.
    const idle = pool.some((thread) => thread.running.length === 0) || pool.length + respawns.size < threads;
    if (!idle && queue.length >= maxQueue)
      return Promise.reject(
        new VeilError('VEIL_BUSY', 'detection pool: too many texts waiting; retry later'),
      );
    return new Promise((resolve, reject) => {
      const id = nextId++;
      const traced = detectionTrace.hasSubscribers;
      if (traced) detectionTrace.publish({ kind: 'queued', id, waiting: queue.length, idle });
      queue.push({
        task: {
          id,
          text,
          options: analyzeOptions,
          ...(present ? { present: true } : {}),
          ...(traced ? { trace: true } : {}),
        },
        resolve,
        reject,
      });
      dispatch();
    });
  }

  return {
    analyze: (text, analyzeOptions) => submit(text, analyzeOptions, false) as Promise<Finding[]>,
    analyzePresented: (text, analyzeOptions) =>
      submit(text, analyzeOptions, true) as Promise<PresentedAnalysis>,
    async close() {
      closed = true;
      for (const timer of respawns) clearTimeout(timer);
      for (const pending of queue.splice(0))
        pending.reject(new VeilError('VEIL_NOT_READY', 'detection pool: closed'));
      await Promise.all(pool.map((thread) => thread.worker.terminate()));
    },
  };
}
