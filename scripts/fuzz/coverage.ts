/**
 * `npm run fuzz:coverage`: coverage-guided fuzzing of every fuzz target (test/fuzz/targets.ts: the
 * document parsers and the API's request schemas) for FUZZ_SECONDS each (default 60).
 *
 * The loop is libFuzzer's: start from inputs drawn from the target's fast-check generator, mutate
 * a corpus entry (scripts/fuzz/mutate.ts), run the target's check, and keep the mutant in the
 * corpus when V8's block coverage of the run (scripts/fuzz/coverage-probe.ts: this process and its
 * worker threads, so the isolated PDF worker too) holds a block feature no earlier input reached.
 * Any input the check rejects (a raw exception, an echo, a 5xx) or that runs past FUZZ_TIMEOUT_MS
 * (default 10,000) is kept under test/fixtures/fuzz/<target>/ for the replay test.
 *
 * Jazzer.js was the first choice and cannot run here (its prebuilt fuzzer needs glibc 2.38; this
 * machine has 2.36), so the guidance comes from V8's own coverage through `node:inspector`.
 *
 * FUZZ_TARGETS=pdf,csv picks targets. FUZZ_COMPARE=1 then runs the generator alone (no guidance)
 * for the same time and prints the block features each reached, the measure of what guidance adds.
 */
import fc from 'fast-check';
import { closeDocumentResources } from '../../src/documents/resources.js';
import { AS_PROCESSOR, testApp } from '../../test/api/harness.js';
import { as, openTestService } from '../../test/api/jobs-harness.js';
import { apiTargets, FUZZ_CANARY, FuzzFinding, parserTargets } from '../../test/fuzz/targets.js';
import type { FuzzTarget } from '../../test/fuzz/targets.js';
import { CoverageProbe } from './coverage-probe.js';
import { keepFinding } from './findings.js';
import { mutate } from './mutate.js';

const SECONDS = Number(process.env.FUZZ_SECONDS ?? 60);
const TIMEOUT_MS = Number(process.env.FUZZ_TIMEOUT_MS ?? 10_000);
const ONLY = process.env.FUZZ_TARGETS?.split(',');
const COMPARE = process.env.FUZZ_COMPARE === '1';
const MAX_LENGTH = 64 * 1024;
const MAX_CORPUS = 4_000;
const MAX_FINDINGS = 5;
const FRESH_EVERY = 4;

interface Outcome {
  readonly executions: number;
  readonly corpus: number;
  readonly features: number;
  readonly findings: string[];
}

/** Runs one input through the check: undefined when handled, the reason otherwise. */
async function run(target: FuzzTarget, input: Uint8Array): Promise<string | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`no answer within ${TIMEOUT_MS} ms`), TIMEOUT_MS);
  });
  try {
    return await Promise.race([
      target.check(input).then(
        () => undefined,
        (error: unknown) =>
          error instanceof FuzzFinding ? error.message : `check threw: ${String(error).slice(0, 200)}`,
      ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Endless draws of a generator, 64 at a time. */
function* draws(input: fc.Arbitrary<Uint8Array>, seed: number): Generator<Uint8Array, never> {
  for (let next = seed; ; next += 1) yield* fc.sample(input, { numRuns: 64, seed: next });
}

/** Adds `seen` to `all` and answers whether any feature was new. */
function grew(all: Set<string>, seen: Set<string>): boolean {
  const before = all.size;
  for (const feature of seen) all.add(feature);
  return all.size > before;
}

async function guided(target: FuzzTarget, probe: CoverageProbe): Promise<Outcome> {
  const dictionary = [...(target.dictionary ?? []), FUZZ_CANARY].map((t) => Buffer.from(t, 'latin1'));
  const corpus: Uint8Array[] = fc.sample(target.input, { numRuns: 16, seed: 20_261_206 });
  const all = new Set<string>();
  const findings: string[] = [];
  let executions = 0;
  const record = async (input: Uint8Array): Promise<boolean> => {
    executions += 1;
    const reason = await run(target, input);
    if (reason !== undefined) findings.push(`${keepFinding(target.name, input)}: ${reason}`);
    return grew(all, await probe.take());
  };
  await probe.take(); // what ran before this target is not its coverage
  for (const seed of corpus) await record(seed);
  const deadline = Date.now() + SECONDS * 1000;
  const fresh = draws(target.input, Date.now());
  while (Date.now() < deadline && findings.length < MAX_FINDINGS) {
    // One input in FRESH_EVERY is a new draw of the structure-aware generator, kept when it reaches
    // something new; the rest mutate the corpus.
    const child =
      executions % FRESH_EVERY === 0
        ? fresh.next().value
        : mutate(corpus[Math.floor(Math.random() * corpus.length)]!, corpus, dictionary, MAX_LENGTH);
    if ((await record(child)) && corpus.length < MAX_CORPUS) corpus.push(child);
  }
  return { executions, corpus: corpus.length, features: all.size, findings };
}

/** The generator alone for the same time: the block features it reaches without guidance. */
async function unguided(target: FuzzTarget, probe: CoverageProbe): Promise<Outcome> {
  const all = new Set<string>();
  let executions = 0;
  await probe.take();
  const deadline = Date.now() + SECONDS * 1000;
  for (const input of draws(target.input, Date.now())) {
    if (Date.now() >= deadline) break;
    executions += 1;
    await run(target, input);
    grew(all, await probe.take());
  }
  return { executions, corpus: 0, features: all.size, findings: [] };
}

const probe = await CoverageProbe.start();
const selected = (targets: FuzzTarget[]) =>
  targets.filter((t) => ONLY === undefined || ONLY.includes(t.name));
console.log(`fuzz:coverage: ${SECONDS} s per target, V8 block coverage, node ${process.version}`);
let totalFindings = 0;
async function fuzz(target: FuzzTarget): Promise<void> {
  const outcome = await guided(target, probe);
  totalFindings += outcome.findings.length;
  console.log(
    `${target.name.padEnd(16)} ${String(outcome.executions).padStart(7)} executions ${(outcome.executions / SECONDS).toFixed(0).padStart(5)}/s  corpus ${String(outcome.corpus).padStart(5)}  block features ${String(outcome.features).padStart(6)}  ${outcome.findings.length} finding(s)`,
  );
  for (const f of outcome.findings) console.log(`    ${f}`);
  if (COMPARE) {
    const plain = await unguided(target, probe);
    console.log(
      `${''.padEnd(16)} ${String(plain.executions).padStart(7)} executions of the generator alone: block features ${String(plain.features).padStart(6)} (guided/alone ${(outcome.features / Math.max(1, plain.features)).toFixed(2)}x)`,
    );
  }
}
// The parsers first, with nothing else running: a live service's timers (queue polls, sweeps) would
// add their own blocks to every take. The API targets need the service, so its noise is theirs.
for (const target of selected(await parserTargets())) await fuzz(target);
const { app } = await testApp();
const service = await openTestService('pglite', { workers: 0, detectionThreads: 0 });
const apis = selected(
  apiTargets(app, AS_PROCESSOR, { app: service.app, processor: as('processor'), auditor: as('auditor') }),
);
for (const target of apis) await fuzz(target);
await app.close();
await service.dispose();
await closeDocumentResources();
await probe.stop();
console.log(`fuzz:coverage: ${totalFindings} finding(s) in all`);
process.exitCode = totalFindings > 0 ? 1 : 0;
