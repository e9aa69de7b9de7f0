// `npm run bench:detect`: detection throughput (MB/s) and peak memory on a corpus built from the
// ../shared/eval texts, with every default recognizer on (names included), on one core; and the
// same corpus through redact-pii (a devDependency) for the ratio. Prints figures; not a test.
import { evalDataOrSkip, presidioTexts, tabTexts } from '../eval-data.js';
import { createAnalyzer } from '../../src/engine/analyze.js';
import { analyzeChunks } from '../../src/engine/chunked.js';
import { createDetectionPool } from '../../src/runtime/detection-pool.js';

// The benchmark corpus is built from the shared evaluation data.
const EVAL = evalDataOrSkip('bench:detect');

const TARGET_MB = Number(process.env.BENCH_MB ?? 8);
/** Each figure is the best of this many runs: a shared 2-core machine varies by ±30% run to run. */
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 3));
const presidio = presidioTexts(EVAL, 'generated_large.json');
const tab = tabTexts(EVAL);
const unit = [...tab, ...presidio].join('\n\n');
const corpus = unit.repeat(Math.max(1, Math.ceil((TARGET_MB * 1e6) / unit.length))).slice(0, TARGET_MB * 1e6);
const mb = corpus.length / 1e6;
console.log(
  `corpus: ${mb.toFixed(1)} M characters (TAB court judgments + presidio-research sentences, repeated); best of ${ROUNDS} runs`,
);

/** CPU seconds (user + system) of this process since `since`. */
function cpuSince(since: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1e6;
}

/** Wall-clock and CPU rate: on a loaded machine the CPU figure is the steadier one. */
function measure(name: string, fn: () => number): { wall: number; cpu: number } {
  global.gc?.();
  const rssBefore = process.memoryUsage().rss;
  let peakHeap = 0;
  const timer = setInterval(() => (peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed)), 5);
  let seconds = Infinity;
  let cpu = Infinity;
  let count = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const started = performance.now();
    const usage = process.cpuUsage();
    count = fn();
    seconds = Math.min(seconds, (performance.now() - started) / 1000);
    cpu = Math.min(cpu, cpuSince(usage));
  }
  clearInterval(timer);
  peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
  const rate = mb / seconds;
  console.log(
    `${name.padEnd(44)} ${rate.toFixed(2).padStart(7)} MB/s  ${seconds.toFixed(2).padStart(6)} s  ${String(count).padStart(8)} findings  heap peak ${(peakHeap / 1048576).toFixed(0)} MiB  rss +${((process.memoryUsage().rss - rssBefore) / 1048576).toFixed(0)} MiB  ${(mb / cpu).toFixed(2)} MB/cpu-s`,
  );
  return { wall: rate, cpu: mb / cpu };
}

// Warm up the JIT on a slice so the figure is the steady state.
const run = createAnalyzer();
run(corpus.slice(0, 200_000));

const pieces = corpus.split('\n\n');
const veilPieces = measure('veil analyze (per document, all recognizers)', () =>
  pieces.reduce((n, p) => n + run(p).length, 0),
);
measure('veil analyze (one call on the whole corpus)', () => run(corpus).length);

/** analyzeChunks over the corpus in 64 KiB chunks, in this thread or on `threads` pool threads. */
async function chunked(name: string, threads: number): Promise<void> {
  const pool = threads > 0 ? createDetectionPool({ threads }) : undefined;
  // Start the threads and let them load the engine before timing.
  await Promise.all(Array.from({ length: threads }, () => pool!.analyze(corpus.slice(0, 200_000), {})));
  let count = 0;
  let seconds = Infinity;
  let cpu = Infinity;
  for (let round = 0; round < ROUNDS; round++) {
    count = 0;
    const started = performance.now();
    const usage = process.cpuUsage();
    const chunks = (function* () {
      for (let i = 0; i < corpus.length; i += 64 * 1024) yield corpus.slice(i, i + 64 * 1024);
    })();
    const options = pool ? { analyzeText: pool.analyze, inFlight: threads } : {};
    for await (const finding of analyzeChunks(chunks, options)) if (finding.end > finding.start) count++;
    seconds = Math.min(seconds, (performance.now() - started) / 1000);
    cpu = Math.min(cpu, cpuSince(usage));
  }
  await pool?.close();
  console.log(
    `${name.padEnd(44)} ${(mb / seconds).toFixed(2).padStart(7)} MB/s  ${seconds.toFixed(2).padStart(6)} s  ${String(count).padStart(8)} findings  heap now ${(process.memoryUsage().heapUsed / 1048576).toFixed(0)} MiB  cpu ${cpu.toFixed(2)} s`,
  );
}
await chunked('veil analyzeChunks (64 KiB chunks)', 0);
await chunked('veil analyzeChunks on 1 pool thread', 1);
await chunked('veil analyzeChunks on 2 pool threads', 2);

// redact-pii on the same documents (it is CommonJS with its own name lists and regexes).
const { SyncRedactor } = (await import('redact-pii')) as unknown as {
  SyncRedactor: new () => { redact(text: string): string };
};
const redactor = new SyncRedactor();
const sampleMb = Math.min(mb, 2);
const sample = pieces.slice(0, Math.ceil((pieces.length * sampleMb) / mb));
const sampleChars = sample.reduce((n, p) => n + p.length, 0) / 1e6;
let redactSeconds = Infinity;
let redactCpu = Infinity;
for (let round = 0; round < ROUNDS; round++) {
  const started = performance.now();
  const usage = process.cpuUsage();
  for (const p of sample) redactor.redact(p);
  redactSeconds = Math.min(redactSeconds, (performance.now() - started) / 1000);
  redactCpu = Math.min(redactCpu, cpuSince(usage));
}
const redactPii = sampleChars / redactSeconds;
console.log(
  `${'redact-pii SyncRedactor (per document)'.padEnd(44)} ${redactPii.toFixed(2).padStart(7)} MB/s  (on the first ${sampleChars.toFixed(1)} M characters)  ${(sampleChars / redactCpu).toFixed(2)} MB/cpu-s`,
);
console.log(
  `ratio veil / redact-pii: ${(veilPieces.wall / redactPii).toFixed(2)}x wall clock, ${(veilPieces.cpu / (sampleChars / redactCpu)).toFixed(2)}x CPU time`,
);
