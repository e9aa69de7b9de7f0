/**
 * `npm run bench:load`: a real `veil serve` process on loopback (spawned through the CLI, as an
 * operator runs it), driven at rising rates until latency or errors break.
 *
 * 1. `POST /v1/analyze` with 5 KB texts, at LOAD_ANALYZE_RATES req/s (default
 *    100,250,500,750,1000,1500), each for LOAD_SECONDS (default 5), sent at even intervals by
 *    `constant-rate.ts` (open loop; latency from when each request was due). A rate "holds" while
 *    p99 ≤ 10 ms and under 1 % fail (a rate that does not is tried once more, the machine being
 *    shared); the run goes on until p99 passes 100 ms or 1 % fail, to show the curve. Each rate also
 *    prints the server process's CPU time per request (all its threads, from /proc), which the
 *    machine's load moves far less than latency. On each of LOAD_DRIVERS. LOAD_ANALYZE_ALL=1 runs
 *    every rate even past a break.
 * 2. Jobs (after the worker processes have started and 60 text jobs warmed the server up): text
 *    jobs (5 KB) at LOAD_JOB_RATES jobs/s (default 2,5,10,25,50,100) and small PDFs
 *    (one page, a few lines with an e-mail, a phone number and an SSN; redacted in place and
 *    re-checked, OCR included) at LOAD_PDF_RATES (default 1,2,5,10), each for LOAD_JOB_SECONDS
 *    (default 5) each, then waited for; end-to-end rate from the first submit to the last job done,
 *    and p50/p99 of each job's time from creation to success; beside it the finishing rate, jobs
 *    ended a second between the first job's end and the last's by the server's clock (the
 *    pipeline's rate, without the client's polling or the last job's wait). On PGlite (`veil
 *    serve` with its embedded workers, LOAD_WORKERS per step, default 2) and on PostgreSQL (LOAD_PG_URL, default
 *    postgres://postgres@127.0.0.1:5432/test, in a fresh database; `veil serve --workers 0` plus
 *    LOAD_WORKER_PROCESSES `veil worker` processes, default 2). A rate holds while every job
 *    succeeds, p99 creation-to-success stays under LOAD_TEXT_P99_MS (5,000) or LOAD_PDF_P99_MS
 *    (30,000), and the finishing rate is at least 90 % of the offered rate: past the capacity the
 *    backlog, and so the latency, grows, or the submissions queue and the pipeline falls behind.
 *    LOAD_JOBS_ALL=1 goes on past a rate that breaks. LOAD_INLINE_MAX_BYTES (default 0) sets
 *    `veil serve`'s VEIL_INLINE_MAX_BYTES: text jobs up to it run in their submitting request
 *    (lines `text inline`), and a job whose submission answers it ended counts as done then, with
 *    no status read (its time from the submission sent to its answer, by the client's clock).
 *
 * Each principal has its own rate limit (1,200 a minute by default), so the load is spread over
 * 64 tenants' tokens. The bench's own CPU a job (client, status polls) is printed apart: it
 * shares the machine's cores with what it measures. LOAD_ONLY=analyze|jobs runs one part;
 * LOAD_DRIVERS=pglite,postgres; LOAD_KINDS=text,pdf the job kinds. A round that had failures names their error codes, and each
 * line ends with the 1-minute load average, the machine being shared.
 *
 * LOAD_TRACE=1 preloads `analyze-trace.ts` into `veil serve` and prints, under each analyze rate,
 * where the server's time went (its stages per call, the slowest 1 %'s stages, garbage
 * collections, the event loop's delay, the audit group commits) and each thread's CPU, wait for a
 * core and time slices per request from /proc, with PostgreSQL's backends and this client beside.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { mintDevelopmentToken } from '../../src/access/index.js';
import { constantRate } from './constant-rate.js';
import type { TraceReport } from './analyze-trace.js';
import { cpuSeconds, postgresCpuSeconds, threadSchedules } from './proc-cpu.js';
import type { ThreadSchedule } from './proc-cpu.js';
import { adminQuery as adminQueryAt, createScratchDatabase, jobText } from './job-text.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const list = (value: string | undefined, fallback: number[]): number[] =>
  value === undefined ? fallback : value.split(',').map(Number);
const ANALYZE_RATES = list(process.env.LOAD_ANALYZE_RATES, [100, 250, 500, 750, 1000, 1500]);
const SECONDS = Number(process.env.LOAD_SECONDS ?? 5);
const JOB_RATES = list(process.env.LOAD_JOB_RATES, [2, 5, 10, 25, 50, 100]);
const PDF_RATES = list(process.env.LOAD_PDF_RATES, [1, 2, 5, 10]);
/** A rate holds while every job's creation-to-success time stays under these (the queue keeps up). */
const TEXT_P99_MS = Number(process.env.LOAD_TEXT_P99_MS ?? 5000);
/** VEIL_INLINE_MAX_BYTES for `veil serve` (LOAD_INLINE_MAX_BYTES; default 0, off): text jobs run in their request. */
const INLINE_MAX_BYTES = Number(process.env.LOAD_INLINE_MAX_BYTES ?? 0);
const PDF_P99_MS = Number(process.env.LOAD_PDF_P99_MS ?? 30_000);
const JOB_SECONDS = Number(process.env.LOAD_JOB_SECONDS ?? 5);
/** A job rate holds only while the pipeline finishes at least this share of the offered rate. */
const KEPT_PACE = 0.9;
const WORKERS = Number(process.env.LOAD_WORKERS ?? 2);
const WORKER_PROCESSES = Number(process.env.LOAD_WORKER_PROCESSES ?? 2);
const PG_URL = process.env.LOAD_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const ONLY = process.env.LOAD_ONLY;
const DRIVERS = (process.env.LOAD_DRIVERS ?? 'pglite,postgres').split(',');
const KINDS = (process.env.LOAD_KINDS ?? 'text,pdf').split(',') as Array<'text' | 'pdf'>;
const loadAverage = (): string => `load ${loadavg()[0]!.toFixed(1)}`;
const TENANTS = 64;
const TRACE = process.env.LOAD_TRACE === '1';
const TRACE_MODULE = pathToFileURL(fileURLToPath(new URL('./analyze-trace.ts', import.meta.url))).href;

