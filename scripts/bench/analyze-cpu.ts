/**
 * `npm run bench:analyze-cpu`: the request thread's CPU time per `POST /v1/analyze` (5 KB texts),
 * through `veil serve`'s whole chain in process (`startService`: JWT, permission, rate limit,
 * validation, detection threads, presenter, audit append) driven by `app.inject`, so neither an HTTP
 * client nor the machine's load (which moves latency, not CPU) enters the figure. The detection
 * threads' CPU is printed beside it (all threads minus the request thread). For A/B runs of the
 * API's own cost: run it on each side, alternating, and compare.
 *
 * ANALYZE_CPU_REQUESTS (default 3000) requests, ANALYZE_CPU_CONCURRENCY (default 8) in flight, after
 * 500 for warm-up, on PGlite, or PostgreSQL in a fresh database when ANALYZE_CPU_PG_URL is set.
 * ANALYZE_CPU_ROUNDS (default 3) rounds, each printed.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { mintDevelopmentToken } from '../../src/access/index.js';
import { adminQuery, createScratchDatabase, jobText } from './job-text.js';
import { startBenchService } from './service.js';

const REQUESTS = Number(process.env.ANALYZE_CPU_REQUESTS ?? 3000);
const CONCURRENCY = Number(process.env.ANALYZE_CPU_CONCURRENCY ?? 8);
const ROUNDS = Number(process.env.ANALYZE_CPU_ROUNDS ?? 3);
const PG_URL = process.env.ANALYZE_CPU_PG_URL;
const TENANTS = 16;

/** CPU seconds (user + system) of this process, or of its thread `tid`, from /proc (Linux). */
function cpuSeconds(tid?: number): number {
  const file = tid === undefined ? '/proc/self/stat' : `/proc/self/task/${tid}/stat`;
  const fields = readFileSync(file, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

const dir = mkdtempSync(join(tmpdir(), 'veil-analyze-cpu-'));
const database = `veil_analyze_cpu_${process.pid}`;
const databaseUrl = PG_URL === undefined ? undefined : await createScratchDatabase(PG_URL, database);
const service = await startBenchService({ dataDir: dir, databaseUrl, logLevel: 'warn' });
try {
  const headers: Record<string, string>[] = [];
  for (let i = 0; i < TENANTS; i += 1)
    headers.push({
      authorization: `Bearer ${await mintDevelopmentToken(dir, { role: 'processor', tenant: `bench-${i}` })}`,
      'content-type': 'application/json',
    });
  const bodies = Array.from({ length: 16 }, (_, i) => JSON.stringify({ text: jobText(i) }));
  const run = async (count: number): Promise<void> => {
    let next = 0;
    const lane = async (): Promise<void> => {
      while (next < count) {
        const i = next++;
        const response = await service.app.inject({
          method: 'POST',
          url: '/v1/analyze',
          headers: headers[i % TENANTS]!,
          payload: bodies[i % bodies.length]!,
        });
        if (response.statusCode !== 200) throw new Error(`analyze answered ${response.statusCode}`);
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, lane));
  };
  await run(500);
  console.log(
    `POST /v1/analyze, 5 KB texts, app.inject, ${CONCURRENCY} in flight, ${PG_URL === undefined ? 'PGlite' : 'PostgreSQL'}`,
  );
  for (let round = 0; round < ROUNDS; round += 1) {
    const before = [cpuSeconds(), cpuSeconds(process.pid)];
    const started = performance.now();
    await run(REQUESTS);
    const wall = performance.now() - started;
    const after = [cpuSeconds(), cpuSeconds(process.pid)];
    const main = ((after[1]! - before[1]!) * 1000) / REQUESTS;
    const all = ((after[0]! - before[0]!) * 1000) / REQUESTS;
    console.log(
      `  request thread ${main.toFixed(3)} ms/request  other threads ${(all - main).toFixed(3)} ms/request  ` +
        `${((REQUESTS * 1000) / wall).toFixed(0)} req/s  load ${loadavg()[0]!.toFixed(1)}`,
    );
  }
} finally {
  await service.close();
  rmSync(dir, { recursive: true, force: true });
  if (PG_URL !== undefined) await adminQuery(PG_URL, `drop database if exists ${database} with (force)`);
}
