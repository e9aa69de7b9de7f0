/**
 * An instrument for `bench:load` (`LOAD_TRACE=1`), preloaded into the `veil serve` it spawns
 * (`--import`): where each `POST /v1/analyze` call's time goes inside the server, measured from
 * the server's own clock so the figures survive a loaded machine. Nothing of it runs in a service
 * started without it: the stages come from diagnostics channels, which cost a property read while
 * nobody subscribes.
 *
 * Per call, on the event loop's clock (the detection threads' times are on the same epoch clock):
 * arrival (`http.server.request.start`: headers read) → handler (Fastify's handler starts: body
 * read, authentication, rate limit, validation done) → posted to a detection thread (the pool's
 * queue) → the thread starts → the thread ends → the answer read back on the event loop → the
 * handler resolved (the audit append committed) → the reply sent → the response flushed. Beside
 * them: how many texts waited for a thread or were queued behind a running one, garbage
 * collections on the event loop and on the detection threads, the event loop's delay, and the
 * audit group commits (size, time).
 *
 * The bench talks to it over the child's IPC channel: `{ trace: 'reset' }` before a measured run,
 * `{ trace: 'report' }` after, answered with a {@link TraceReport}. Ids, counts and times only.
 */
import { subscribe } from 'node:diagnostics_channel';
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';
import type { IncomingMessage } from 'node:http';
import { PerformanceObserver, monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { getHeapSpaceStatistics } from 'node:v8';

/** The stages of a call, in order; each is the time from the previous mark to its own. */
export const STAGES = [
  'parse',
  'queue',
  'handover',
  'detect',
  'handback',
  'audit',
  'reply',
  'flush',
] as const;
type Stage = (typeof STAGES)[number];

interface Call {
  arrival: number;
  handler?: number;
  posted?: number;
  threadStart?: number;
  threadEnd?: number;
  back?: number;
  handled?: number;
  sent?: number;
  finished?: number;
  thread?: number;
  /** Posted to a thread that was still running another text. */
  behind?: boolean;
  /** No thread was idle when the text reached the pool. */
  waited?: boolean;
}

interface Percentiles {
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

/** What the instrument answers to `{ trace: 'report' }`. */
export interface TraceReport {
  readonly calls: number;
  readonly total: Percentiles;
  readonly stages: Record<Stage, Percentiles>;
  /** The slowest 1 % of calls (arrival to flush): mean of each stage, and which stage was largest how often. */
  readonly tail: {
    readonly calls: number;
    readonly from: number;
    readonly mean: Record<Stage, number>;
    readonly largest: Partial<Record<Stage, number>>;
    /** Tail calls overlapped by an event-loop collection, and the mean overlap. */
    readonly mainGc: number;
    readonly mainGcMs: number;
    /** Tail calls whose detection overlapped a collection on their thread. */
    readonly threadGc: number;
    readonly behind: number;
    readonly waited: number;
  };
  /** Texts posted behind a running one, and texts that found no thread idle. */
  readonly behind: number;
  readonly waited: number;
  readonly gc: {
    /** The event loop's young generation now (MiB): a minor collection runs each time it fills. */
    readonly newSpaceMb: number;
    readonly main: GcSummary;
    readonly threads: GcSummary;
  };
  /** The event loop's delay (sampled every 5 ms), ms. */
  readonly eventLoopDelay: Percentiles;
  readonly audit: { readonly batches: number; readonly entries: number; readonly ms: Percentiles };
}

interface GcSummary {
  readonly count: number;
  readonly ms: number;
  readonly max: number;
  /** Collections by kind: minor (scavenge), major, incremental, weak callbacks. */
  readonly kinds: Record<string, number>;
}

const now = (): number => performance.timeOrigin + performance.now();
const KINDS: Record<number, string> = { 1: 'minor', 2: 'major', 4: 'incremental', 8: 'weakcb' };

let calls: Call[] = [];
const byRequest = new WeakMap<IncomingMessage, Call>();
const byTask = new Map<number, Call>();
/** The call whose handler is running synchronously: the next text queued is its own. */
let current: Call | undefined;
let mainGc: Array<{ start: number; duration: number; kind: string }> = [];
let threadGc: Array<{ thread: number; start: number; duration: number; kind: string }> = [];
let audits: number[] = [];
let auditEntries = 0;
let auditStart = 0;
const delay = monitorEventLoopDelay({ resolution: 5 });
delay.enable();

new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    const kind = (entry as { detail?: { kind?: number } }).detail?.kind ?? 0;
    mainGc.push({
      start: performance.timeOrigin + entry.startTime,
      duration: entry.duration,
      kind: KINDS[kind] ?? String(kind),
    });
  }
}).observe({ entryTypes: ['gc'] });