const text = jobText;
const adminQuery = (query: string): Promise<void> => adminQueryAt(PG_URL, query);

async function smallPdf(seed: number): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  const page = doc.addPage([595, 842]);
  const lines = [
    `Claim ${seed}: water damage in the kitchen, reported on 3 March.`,
    `Contact claimant${seed}@example.org or 212-555-${String(1000 + seed).slice(-4)}.`,
    `Policy holder SSN 078-05-${String(1120 + seed).slice(-4)}.`,
  ];
  lines.forEach((line, i) => page.drawText(line, { x: 50, y: 780 - i * 20, size: 12, font }));
  return Buffer.from(await doc.save());
}

interface Served {
  readonly url: string;
  readonly child: ChildProcess;
  stop(): Promise<void>;
}

/** Extra node flags for the server process (LOAD_SERVER_NODE_FLAGS, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`). */
const SERVER_NODE_FLAGS = (process.env.LOAD_SERVER_NODE_FLAGS ?? '').split(' ').filter((flag) => flag !== '');
/** Extra node flags for each `veil worker` process (LOAD_WORKER_NODE_FLAGS), as for the server. */
const WORKER_NODE_FLAGS = (process.env.LOAD_WORKER_NODE_FLAGS ?? '').split(' ').filter((flag) => flag !== '');

function spawnCli(
  args: string[],
  env: NodeJS.ProcessEnv,
  nodeFlags: readonly string[] = [],
  preload?: string,
): ChildProcess {
  const preloads = preload === undefined ? [] : ['--import', preload];
  return spawn(process.execPath, [...nodeFlags, '--import', 'tsx', ...preloads, 'src/cli/main.ts', ...args], {
    cwd: ROOT,
    env: { ...process.env, VEIL_LOG_LEVEL: 'warn', ...env },
    // The instrument answers over an IPC channel.
    stdio: preload === undefined ? ['ignore', 'ignore', 'pipe'] : ['ignore', 'ignore', 'pipe', 'ipc'],
  });
}

/** Sends `{ trace: kind }` to the instrument in `child` and resolves with its answer. */
function askTrace(child: ChildProcess, kind: 'reset' | 'report'): Promise<{ report?: TraceReport }> {
  return new Promise((resolve) => {
    const onMessage = (message: { trace?: string; report?: TraceReport }) => {
      if (message.trace !== kind) return;
      child.off('message', onMessage);
      resolve(message);
    };
    child.on('message', onMessage);
    child.send({ trace: kind });
  });
}

