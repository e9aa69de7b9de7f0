/**
 * A constant-rate load generator for `bench:api`: requests leave at even intervals whatever the
 * server does (open loop), and each latency is measured from the moment the request was due, so
 * a slow response also counts against the requests queued behind it (no coordinated omission,
 * as in wrk2). autocannon's `overallRate` is not that: each connection sends back to back until
 * it has spent its budget for the second and then idles, so "500 req/s" arrives as a burst at
 * full speed at the start of every second.
 *
 * The generator runs in a worker thread, so it never shares the server's event loop.
 */
import { Worker } from 'node:worker_threads';

/** What {@link constantRate} measures. */
export interface ConstantRateResult {
  readonly sent: number;
  readonly failed: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  /** Responses per second over the run. */
  readonly rate: number;
}

export interface ConstantRateOptions {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  /** More header sets, used in turn with `headers` (several principals, each under its own rate limit). */
  readonly moreHeaders?: readonly Readonly<Record<string, string>>[];
  /** The status that counts as success (default 200). */
  readonly okStatus?: number;
  /** Request bodies, sent in turn. */
  readonly bodies: readonly string[];
  readonly rate: number;
  readonly seconds: number;
}

// Plain JavaScript for the worker (no loader needed): node:http with keep-alive, a 1 ms ticker
// that sends every request whose due time has passed, latencies from due time to response end.
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const http = require('node:http');
const { url, headers, moreHeaders, okStatus, bodies, rate, seconds } = workerData;
const headerSets = [headers, ...(moreHeaders ?? [])];
const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
const target = new URL(url);
const total = Math.round(rate * seconds);
const interval = 1000 / rate;
const latencies = [];
let sent = 0, done = 0, failed = 0;
const start = performance.now();
function send(i, due) {
  const body = bodies[i % bodies.length];
  const request = http.request({ agent, host: target.hostname, port: target.port, path: target.pathname, method: 'POST',
    headers: { ...headerSets[i % headerSets.length], 'content-length': Buffer.byteLength(body) } }, (response) => {
    response.resume();
    response.on('end', () => {
      if (response.statusCode !== (okStatus ?? 200)) failed++;
      latencies.push(performance.now() - due);
      finish();
    });
  });
  request.on('error', () => { failed++; latencies.push(performance.now() - due); finish(); });
  request.end(body);
}
function finish() {
  if (++done < total) return;
  const elapsed = (performance.now() - start) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
  agent.destroy();
  parentPort.postMessage({ sent, failed, p50: at(0.5), p99: at(0.99), max: latencies[latencies.length - 1], rate: done / elapsed });
}
const ticker = setInterval(() => {
  const now = performance.now();
  while (sent < total && start + sent * interval <= now) { send(sent, start + sent * interval); sent++; }
  if (sent >= total) clearInterval(ticker);
}, 1);
`;

/**
 * Sends `rate × seconds` requests at even intervals and reports latency percentiles.
 *
 * @example
 * ```ts
 * const r = await constantRate({ url, headers, bodies, rate: 500, seconds: 10 });
 * console.log(r.p99);
 * ```
 */
export function constantRate(options: ConstantRateOptions): Promise<ConstantRateResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER, {
      eval: true,
      workerData: { ...options, bodies: [...options.bodies] },
    });
    worker.once('message', (result: ConstantRateResult) => {
      resolve(result);
      void worker.terminate();
    });
    worker.once('error', reject);
  });
}