const isAnalyze = (request: IncomingMessage): boolean =>
  request.method === 'POST' && request.url === '/v1/analyze';

subscribe('http.server.request.start', (message) => {
  const { request } = message as { request: IncomingMessage };
  if (!isAnalyze(request)) return;
  const call: Call = { arrival: now() };
  byRequest.set(request, call);
  calls.push(call);
});
subscribe('tracing:fastify.request.handler:start', (message) => {
  const { request } = message as { request: { raw: IncomingMessage } };
  current = byRequest.get(request.raw);
  if (current !== undefined) current.handler = now();
});
subscribe('tracing:fastify.request.handler:asyncStart', (message) => {
  const call = byRequest.get((message as { request: { raw: IncomingMessage } }).request.raw);
  if (call !== undefined) call.handled = now();
});
subscribe('tracing:fastify.request.handler:asyncEnd', (message) => {
  const call = byRequest.get((message as { request: { raw: IncomingMessage } }).request.raw);
  if (call !== undefined) call.sent = now();
});
subscribe('http.server.response.finish', (message) => {
  const call = byRequest.get((message as { request: IncomingMessage }).request);
  if (call !== undefined) call.finished = now();
});
subscribe('veil.detection-pool', (message) => {
  const event = message as {
    kind: 'queued' | 'posted' | 'answered';
    id: number;
    thread?: number;
    waiting?: number;
    idle?: boolean;
    behind?: number;
    timing?: { start: number; end: number; gc: number[] };
  };
  if (event.kind === 'queued') {
    if (current === undefined) return;
    current.waited = event.idle === false || (event.waiting ?? 0) > 0;
    byTask.set(event.id, current);
    current = undefined;
    return;
  }
  const call = byTask.get(event.id);
  if (event.kind === 'posted') {
    if (call === undefined) return;
    call.posted = now();
    call.thread = event.thread!;
    call.behind = (event.behind ?? 0) > 0;
    return;
  }
  const timing = event.timing;
  if (timing !== undefined)
    for (let i = 0; i < timing.gc.length; i += 3)
      threadGc.push({
        thread: event.thread!,
        start: timing.gc[i]!,
        duration: timing.gc[i + 1]!,
        kind: KINDS[timing.gc[i + 2]!] ?? String(timing.gc[i + 2]),
      });
  if (call === undefined) return;
  byTask.delete(event.id);
  call.back = now();
  if (timing !== undefined) {
    call.threadStart = timing.start;
    call.threadEnd = timing.end;
  }
});
subscribe('veil.audit-group-commit', (message) => {
  const event = message as { kind: 'write' | 'written'; entries?: number };
  if (event.kind === 'write') {
    auditStart = now();
    auditEntries += event.entries ?? 0;
  } else audits.push(now() - auditStart);
});

function percentiles(values: number[]): Percentiles {
  if (values.length === 0) return { p50: NaN, p99: NaN, max: NaN };
  values.sort((a, b) => a - b);
  const at = (q: number) => values[Math.min(values.length - 1, Math.floor(q * values.length))]!;
  return { p50: at(0.5), p99: at(0.99), max: values[values.length - 1]! };
}

function stagesOf(call: Call): Record<Stage, number> | undefined {
  const marks = [
    call.arrival,
    call.handler,
    call.posted,
    call.threadStart,
    call.threadEnd,
    call.back,
    call.handled,
    call.sent,
    call.finished,
  ];
  if (marks.some((mark) => mark === undefined)) return undefined;
  const out = {} as Record<Stage, number>;
  STAGES.forEach((stage, i) => (out[stage] = marks[i + 1]! - marks[i]!));
  return out;
}

function gcSummary(entries: ReadonlyArray<{ duration: number; kind?: string }>): GcSummary {
  const kinds: Record<string, number> = {};
  let ms = 0;
  let max = 0;
  for (const entry of entries) {
    ms += entry.duration;
    max = Math.max(max, entry.duration);
    const kind = entry.kind ?? 'any';
    kinds[kind] = (kinds[kind] ?? 0) + 1;
  }
  return { count: entries.length, ms, max, kinds };
}

const overlap = (start: number, end: number, gcStart: number, duration: number): number =>
  Math.max(0, Math.min(end, gcStart + duration) - Math.max(start, gcStart));