const ms = (value: number): string => (value >= 10 ? value.toFixed(1) : value.toFixed(2));

/** The instrument's report and the threads' scheduler accounts, a few lines under a rate. */
function printTrace(
  report: TraceReport,
  threads: ReadonlyArray<readonly [string, ThreadSchedule]>,
  beside: string,
  requests: number,
): void {
  const stage = (name: string, p: { p50: number; p99: number; max: number }) =>
    `${name} ${ms(p.p50)}/${ms(p.p99)}/${ms(p.max)}`;
  console.log(
    `       server (${report.calls} calls; ms p50/p99/max): ${stage('total', report.total)}; ` +
      Object.entries(report.stages)
        .map(([name, p]) => stage(name, p))
        .join(', '),
  );
  const t = report.tail;
  console.log(
    `       slowest 1 % (${t.calls} calls ≥ ${ms(t.from)} ms), mean ms: ` +
      Object.entries(t.mean)
        .map(([name, value]) => `${name} ${ms(value)}`)
        .join(', ') +
      `; largest stage: ${Object.entries(t.largest)
        .sort((a, b) => b[1] - a[1])
        .map(([name, count]) => `${name} ${count}`)
        .join(
          ', ',
        )}; event-loop GC in ${t.mainGc} (mean ${ms(t.mainGcMs)} ms), thread GC in ${t.threadGc}; ` +
      `queued behind a running text ${t.behind}, found no idle thread ${t.waited}`,
  );
  const gc = (g: TraceReport['gc']['main']) =>
    `${g.count} (${Object.entries(g.kinds)
      .map(([kind, count]) => `${kind} ${count}`)
      .join(', ')}) ${ms(g.ms)} ms, max ${ms(g.max)}`;
  console.log(
    `       all calls: behind a running text ${report.behind}, no idle thread ${report.waited}; GC event loop (new space ${report.gc.newSpaceMb.toFixed(1)} MiB) ${gc(report.gc.main)}; ` +
      `detection threads ${gc(report.gc.threads)}; event-loop delay ${ms(report.eventLoopDelay.p50)}/${ms(report.eventLoopDelay.p99)}/${ms(report.eventLoopDelay.max)} ms; ` +
      `audit ${report.audit.batches} commits, ${(report.audit.entries / Math.max(1, report.audit.batches)).toFixed(1)} events each, ${stage('ms', report.audit.ms)}`,
  );
  console.log(
    `       per request, ms CPU / ms waiting for a core / slices: ` +
      threads
        .map(
          ([name, s]) =>
            `${name} ${(s.run / requests).toFixed(3)}/${(s.wait / requests).toFixed(3)}/${(s.slices / requests).toFixed(2)}`,
        )
        .join(', ') +
      `; ${beside}`,
  );
}

/**
 * The server's threads between two scheduler snapshots: the event loop (its task id is the
 * process id), the `detection` busiest others (the detection threads), and the rest together.
 */
function threadDeltas(
  pid: number,
  before: Map<number, ThreadSchedule>,
  after: Map<number, ThreadSchedule>,
  detection: number,
): Array<readonly [string, ThreadSchedule]> {
  const deltas = [...after].map(([tid, a]) => {
    const b = before.get(tid) ?? { run: 0, wait: 0, slices: 0 };
    return [tid, { run: a.run - b.run, wait: a.wait - b.wait, slices: a.slices - b.slices }] as const;
  });
  const others = deltas.filter(([tid]) => tid !== pid).sort((x, y) => y[1].run - x[1].run);
  const sum = (list: ReadonlyArray<readonly [number, ThreadSchedule]>): ThreadSchedule =>
    list.reduce(
      (acc, [, s]) => ({ run: acc.run + s.run, wait: acc.wait + s.wait, slices: acc.slices + s.slices }),
      { run: 0, wait: 0, slices: 0 },
    );
  return [
    ['event loop', sum(deltas.filter(([tid]) => tid === pid))],
    ...others.slice(0, detection).map(([, s], i) => [`detection ${i + 1}`, s] as const),
    ['other threads', sum(others.slice(detection))],
  ];
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const done = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await done;
}

