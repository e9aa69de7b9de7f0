/**
 * Block coverage of this process, its worker threads included, read through V8's inspector
 * (`Profiler.takePreciseCoverage` in binary, block-granular mode): each take reports the blocks
 * executed since the previous one. This is what guides `npm run fuzz:coverage`.
 *
 * Worker threads (the isolated PDF worker) are reached through the inspector's `NodeWorker`
 * domain: each new worker is paused at start until its coverage is on, so no block it runs is
 * missed. A worker that exits takes its unread blocks with it; the next input that reaches them
 * finds them again.
 */
import { Session } from 'node:inspector/promises';

interface Range {
  readonly startOffset: number;
  readonly endOffset: number;
  readonly count: number;
}
interface ScriptCoverage {
  readonly url: string;
  readonly functions: readonly { readonly ranges: readonly Range[] }[];
}
interface CoverageAnswer {
  readonly result: readonly ScriptCoverage[];
}
interface WorkerReply {
  readonly id?: number;
  readonly result?: unknown;
  readonly error?: { readonly message: string };
}

/**
 * Scripts whose blocks are not the target's: Node's internals, the TypeScript loader (tsx and its
 * esbuild worker), fast-check (it generates the inputs) and this fuzzer.
 */
const IGNORED =
  /^node:|\/scripts\/fuzz\/|\/node_modules\/(fast-check|pure-rand|tsx|get-tsconfig|esbuild)\/|^$/;

/**
 * Features of one take: `url:start:end:hit` for every block range V8 reports (a range with
 * count 0 is a block its function skipped). A feature never seen before means new behaviour.
 */
function features(answer: CoverageAnswer, prefix: string, into: Set<string>): void {
  for (const script of answer.result) {
    if (IGNORED.test(script.url)) continue;
    for (const fn of script.functions)
      for (const r of fn.ranges)
        into.add(`${prefix}${script.url}:${r.startOffset}:${r.endOffset}:${r.count > 0 ? 1 : 0}`);
  }
}

const REPLY_TIMEOUT_MS = 5_000;

/** One attached worker: its inspector session id and the replies it owes. */
class WorkerChannel {
  #next = 1;
  readonly #pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  constructor(
    readonly sessionId: string,
    private readonly session: Session,
  ) {}

  /**
   * Sends one inspector command to the worker. The reply arrives as a main-thread event, so a
   * timer holds the event loop open until it comes (a pool's idle workers are unref'd), and gives
   * up after REPLY_TIMEOUT_MS: a take never hangs on a worker that is going away.
   */
  async post(method: string, params: object = {}): Promise<unknown> {
    const id = this.#next++;
    let timer: NodeJS.Timeout | undefined;
    const reply = new Promise<unknown>((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new Error(`no reply to ${method}`));
      }, REPLY_TIMEOUT_MS);
    });
    try {
      await this.session.post('NodeWorker.sendMessageToWorker', {
        sessionId: this.sessionId,
        message: JSON.stringify({ id, method, params }),
      });
      return await reply;
    } finally {
      clearTimeout(timer);
    }
  }

  receive(message: string): void {
    const reply = JSON.parse(message) as WorkerReply;
    if (reply.id === undefined) return;
    const waiter = this.#pending.get(reply.id);
    this.#pending.delete(reply.id);
    if (reply.error !== undefined) waiter?.reject(new Error(reply.error.message));
    else waiter?.resolve(reply.result);
  }

  /** The worker went away: nothing it owes will come. */
  close(): void {
    for (const waiter of this.#pending.values()) waiter.reject(new Error('worker detached'));
    this.#pending.clear();
  }
}

/**
 * Block coverage of the main thread and every worker thread started after `start()`.
 *
 * @example
 * ```ts
 * const probe = await CoverageProbe.start();
 * parseCsv('a,b\n1,2');
 * const seen = await probe.take(); // Set of block features
 * await probe.stop();
 * ```
 */
export class CoverageProbe {
  readonly #workers = new Map<string, WorkerChannel>();
  readonly #starting = new Set<Promise<unknown>>();

  private constructor(private readonly session: Session) {}

  static async start(): Promise<CoverageProbe> {
    const session = new Session();
    session.connect();
    const probe = new CoverageProbe(session);
    session.on('NodeWorker.attachedToWorker', (message) => {
      const { sessionId } = message.params as { sessionId: string };
      const channel = new WorkerChannel(sessionId, session);
      probe.#workers.set(sessionId, channel);
      const ready = (async () => {
        await channel.post('Profiler.enable');
        await channel.post('Profiler.startPreciseCoverage', { callCount: false, detailed: true });
        await channel.post('Runtime.runIfWaitingForDebugger');
      })().catch(() => probe.#workers.delete(sessionId));
      probe.#starting.add(ready);
      void ready.finally(() => probe.#starting.delete(ready));
    });
    session.on('NodeWorker.receivedMessageFromWorker', (message) => {
      const { sessionId, message: text } = message.params as { sessionId: string; message: string };
      probe.#workers.get(sessionId)?.receive(text);
    });
    session.on('NodeWorker.detachedFromWorker', (message) => {
      const { sessionId } = message.params as { sessionId: string };
      probe.#workers.get(sessionId)?.close();
      probe.#workers.delete(sessionId);
    });
    await session.post('Profiler.enable');
    await session.post('Profiler.startPreciseCoverage', { callCount: false, detailed: true });
    await session.post('NodeWorker.enable', { waitForDebuggerOnStart: true });
    return probe;
  }

  /** The block features executed since the last take, in this thread and in live workers. */
  async take(): Promise<Set<string>> {
    await Promise.allSettled([...this.#starting]);
    const seen = new Set<string>();
    features((await this.session.post('Profiler.takePreciseCoverage')) as CoverageAnswer, '', seen);
    await Promise.all(
      [...this.#workers.values()].map(async (worker) => {
        try {
          features((await worker.post('Profiler.takePreciseCoverage')) as CoverageAnswer, 'worker:', seen);
        } catch {
          // Detached between the listing and the answer: its blocks are found again later.
        }
      }),
    );
    return seen;
  }

  /** Number of worker threads being read. */
  get workers(): number {
    return this.#workers.size;
  }

  async stop(): Promise<void> {
    for (const worker of this.#workers.values()) worker.close();
    await this.session.post('NodeWorker.disable').catch(() => undefined);
    await this.session.post('Profiler.stopPreciseCoverage');
    this.session.disconnect();
  }
}
