/**
 * `npm run bench:api`: `POST /v1/analyze` with 5 KB texts over loopback, through the whole chain
 * (`veil serve`'s wiring: local-issuer JWT verification, permission check, rate limit, zod
 * validation, detection, presenter, redacted log to /dev/null). Two phases: a fixed 500 req/s
 * (the target: p99 ≤ 10 ms; sent at even intervals by `constant-rate.ts`, since autocannon's
 * rate limit sends each second's budget as a burst — its figure is printed beside for reference)
 * and an open-throttle run for the ceiling, each with every recognizer
 * and again with the pattern recognizers only (`entities` without the name tagger), which shows
 * how much of the time is the API and how much is detection. Prints p50, p99 and req/s.
 *
 * BENCH_SECONDS sets each phase's length (default 10); BENCH_RATE the fixed rate (default 500).
 * Detection runs on `veil serve`'s detection threads; BENCH_THREADS sets how many (default as
 * `veil serve`: one per core; 0 analyses in the request thread).
 *
 * Then the jobs phase: BENCH_JOBS (default 40) text jobs submitted over loopback by BENCH_SUBMITTERS
 * clients at once (default 4) to `veil serve`'s
 * service (`startService`: JWT, POST /v1/jobs, embedded workers, audit) and polled until every one
 * has succeeded, in documents/s from the first submit to the last success, with 1 and 2 workers,
 * on PGlite and (when it answers at BENCH_PG_URL, default postgres://postgres@127.0.0.1:5432/test,
 * in a fresh database) PostgreSQL. BENCH_ONLY=jobs or BENCH_ONLY=analyze runs one part.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import type { Result } from 'autocannon';
import pg from 'pg';
import { pino } from 'pino';
import { mintDevelopmentToken } from '../../src/access/index.js';
import { buildApp } from '../../src/api/index.js';
import { localApiDependencies } from '../../src/cli/commands/serve.js';
import { createLocalFileKeyProvider } from '../../src/crypto/key-providers/local-file.js';
import { Keyring } from '../../src/crypto/keyring.js';
import { MemoryKeyringStore } from '../../src/crypto/keyring-store.js';
import { createDetectionPool } from '../../src/runtime/detection-pool.js';
import { defaultDetectionThreads } from '../../src/runtime/service.js';
import { constantRate, type ConstantRateResult } from './constant-rate.js';
import { startBenchService } from './service.js';
import { adminQuery as adminQueryAt, createScratchDatabase } from './job-text.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const RATE = Number(process.env.BENCH_RATE ?? 500);
const TEXT_BYTES = 5 * 1024;

/** About 5 KB of clinical-note prose with an e-mail, a phone number, an SSN and a name every ~400 bytes. */
function text(seed: number): string {
  const parts: string[] = [];
  for (let i = 0; parts.join('').length < TEXT_BYTES - 200; i += 1) {
    const n = seed * 100 + i;
    parts.push(
      `Visit ${n}: the patient reported steady improvement and asked for a follow-up next month. `,
      `Contact person${n}@example.org or call 212-555-${String(1000 + (n % 9000)).padStart(4, '0')}. `,
      `Referred by Dr. Maria Keller; SSN on file 078-05-${String(1120 + (n % 8000)).padStart(4, '0')}. `,
      'No allergies were recorded and the medication plan stays as agreed. ',
    );
  }
  return parts.join('').slice(0, TEXT_BYTES);
}