/** `veil serve --port 0`; resolves with its URL once the banner is printed. */
async function serve(dataDir: string, workers: number, databaseUrl?: string, trace = false): Promise<Served> {
  const child = spawnCli(
    ['serve', '--port', '0', '--data-dir', dataDir, '--workers', String(workers)],
    {
      VEIL_DATA_DIR: dataDir,
      VEIL_INLINE_MAX_BYTES: String(INLINE_MAX_BYTES),
      ...(databaseUrl === undefined ? {} : { DATABASE_URL: databaseUrl }),
    },
    SERVER_NODE_FLAGS,
    trace ? TRACE_MODULE : undefined,
  );
  const url = await new Promise<string>((resolve, reject) => {
    let err = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      err += chunk.toString('utf8');
      const match = /listening on (http:\/\/\S+)/.exec(err);
      if (match !== null) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`veil serve exited (${code}): ${err.slice(0, 500)}`)));
  });
  return { url, child, stop: () => stopChild(child) };
}

async function tokens(dataDir: string): Promise<Record<string, string>[]> {
  const sets: Record<string, string>[] = [];
  for (let i = 0; i < TENANTS; i += 1)
    sets.push({
      authorization: `Bearer ${await mintDevelopmentToken(dataDir, { role: 'processor', tenant: `bench-${i}` })}`,
      'content-type': 'application/json',
    });
  return sets;
}

/** The states a job ends in. */
const FINAL: ReadonlySet<string> = new Set(['succeeded', 'failed', 'cancelled']);

const pct = (sorted: readonly number[], q: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;

async function analyzePhase(driver: 'pglite' | 'postgres'): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'veil-load-analyze-'));
  const database = `veil_load_analyze_${process.pid}`;
  let databaseUrl: string | undefined;
  if (driver === 'postgres') databaseUrl = await createScratchDatabase(PG_URL, database);
  const served = await serve(dataDir, 0, databaseUrl, TRACE);
  const detectionThreads = Number(process.env.VEIL_DETECTION_THREADS ?? availableParallelism());
  try {
    const [first, ...more] = await tokens(dataDir);
    const bodies = Array.from({ length: 16 }, (_, i) => JSON.stringify({ text: text(i) }));
    const url = `${served.url}/v1/analyze`;
    // Warm-up: each detection thread compiles its recognizers and loads the name tagger first.
    await constantRate({ url, headers: first!, moreHeaders: more, bodies, rate: 100, seconds: 5 });
    console.log(
      `POST /v1/analyze on ${driver}, 5 KB texts, veil serve on loopback (default detection threads), ${SECONDS} s per rate, constant rate`,
    );
    let sustainable = 0;
    for (const rate of ANALYZE_RATES) {
      const attempt = () =>
        constantRate({ url, headers: first!, moreHeaders: more, bodies, rate, seconds: SECONDS });
      const ok = (x: Awaited<ReturnType<typeof attempt>>) =>
        x.p99 <= 10 && x.failed <= x.sent * 0.01 && x.rate >= rate * 0.95;
      const measured = async () => {
        const pid = served.child.pid;
        // The main thread's task id is the process id: its share is HTTP, auth, audit, the database.
        const before = [cpuSeconds(pid), cpuSeconds(pid, pid)];
        const schedules = TRACE ? threadSchedules(pid) : undefined;
        const postgresBefore = postgresCpuSeconds(databaseUrl === undefined ? undefined : database);
        const clientBefore = process.cpuUsage();
        if (TRACE) await askTrace(served.child, 'reset');
        const result = await attempt();
        const after = [cpuSeconds(pid), cpuSeconds(pid, pid)];
        if (TRACE) {
          const { report } = await askTrace(served.child, 'report');
          const client = process.cpuUsage(clientBefore);
          const postgres =
            (postgresCpuSeconds(databaseUrl === undefined ? undefined : database) - postgresBefore) * 1000;
          printTrace(
            report!,
            threadDeltas(pid!, schedules!, threadSchedules(pid), detectionThreads),
            `PostgreSQL backends ${(postgres / result.sent).toFixed(3)} ms CPU, this client ${((client.user + client.system) / 1000 / result.sent).toFixed(3)}`,
            result.sent,
          );
        }
        const perRequest = (i: number) =>
          before[i] === undefined || after[i] === undefined
            ? NaN
            : ((after[i]! - before[i]!) * 1000) / result.sent;
        return { ...result, cpu: perRequest(0), mainCpu: perRequest(1) };
      };
      let r = await measured();
      // The machine is shared: a rate that breaks gets one more try before it counts as broken.
      if (!ok(r)) r = await measured();
      const holds = ok(r);
      // Past the target the curve still says something: go on until latency is 10 times it.
      const broken = r.p99 > 100 || r.failed > r.sent * 0.01 || r.rate < rate * 0.95;
      console.log(
        `  ${String(rate).padStart(5)} req/s offered  ${r.rate.toFixed(0).padStart(5)} answered/s  p50 ${r.p50.toFixed(2).padStart(7)} ms  p99 ${r.p99.toFixed(2).padStart(8)} ms  ` +
          `${r.failed}/${r.sent} failed  server CPU ${r.cpu.toFixed(2)} ms/request (main thread ${r.mainCpu.toFixed(2)})  ${holds ? 'holds' : broken ? 'BREAKS' : 'over 10 ms'}  ${loadAverage()}`,
      );
      if (holds) sustainable = Math.max(sustainable, rate);
      if (broken && process.env.LOAD_ANALYZE_ALL !== '1') break;
    }
    console.log(
      `  sustainable (p99 ≤ 10 ms, < 1 % errors): ${sustainable} req/s; target 500 req/s ${sustainable >= 500 ? 'met' : 'NOT met'}`,
    );
  } finally {
    await served.stop();
    rmSync(dataDir, { recursive: true, force: true });
    if (databaseUrl !== undefined) await adminQuery(`drop database if exists ${database} with (force)`);
  }
}

