/**
 * `npm run fuzz`: each fuzz target (test/fuzz/targets.ts: every document parser and the API's
 * request schemas) for FUZZ_SECONDS (default 30) of fast-check inputs from fresh seeds. Every
 * failing input is shrunk and kept as test/fixtures/fuzz/<target>/<sha256 prefix>.bin, which
 * the replay test (test/fuzz/fuzz.test.ts) runs from then on. FUZZ_TARGETS=pdf,csv picks targets.
 *
 * `npm run fuzz:coverage` (scripts/fuzz/coverage.ts) runs the same targets guided by V8's block
 * coverage instead of drawing fresh inputs only.
 */
import fc from 'fast-check';
import { closeDocumentResources } from '../../src/documents/resources.js';
import { AS_PROCESSOR, testApp } from '../../test/api/harness.js';
import { as, openTestService } from '../../test/api/jobs-harness.js';
import { apiTargets, FuzzFinding, parserTargets } from '../../test/fuzz/targets.js';
import { keepFinding } from './findings.js';

const SECONDS = Number(process.env.FUZZ_SECONDS ?? 30);
const ONLY = process.env.FUZZ_TARGETS?.split(',');
const MAX_FINDINGS = 5;

const { app } = await testApp();
const service = await openTestService('pglite', { workers: 0, detectionThreads: 0 });
const targets = [
  ...(await parserTargets()),
  ...apiTargets(app, AS_PROCESSOR, { app: service.app, processor: as('processor'), auditor: as('auditor') }),
].filter((t) => ONLY === undefined || ONLY.includes(t.name));

console.log(
  `fuzz: ${targets.length} targets, ${SECONDS} s each, fast-check ${fc.__version}, node ${process.version}`,
);
let totalFindings = 0;
for (const target of targets) {
  const deadline = Date.now() + SECONDS * 1000;
  let executions = 0;
  const findings: string[] = [];
  while (Date.now() < deadline && findings.length < MAX_FINDINGS) {
    const result = await fc.check(
      fc.asyncProperty(target.input, async (input) => {
        executions += 1;
        await target.check(input);
      }),
      {
        numRuns: Number.MAX_SAFE_INTEGER,
        interruptAfterTimeLimit: Math.max(1, deadline - Date.now()),
        seed: Date.now() ^ (executions * 2654435761),
        markInterruptAsFailure: false,
      },
    );
    if (!result.failed || result.counterexample === null) break;
    const [input] = result.counterexample as [Uint8Array];
    const reason =
      result.errorInstance instanceof FuzzFinding
        ? result.errorInstance.message
        : String(result.errorInstance).slice(0, 200);
    findings.push(`${keepFinding(target.name, input)}: ${reason}`);
  }
  totalFindings += findings.length;
  console.log(
    `${target.name.padEnd(16)} ${String(executions).padStart(8)} executions  ${(executions / SECONDS).toFixed(0).padStart(6)}/s  ${findings.length} finding(s)`,
  );
  for (const f of findings) console.log(`    ${f}`);
}
await app.close();
await service.dispose();
await closeDocumentResources();
console.log(`fuzz: ${totalFindings} finding(s) in all`);
process.exitCode = totalFindings > 0 ? 1 : 0;
