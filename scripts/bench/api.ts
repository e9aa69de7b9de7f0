/**
 * `npm run bench:api`: `POST /v1/analyze` with 5 KB texts over loopback, through the whole chain
 * (`veil serve`'s wiring: local-issuer JWT verification, permission check, rate limit, zod
 * validation, detection, presenter, redacted log to /dev/null). Two phases: a fixed 500 req/s
 * (the target: p99 ≤ 10 ms) and an open-throttle run for the ceiling, each with every recognizer
 * and again with the pattern recognizers only (`entities` without the name tagger), which shows
 * how much of the time is the API and how much is detection. Prints p50, p99 and req/s.
 *
 * BENCH_SECONDS sets each phase's length (default 10); BENCH_RATE the fixed rate (default 500).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import type { Result } from 'autocannon';
import { pino } from 'pino';
import { mintDevelopmentToken } from '../../src/access/index.js';
import { buildApp } from '../../src/api/index.js';
import { localApiDependencies } from '../../src/cli/commands/serve.js';

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

const dataDir = mkdtempSync(join(tmpdir(), 'veil-bench-api-'));
const app = await buildApp({
  ...(await localApiDependencies(dataDir)),
  logger: pino({ level: 'info' }, pino.destination('/dev/null')),
  config: { rateLimit: { max: 1_000_000, windowMs: 60_000 } },
});
await app.listen({ host: '127.0.0.1', port: 0 });
const address = app.server.address();
if (typeof address !== 'object' || address === null) throw new Error('no address');
const url = `http://127.0.0.1:${address.port}/v1/analyze`;
const token = await mintDevelopmentToken(dataDir, { role: 'processor', tenant: 'bench' });

const texts = Array.from({ length: 16 }, (_, seed) => text(seed));
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
  `POST /v1/analyze, ${texts[0]!.length}-character texts, ${SECONDS} s per phase, loopback, node ${process.version}`,
);
await run('warm-up', everything, { duration: 2, connections: 4 });
const fixed = await run(`all recognizers, ${RATE} req/s`, everything, { connections: 10, overallRate: RATE });
await run('all recognizers, open', everything, { connections: 10 });
const fixedPatterns = await run(`patterns only, ${RATE} req/s`, patternsOnly, {
  connections: 10,
  overallRate: RATE,
});
await run('patterns only, open', patternsOnly, { connections: 10 });
const verdict = (result: Result) =>
  result.latency.p99 <= 10 && result.requests.average >= RATE * 0.95 ? 'met' : 'NOT met';
console.log(
  `target p99 <= 10 ms at ${RATE} req/s: all recognizers ${verdict(fixed)}, patterns only ${verdict(fixedPatterns)}`,
);

await app.close();
rmSync(dataDir, { recursive: true, force: true });