interface JobRound {
  readonly submitted: number;
  readonly rejected: number;
  readonly failed: number;
  /** The failed jobs' statuses and error codes, with how many had each. */
  readonly failures: Readonly<Record<string, number>>;
  readonly endToEnd: number;
  /**
   * Jobs ended a second between the first job's end and the last's, by the server's clock: the
   * rate the pipeline finished them at, which neither the client's polling nor the last job's
   * wait enters. It stays at the offered rate while the pipeline keeps up and falls to its
   * capacity when a backlog grows.
   */
  readonly finishing: number;
  readonly submitP99: number;
  /** Jobs whose submission answered them ended (run inline). */
  readonly endedInAnswer: number;
  /** Status reads (`GET /v1/jobs/:id`) the client made per submitted job: part of the CPU per job. */
  readonly statusReads: number;
  readonly latencyP50: number;
  readonly latencyP99: number;
}

/** Jobs ended a second between the first end and the last (ms timestamps); NaN for fewer than two ends apart. */
function finishingRate(ends: readonly number[]): number {
  let first = Infinity;
  let last = -Infinity;
  for (const end of ends) {
    first = Math.min(first, end);
    last = Math.max(last, end);
  }
  return last > first ? (ends.length - 1) / ((last - first) / 1000) : NaN;
}

