/**
 * The thread side of the detection pool (`detection-pool.ts`): analyses the texts it is sent
 * with prepared analyzers (one per option set, as in the API's own cache) and posts back the
 * findings (as numbers and names, `findings-transfer.ts`), or the error's stable code and message.
 * The text lives only for the task.
 */
import { PerformanceObserver, performance } from 'node:perf_hooks';
import { parentPort } from 'node:worker_threads';
import { createAnalyzerCache } from '../api/analyzer-cache.js';
import { presentAnalysis } from '../api/presented-analysis.js';
import { isVeilError } from '../errors/veil-error.js';
import type { DetectionReply, DetectionTask, DetectionTiming } from './detection-pool.js';
import { encodeFindings } from './findings-transfer.js';

const ANALYZERS = 64;

const port = parentPort;
if (port === null) throw new Error('detection-worker: run as a worker thread');
const analyzers = createAnalyzerCache(ANALYZERS);

/** Milliseconds since the epoch, comparable with the event loop's clock. */
const now = (): number => performance.timeOrigin + performance.now();

/** This thread's collections since its last traced answer; observed from the first traced task on. */
let collections: number[] | undefined;
function timing(start: number): DetectionTiming {
  if (collections === undefined) {
    collections = [];
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries())
        collections!.push(
          performance.timeOrigin + entry.startTime,
          entry.duration,
          (entry as { detail?: { kind?: number } }).detail?.kind ?? 0,
        );
    }).observe({ entryTypes: ['gc'] });
  }
  const gc = collections;
  collections = [];
  return { start, end: now(), gc };
}

port.on('message', (task: DetectionTask) => {
  const start = task.trace === true ? now() : 0;
  let reply: DetectionReply;
  try {
    const findings = analyzers.get(task.options)(task.text);
    if (task.present === true) {
      const presented = presentAnalysis(findings);
      // The answer's bytes are transferred, not copied.
      port.postMessage(
        {
          id: task.id,
          presented,
          ...(task.trace === true ? { timing: timing(start) } : {}),
        } satisfies DetectionReply,
        [presented.body.buffer],
      );
      return;
    }
    const encoded = encodeFindings(findings);
    const traced = task.trace === true ? { timing: timing(start) } : {};
    // The numbers are transferred, not copied; the event loop rebuilds the objects from them.
    if (encoded !== undefined) {
      port.postMessage({ id: task.id, encoded, ...traced } satisfies DetectionReply, [
        encoded.numbers.buffer,
      ]);
      return;
    }
    reply = { id: task.id, findings, ...traced };
  } catch (error) {
    // Engine errors carry a stable code and a message that never quotes the text.
    reply = isVeilError(error)
      ? { id: task.id, error: { code: error.code, message: error.message } }
      : { id: task.id, error: { code: 'VEIL_INTERNAL', message: 'detection failed' } };
  }
  port.postMessage(reply);
});
