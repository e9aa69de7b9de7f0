/**
 * A flood for the backpressure tests: `total` POSTs with up to `inFlight` at once, from a worker
 * thread (its own heap and event loop, so the server's heap figures are the server's alone).
 * Counts answers by status and error code, and whether each 503/429 carried `Retry-After`.
 */
import { Worker } from 'node:worker_threads';

export interface FloodOptions {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  readonly total: number;
  readonly inFlight: number;
}

export interface FloodResult {
  /** Answers by `status code` or `status code/error code`. */
  readonly answers: Readonly<Record<string, number>>;
  /** 503 and 429 answers without a `Retry-After` header. */
  readonly refusalsWithoutRetryAfter: number;
  /** Connections that failed outright (reset, refused). */
  readonly socketErrors: number;
  readonly seconds: number;
}

const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const http = require('node:http');
const { url, headers, body, total, inFlight } = workerData;
const target = new URL(url);
const agent = new http.Agent({ keepAlive: true, maxSockets: inFlight });
const answers = {};
let started = 0, done = 0, missing = 0, socketErrors = 0;
const t0 = performance.now();
function count(key) { answers[key] = (answers[key] ?? 0) + 1; }
function finish() {
  done++;
  if (done === total) {
    agent.destroy();
    parentPort.postMessage({ answers, refusalsWithoutRetryAfter: missing, socketErrors, seconds: (performance.now() - t0) / 1000 });
  } else if (started < total) next();
}
function next() {
  started++;
  const request = http.request({ agent, host: target.hostname, port: target.port, path: target.pathname, method: 'POST',
    headers: { ...headers, 'content-length': Buffer.byteLength(body) } }, (response) => {
    const chunks = [];
    response.on('data', (c) => chunks.push(c));
    response.on('end', () => {
      const status = response.statusCode;
      if (status === 200) count('200');
      else {
        let code = 'unparsed';
        try { code = JSON.parse(Buffer.concat(chunks).toString('utf8')).error.code; } catch {}
        count(status + '/' + code);
        if ((status === 503 || status === 429) && response.headers['retry-after'] === undefined) missing++;
      }
      finish();
    });
  });
  request.on('error', () => { socketErrors++; finish(); });
  request.end(body);
}
for (let i = 0; i < Math.min(inFlight, total); i++) next();
`;

/**
 * Sends the flood and resolves with what came back.
 *
 * @example
 * ```ts
 * const result = await flood({ url, headers, body, total: 3000, inFlight: 256 });
 * ```
 */
export function flood(options: FloodOptions): Promise<FloodResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER, { eval: true, workerData: options });
    worker.once('message', (result: FloodResult) => {
      resolve(result);
      void worker.terminate();
    });
    worker.once('error', reject);
  });
}