/** Submits `rate` jobs a second for `seconds`, at even intervals, then waits for every one. */
async function jobRound(
  base: string,
  headerSets: Record<string, string>[],
  kind: 'text' | 'pdf',
  rate: number,
  seconds: number,
): Promise<JobRound> {
  const total = Math.round(rate * seconds);
  const pdfs = kind === 'pdf' ? await Promise.all(Array.from({ length: 8 }, (_, i) => smallPdf(i))) : [];
  const options = JSON.stringify({
    purpose: 'claims',
    consent: { basis: 'contract' },
    outputs: ['findings_summary', 'redacted'],
    retention_days: 1,
  });
  const ids: Array<{ id: string; headers: Record<string, string> }> = [];
  const submitLatencies: number[] = [];
  let rejected = 0;
  const start = performance.now();
  const latencies: number[] = [];
  const ends: number[] = [];
  let failed = 0;
  const failures: Record<string, number> = {};
  let lastDone = start;
  /** A job seen ended: its status and code, its time from creation (or submission) to end, its end. */
  const ended = (status: string, code: string | null, latency: number, end: number): void => {
    if (status !== 'succeeded') {
      failed += 1;
      const key = `${status} ${code ?? ''}`.trim();
      failures[key] = (failures[key] ?? 0) + 1;
    }
    latencies.push(latency);
    ends.push(end);
    lastDone = Math.max(lastDone, performance.now());
  };
  const sends: Promise<void>[] = [];
  for (let i = 0; i < total; i += 1) {
    const due = start + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const headers = headerSets[i % headerSets.length]!;
    sends.push(
      (async () => {
        const sentAt = performance.now();
        let res: Response;
        if (kind === 'text') {
          res = await fetch(`${base}/v1/jobs`, {
            method: 'POST',
            headers,
            body: JSON.stringify({ text: text(i % 16), ...JSON.parse(options) }),
          });
        } else {
          const form = new FormData();
          form.append('options', options);
          form.append('file', new Blob([pdfs[i % pdfs.length]!], { type: 'application/pdf' }), 'claim.pdf');
          res = await fetch(`${base}/v1/jobs`, {
            method: 'POST',
            headers: { authorization: headers.authorization! },
            body: form,
          });
        }
        submitLatencies.push(performance.now() - due);
        if (res.status !== 202) {
          rejected += 1;
          await res.body?.cancel();
          return;
        }
        const accepted = (await res.json()) as { job_id: string; status: string };
        // A job run inline (VEIL_INLINE_MAX_BYTES) has ended in its answer: no status read.
        if (FINAL.has(accepted.status)) ended(accepted.status, null, performance.now() - sentAt, Date.now());
        else ids.push({ id: accepted.job_id, headers });
      })(),
    );
  }
  await Promise.all(sends);
  const endedInAnswer = latencies.length;
  let statusReads = 0;
  let pending = ids;
  while (pending.length > 0) {
    const next: typeof pending = [];
    // Ten status reads at a time: polling is load too.
    for (let i = 0; i < pending.length; i += 10) {
      await Promise.all(
        pending.slice(i, i + 10).map(async (job) => {
          statusReads += 1;
          const res = await fetch(`${base}/v1/jobs/${job.id}`, { headers: job.headers });
          const body = (await res.json()) as {
            status: string;
            error_code: string | null;
            created_at: string;
            updated_at: string;
          };
          if (body.status === 'queued' || body.status === 'running') next.push(job);
          else
            ended(
              body.status,
              body.error_code,
              Date.parse(body.updated_at) - Date.parse(body.created_at),
              Date.parse(body.updated_at),
            );
        }),
      );
    }
    pending = next;
    if (pending.length > 0) await new Promise((r) => setTimeout(r, 250));
    if (performance.now() - start > 600_000)
      throw new Error(`${pending.length} jobs unfinished after 10 minutes`);
  }
  latencies.sort((a, b) => a - b);
  submitLatencies.sort((a, b) => a - b);
  return {
    submitted: total,
    rejected,
    failed,
    failures,
    endToEnd: (ids.length + endedInAnswer) / ((lastDone - start) / 1000),
    finishing: finishingRate(ends),
    submitP99: pct(submitLatencies, 0.99),
    endedInAnswer,
    statusReads: statusReads / total,
    latencyP50: pct(latencies, 0.5),
    latencyP99: pct(latencies, 0.99),
  };
}

/** Waits (at most 60 s) until `children` spend under 5 % of a core: started and idle. */
async function settled(children: readonly ChildProcess[]): Promise<void> {
  const total = () => children.reduce((sum, child) => sum + (cpuSeconds(child.pid) ?? 0), 0);
  const deadline = performance.now() + 60_000;
  for (let before = total(); performance.now() < deadline;) {
    await new Promise((r) => setTimeout(r, 1000));
    const now = total();
    if (now - before < 0.05 * children.length) return;
    before = now;
  }
}

