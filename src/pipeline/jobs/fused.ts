/**
 * Fused jobs: a small text job is enqueued as one message whose worker runs every step in
 * sequence, in process, with the very same step tasks. A job found queued and untouched has its
 * steps' writes held and recorded in one transaction at the end (`held-writes.ts`); otherwise
 * each step records its completion as it does on its own queue (artifacts under fixed ids, the
 * job's status), so a fused run that dies part-way is retried as a whole and skips the steps it
 * finds done. What it saves is the
 * queue hop between steps (a fetch, a completion and the next step's send, each a round trip,
 * and the wait for a worker to poll). Large or layout-bearing documents keep the per-step
 * queues, so one slow document does not hold a worker that small ones wait for.
 */
import type { JobStep } from './queues.js';
import { needsExtraction } from './request.js';
import type { JobOutput } from './request.js';

/** The largest document a job may have and still run fused, by default: 256 KiB. */
export const DEFAULT_FUSED_MAX_BYTES = 256 * 1024;

/** What decides whether a job runs fused. */
export interface FusedRouteInput {
  /** The caller's media type, without parameters (null when it was not given). */
  readonly mediaType: string | null;
  readonly byteLength: number;
  /** The largest document that runs fused; 0 sends every job through the per-step queues. */
  readonly maxBytes?: number;
}

/**
 * The rule: a job runs fused when the caller sent it as `text/plain` and it is at most
 * `maxBytes` (default {@link DEFAULT_FUSED_MAX_BYTES}). Its parse is then plain text or a small
 * text-like format, and no step does OCR or renders a page, so the run is short and bounded.
 *
 * @example
 * ```ts
 * runsFused({ mediaType: 'text/plain', byteLength: 5120 }); // true
 * runsFused({ mediaType: 'application/pdf', byteLength: 5120 }); // false
 * ```
 */
export function runsFused(input: FusedRouteInput): boolean {
  const maxBytes = input.maxBytes ?? DEFAULT_FUSED_MAX_BYTES;
  return input.mediaType === 'text/plain' && input.byteLength <= maxBytes;
}

/**
 * The largest document that may run inline: 1 MiB. An inline job holds its request open while
 * it runs, so a long one belongs on the queue.
 */
export const MAX_INLINE_BYTES = 1024 * 1024;

/** What decides whether a job runs inline. */
export interface InlineRouteInput {
  readonly mediaType: string | null;
  readonly byteLength: number;
  readonly outputs: readonly JobOutput[];
  /** 0 (the default): no job runs inline. */
  readonly maxBytes?: number;
}

/**
 * The rule: what runs fused (`text/plain`, at most `maxBytes`) and needs no extract step, whose
 * review tasks are written in transactions of their own (a held run releases for them).
 *
 * @example
 * ```ts
 * runsInline({ mediaType: 'text/plain', byteLength: 5120, outputs: ['redacted'], maxBytes: 65536 }); // true
 * runsInline({ mediaType: 'text/plain', byteLength: 5120, outputs: ['fields'], maxBytes: 65536 }); // false
 * ```
 */
export function runsInline(input: InlineRouteInput): boolean {
  const maxBytes = input.maxBytes ?? 0;
  return maxBytes > 0 && runsFused({ ...input, maxBytes }) && !needsExtraction(input.outputs);
}

/**
 * Runs a job's steps one after another from intake: `runStep` runs one step (or finds it done)
 * and names the next, or answers undefined when the job has ended (gone, failed, cancelled) or
 * is not in a state that step runs in. A job found already succeeded (its run died after the
 * status and before its message was acknowledged) gets the finalise step alone, which only
 * sweeps what is left.
 *
 * @example
 * ```ts
 * await runFusedSteps((step) => runStepOnce(step, payload));
 * ```
 */
export async function runFusedSteps(
  runStep: (step: JobStep) => Promise<{ readonly next: JobStep | null } | undefined>,
): Promise<void> {
  const first = await runStep('intake');
  if (first === undefined) {
    await runStep('finalise');
    return;
  }
  for (let step = first.next; step !== null;) {
    const outcome = await runStep(step);
    if (outcome === undefined) return;
    step = outcome.next;
  }
}