const ONLY = process.env.BENCH_ONLY;
const texts = Array.from({ length: 16 }, (_, seed) => text(seed));
const dataDir = mkdtempSync(join(tmpdir(), 'veil-bench-api-'));
if (ONLY !== 'jobs') {
  const threads = Number(process.env.BENCH_THREADS ?? defaultDetectionThreads());
  const detection = threads > 0 ? createDetectionPool({ threads }) : undefined;
  const app = await buildApp({
    ...(await localApiDependencies(
      dataDir,
      new Keyring({
        provider: createLocalFileKeyProvider({ path: join(dataDir, 'kek.key') }),
        store: new MemoryKeyringStore(),
      }),
    )),
    logger: pino({ level: 'info' }, pino.destination('/dev/null')),
    config: { rateLimit: { max: 1_000_000, windowMs: 60_000 } },
    ...(detection === undefined ? {} : { analyzeText: detection.analyze }),
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (typeof address !== 'object' || address === null) throw new Error('no address');
  const url = `http://127.0.0.1:${address.port}/v1/analyze`;
  const token = await mintDevelopmentToken(dataDir, { role: 'processor', tenant: 'bench' });

  const PATTERN_ENTITIES = [
    'EMAIL_ADDRESS',
    'PHONE_NUMBER',
    'US_SSN',
    'CREDIT_CARD',
    'IBAN_CODE',
    'IP_ADDRESS',
  ];
  const everything = texts.map((t) => ({ method: 'POST' as const, body: JSON.stringify({ text: t }) }));
  const patternsOnly = texts.map((t) => ({
    method: 'POST' as const,
    body: JSON.stringify({ text: t, entities: PATTERN_ENTITIES }),
  }));

  async function run(
    title: string,
    requests: readonly { method: 'POST'; body: string }[],
    options: Partial<autocannon.Options>,
  ): Promise<Result> {
    const result = await autocannon({
      url,
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      requests: [...requests],
      // The load generator runs in a worker thread so it does not share the server's event loop.
      workers: 1,
      duration: SECONDS,
      ...options,
    });
    const non2xx = result.non2xx + result.errors + result.timeouts;
    console.log(
      `${title.padEnd(32)} p50 ${result.latency.p50.toFixed(2).padStart(6)} ms   p99 ${result.latency.p99.toFixed(2).padStart(6)} ms   ` +
        `${result.requests.average.toFixed(0).padStart(6)} req/s   ${result.requests.total} requests, ${non2xx} failed`,
    );
    return result;
  }

  console.log(
    `POST /v1/analyze, ${texts[0]!.length}-character texts, ${SECONDS} s per phase, loopback, ${threads} detection thread(s), node ${process.version}`,
  );
  await run('warm-up', everything, { duration: 2, connections: 4 });
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  async function steady(title: string, requests: readonly { body: string }[]): Promise<ConstantRateResult> {
    const result = await constantRate({
      url,
      headers,
      bodies: requests.map((r) => r.body),
      rate: RATE,
      seconds: SECONDS,
    });
    console.log(
      `${title.padEnd(32)} p50 ${result.p50.toFixed(2).padStart(6)} ms   p99 ${result.p99.toFixed(2).padStart(6)} ms   ` +
        `${result.rate.toFixed(0).padStart(6)} req/s   ${result.sent} requests, ${result.failed} failed, max ${result.max.toFixed(1)} ms (constant rate)`,
    );
    return result;
  }
  const fixed = await steady(`all recognizers, ${RATE} req/s`, everything);
  await run(`all recognizers, ${RATE} req/s (autocannon)`, everything, {
    connections: 10,
    overallRate: RATE,
  });
  await run('all recognizers, open', everything, { connections: 10 });
  const fixedPatterns = await steady(`patterns only, ${RATE} req/s`, patternsOnly);
  await run('patterns only, open', patternsOnly, { connections: 10 });
  const verdict = (result: ConstantRateResult) =>
    result.p99 <= 10 && result.rate >= RATE * 0.95 && result.failed === 0 ? 'met' : 'NOT met';
  console.log(
    `target p99 <= 10 ms at ${RATE} req/s (constant rate): all recognizers ${verdict(fixed)}, patterns only ${verdict(fixedPatterns)}`,
  );

  await app.close();
  await detection?.close();
}
rmSync(dataDir, { recursive: true, force: true });

const JOBS = Number(process.env.BENCH_JOBS ?? 40);
const SUBMITTERS = Number(process.env.BENCH_SUBMITTERS ?? 4);
const JOBS_TIMEOUT_MS = Number(process.env.BENCH_JOBS_TIMEOUT_S ?? 180) * 1000;
const PG_URL = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

async function postgresAnswers(): Promise<boolean> {
  const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 1500 });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

const adminQuery = (query: string): Promise<void> => adminQueryAt(PG_URL, query);

/** Submits JOBS text jobs over HTTP and waits for all; returns documents/s and the seconds taken. */
async function jobsPhase(driver: 'pglite' | 'postgres', workers: number): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'veil-bench-jobs-'));
  const database = `veil_bench_${process.pid}_${workers}`;
  let databaseUrl: string | undefined;
  if (driver === 'postgres') databaseUrl = await createScratchDatabase(PG_URL, database);
  const service = await startBenchService({
    dataDir: dir,
    databaseUrl,
    workers,
    pollingIntervalSeconds: 0.5,
  });
  try {
    const jobToken = await mintDevelopmentToken(dir, { role: 'processor', tenant: 'bench' });
    const headers = { authorization: `Bearer ${jobToken}`, 'content-type': 'application/json' };
    const started = performance.now();
    const ids: string[] = [];
    let next = 0;
    // SUBMITTERS clients submit at once, each one job after another.
    const submitter = async (): Promise<void> => {
      for (let i = next++; i < JOBS; i = next++) {
        const res = await fetch(`${service.url}/v1/jobs`, {
          method: 'POST',
          headers,
          body: JSON.stringify({
            text: texts[i % texts.length],
            purpose: 'claims',
            consent: { basis: 'contract' },
            retention_days: 1,
          }),
        });
        if (res.status !== 202) throw new Error(`POST /v1/jobs answered ${res.status}`);
        ids.push(((await res.json()) as { job_id: string }).job_id);
      }
    };
    await Promise.all(Array.from({ length: SUBMITTERS }, submitter));
    const submitted = performance.now();
    const pending = new Set(ids);
    while (pending.size > 0) {
      if (performance.now() - started > JOBS_TIMEOUT_MS)
        throw new Error(`${pending.size} jobs unfinished after ${JOBS_TIMEOUT_MS / 1000} s`);
      for (const id of [...pending]) {
        const res = await fetch(`${service.url}/v1/jobs/${id}`, { headers });
        const { status } = (await res.json()) as { status: string };
        if (status === 'succeeded') pending.delete(id);
        else if (status !== 'queued' && status !== 'running') throw new Error(`a job ended ${status}`);
      }
      if (pending.size > 0) await new Promise((r) => setTimeout(r, 100));
    }
    const seconds = (performance.now() - started) / 1000;
    console.log(
      `jobs, ${driver.padEnd(8)} ${workers} worker${workers === 1 ? ' ' : 's'}  ${(JOBS / seconds).toFixed(1).padStart(6)} documents/s   ` +
        `${JOBS} jobs in ${seconds.toFixed(1)} s (submitting took ${((submitted - started) / 1000).toFixed(1)} s)`,
    );
  } finally {
    await service.close();
    rmSync(dir, { recursive: true, force: true });
    if (driver === 'postgres') await adminQuery(`drop database if exists ${database} with (force)`);
  }
}

if (ONLY !== 'analyze') {
  console.log(
    `text jobs end to end (POST /v1/jobs → succeeded), ${JOBS} × ${texts[0]!.length}-character texts from ${SUBMITTERS} clients, loopback`,
  );
  const drivers: Array<'pglite' | 'postgres'> = ['pglite'];
  if (await postgresAnswers()) drivers.push('postgres');
  else console.log(`PostgreSQL: no server answers at ${PG_URL}; skipped`);
  for (const driver of drivers) for (const workers of [1, 2]) await jobsPhase(driver, workers);
}