async function jobsPhase(driver: 'pglite' | 'postgres'): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'veil-load-jobs-'));
  const database = `veil_load_${process.pid}`;
  let databaseUrl: string | undefined;
  const workers: ChildProcess[] = [];
  if (driver === 'postgres') databaseUrl = await createScratchDatabase(PG_URL, database);
  const served = await serve(dataDir, driver === 'pglite' ? WORKERS : 0, databaseUrl);
  try {
    if (databaseUrl !== undefined)
      for (let i = 0; i < WORKER_PROCESSES; i += 1) {
        const worker = spawnCli(
          ['worker', '--concurrency', String(WORKERS), '--poll-seconds', '0.5'],
          { VEIL_DATA_DIR: dataDir, DATABASE_URL: databaseUrl },
          WORKER_NODE_FLAGS,
        );
        // Drained: a worker whose warnings filled an unread pipe would block on its next write.
        worker.stderr?.resume();
        workers.push(worker);
      }
    const headerSets = await tokens(dataDir);
    const setup =
      driver === 'pglite'
        ? `veil serve with ${WORKERS} embedded workers per step`
        : `veil serve --workers 0 + ${WORKER_PROCESSES} veil worker processes × ${WORKERS} per step`;
    console.log(`jobs on ${driver} (${setup}), ${JOB_SECONDS} s of submissions per rate, then drained`);
    // The worker processes compile and start for seconds of CPU: a first rate measured during
    // that measures their start. Then a warm-up round, so the first rate is not the JIT's either.
    await settled(workers);
    await jobRound(served.url, headerSets, 'text', 20, 3);
    for (const kind of KINDS) {
      let sustainable = 0;
      let broke = false;
      for (const rate of kind === 'text' ? JOB_RATES : PDF_RATES) {
        // CPU of every process a job runs through: veil serve, the veil workers, PostgreSQL's backends.
        // The bench's own process (HTTP client, status polling) shares the cores: counted apart.
        const clientCpuBefore = process.cpuUsage();
        const cpuNow = () => [
          cpuSeconds(served.child.pid) ?? 0,
          workers.reduce((sum, child) => sum + (cpuSeconds(child.pid) ?? 0), 0),
          postgresCpuSeconds(databaseUrl === undefined ? undefined : database),
        ];
        const cpuBefore = cpuNow();
        const r = await jobRound(served.url, headerSets, kind, rate, JOB_SECONDS);
        const cpuAfter = cpuNow();
        const clientCpu = process.cpuUsage(clientCpuBefore);
        const clientMs = (clientCpu.user + clientCpu.system) / 1000 / r.submitted;
        const [serveCpu, workerCpu, postgresCpu] = cpuAfter.map(
          (after, i) => ((after - cpuBefore[i]!) * 1000) / r.submitted,
        ) as [number, number, number];
        const cpuPerJob = serveCpu + workerCpu + postgresCpu;
        // Kept up: nothing refused or failed, the backlog did not grow past the latency bound, and
        // the pipeline finished jobs at the offered rate. Latency alone can pass while it does not:
        // when submissions queue in the client, each job's clock starts late.
        const holds =
          r.rejected === 0 &&
          r.failed === 0 &&
          r.latencyP99 <= (kind === 'text' ? TEXT_P99_MS : PDF_P99_MS) &&
          r.finishing >= KEPT_PACE * rate;
        console.log(
          `  ${kind === 'text' && INLINE_MAX_BYTES > 0 ? 'text inline' : kind.padEnd(4)} ${String(rate).padStart(4)} jobs/s offered  ${r.endToEnd.toFixed(1).padStart(6)} done/s end to end (${r.finishing.toFixed(1)} finishing)  ` +
            `job p50 ${r.latencyP50.toFixed(0).padStart(6)} ms  p99 ${r.latencyP99.toFixed(0).padStart(6)} ms  submit p99 ${r.submitP99.toFixed(0).padStart(5)} ms  ` +
            `${r.rejected} refused, ${r.failed} failed of ${r.submitted}  CPU ${cpuPerJob.toFixed(1)} ms/job (serve ${serveCpu.toFixed(1)}, workers ${workerCpu.toFixed(1)}, PostgreSQL ${postgresCpu.toFixed(1)}; the bench client ${clientMs.toFixed(1)} beside; ${r.statusReads.toFixed(1)} status reads a job, ${r.endedInAnswer} ended in their answer)  ${holds ? 'holds' : 'BREAKS'}  ${loadAverage()}`,
        );
        if (r.failed > 0) console.log(`       failed: ${JSON.stringify(r.failures)}`);
        // LOAD_JOBS_ALL=1 runs every rate, to compare CPU per job at the same rates across builds.
        if (!holds) broke = true;
        if (broke && process.env.LOAD_JOBS_ALL !== '1') break;
        if (!broke) sustainable = rate;
      }
      console.log(
        `  ${kind}: sustainable ${sustainable} jobs/s${kind === 'text' && driver === 'postgres' ? `; target 100 text jobs/s ${sustainable >= 100 ? 'met' : 'NOT met'}` : ''}`,
      );
    }
  } finally {
    await Promise.all(workers.map(stopChild));
    await served.stop();
    rmSync(dataDir, { recursive: true, force: true });
    if (databaseUrl !== undefined) await adminQuery(`drop database if exists ${database} with (force)`);
  }
}

console.log(
  `machine: ${(await import('node:os')).availableParallelism()} cores, node ${process.version}; figures are noisy on a shared machine`,
);
if (ONLY !== 'jobs') for (const driver of DRIVERS) await analyzePhase(driver as 'pglite' | 'postgres');
if (ONLY !== 'analyze') for (const driver of DRIVERS) await jobsPhase(driver as 'pglite' | 'postgres');