function report(): TraceReport {
  const complete = calls.flatMap((call) => {
    const stages = stagesOf(call);
    return stages === undefined ? [] : [{ call, stages, total: call.finished! - call.arrival }];
  });
  const totals = percentiles(complete.map((c) => c.total));
  const stages = {} as Record<Stage, Percentiles>;
  for (const stage of STAGES) stages[stage] = percentiles(complete.map((c) => c.stages[stage]));
  const sorted = [...complete].sort((a, b) => b.total - a.total);
  const tail = sorted.slice(0, Math.max(1, Math.ceil(complete.length / 100)));
  const mean = {} as Record<Stage, number>;
  for (const stage of STAGES) mean[stage] = tail.reduce((sum, c) => sum + c.stages[stage], 0) / tail.length;
  const largest: Partial<Record<Stage, number>> = {};
  let withMainGc = 0;
  let mainGcMs = 0;
  let withThreadGc = 0;
  for (const { call, stages: own } of tail) {
    const top = STAGES.reduce((a, b) => (own[b] > own[a] ? b : a));
    largest[top] = (largest[top] ?? 0) + 1;
    const onLoop = mainGc.reduce(
      (sum, gc) => sum + overlap(call.arrival, call.finished!, gc.start, gc.duration),
      0,
    );
    if (onLoop > 0) withMainGc += 1;
    mainGcMs += onLoop;
    if (
      threadGc.some(
        (gc) =>
          gc.thread === call.thread && overlap(call.threadStart!, call.threadEnd!, gc.start, gc.duration) > 0,
      )
    )
      withThreadGc += 1;
  }
  const delayMs = (q: number) => delay.percentile(q) / 1e6;
  return {
    calls: complete.length,
    total: totals,
    stages,
    tail: {
      calls: tail.length,
      from: tail[tail.length - 1]?.total ?? NaN,
      mean,
      largest,
      mainGc: withMainGc,
      mainGcMs: tail.length === 0 ? 0 : mainGcMs / tail.length,
      threadGc: withThreadGc,
      behind: tail.filter((c) => c.call.behind === true).length,
      waited: tail.filter((c) => c.call.waited === true).length,
    },
    behind: complete.filter((c) => c.call.behind === true).length,
    waited: complete.filter((c) => c.call.waited === true).length,
    gc: {
      newSpaceMb:
        (getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')?.space_size ?? 0) / 2 ** 20,
      main: gcSummary(mainGc),
      threads: gcSummary(threadGc),
    },
    eventLoopDelay: { p50: delayMs(50), p99: delayMs(99), max: delay.max / 1e6 },
    audit: { batches: audits.length, entries: auditEntries, ms: percentiles([...audits]) },
  };
}

function reset(): void {
  calls = [];
  byTask.clear();
  mainGc = [];
  threadGc = [];
  audits = [];
  auditEntries = 0;
  delay.reset();
}

/**
 * LOAD_TRACE_HEAP=DIR: a sampling heap profile of the event loop over each measured run, with the
 * objects minor and major collections freed (what makes the collections), written to DIR.
 */
const HEAP_DIR = process.env.LOAD_TRACE_HEAP;
const inspector = HEAP_DIR === undefined ? undefined : new Session();
inspector?.connect();
const post = (method: string, params?: object): Promise<unknown> =>
  new Promise((resolve, reject) =>
    inspector!.post(method, params, (error, result) => (error === null ? resolve(result) : reject(error))),
  );
let heapRuns = 0;

if (process.send !== undefined) {
  process.on('message', (message: { trace?: string }) => {
    void (async () => {
      if (message.trace === 'reset') {
        reset();
        if (inspector !== undefined)
          await post('HeapProfiler.startSampling', {
            samplingInterval: 16384,
            includeObjectsCollectedByMajorGC: true,
            includeObjectsCollectedByMinorGC: true,
          });
        process.send!({ trace: 'reset' });
      } else if (message.trace === 'report') {
        const out = report();
        if (inspector !== undefined) {
          const { profile } = (await post('HeapProfiler.stopSampling')) as { profile: unknown };
          writeFileSync(
            join(HEAP_DIR!, `analyze-${process.pid}-${++heapRuns}.heapprofile`),
            JSON.stringify(profile),
          );
        }
        process.send!({ trace: 'report', report: out });
      }
    })();
  });
  // The channel must not keep a stopping server alive.
  process.channel?.unref();
}
