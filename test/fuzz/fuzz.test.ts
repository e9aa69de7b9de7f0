/**
 * Property fuzzing of every document parser and the API's request schemas (a bounded number of
 * inputs per target; `npm run fuzz` runs them for a time budget), and the replay of every input a
 * fuzz run ever kept under test/fixtures/fuzz/<target>/.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { closeDocumentResources } from '../../src/documents/resources.js';
import { AS_PROCESSOR, testApp } from '../api/harness.js';
import { as, openTestService } from '../api/jobs-harness.js';
import type { TestService } from '../api/jobs-harness.js';
import { apiTargets, parserTargets } from './targets.js';
import type { FuzzTarget } from './targets.js';
import { repoUrl } from '../repo-paths.js';

const FIXTURES = fileURLToPath(repoUrl('test/fixtures/fuzz/'));
/** Inputs per target: the heavier parsers (PDF, images, e-mail, DOCX) get fewer. */
const RUNS: Record<string, number> = { pdf: 10, image: 10, email: 20, docx: 25, 'api-jobs': 25 };

const parsers = await parserTargets();
const { app } = await testApp();
let service: TestService;

after(async () => {
  await app.close();
  await closeDocumentResources();
});

async function property(target: FuzzTarget, runs: number): Promise<void> {
  const result = await fc.check(
    fc.asyncProperty(target.input, (input) => target.check(input)),
    { numRuns: runs, seed: 20_261_206 },
  );
  // The finding's own message (fast-check's report names only the input).
  assert.equal(
    result.failed,
    false,
    `${String(result.errorInstance)}\ninput: ${JSON.stringify(Buffer.from((result.counterexample?.[0] as Uint8Array | undefined) ?? []).toString('latin1'))}`,
  );
}

describe('fuzzing (bounded)', { timeout: 300_000 }, () => {
  before(async () => {
    service = await openTestService('pglite', { workers: 0, detectionThreads: 0 });
  });
  after(async () => {
    await service?.dispose();
  });
  for (const target of parsers)
    test(`parser ${target.name}: a document or a catalogued error, never an echo`, async () => {
      await property(target, RUNS[target.name] ?? 100);
    });
  for (const name of ['api-analyze', 'api-anonymize', 'api-jobs', 'api-audit-query'])
    test(`${name}: 2xx or a catalogued 4xx, never a 5xx or an echo`, async () => {
      const target = apiTargets(app, AS_PROCESSOR, {
        app: service.app,
        processor: as('processor'),
        auditor: as('auditor'),
      }).find((t) => t.name === name);
      assert.ok(target !== undefined);
      await property(target, RUNS[name] ?? 100);
    });
});

describe('fuzz regressions: every kept input still passes its check', () => {
  const kept = existsSync(FIXTURES)
    ? readdirSync(FIXTURES, { withFileTypes: true })
        .filter((d) => d.isDirectory())
        .flatMap((d) =>
          readdirSync(join(FIXTURES, d.name))
            .filter((f) => f.endsWith('.bin'))
            .map((f) => ({ target: d.name, file: join(FIXTURES, d.name, f) })),
        )
    : [];
  if (kept.length === 0)
    test(
      'no kept inputs yet',
      { skip: 'test/fixtures/fuzz holds no input a fuzz run kept' },
      () => undefined,
    );
  for (const { target, file } of kept)
    test(`kept input ${target}/${file.split('/').pop()} names a known target`, () => {
      assert.ok(
        [
          ...parsers.map((t) => t.name),
          'api-analyze',
          'api-anonymize',
          'api-jobs',
          'api-audit-query',
        ].includes(target),
      );
    });
  for (const { target, file } of kept) {
    const parser = parsers.find((t) => t.name === target);
    if (parser === undefined) continue;
    test(`replay ${target}/${file.split('/').pop()}`, async () => {
      await parser.check(new Uint8Array(readFileSync(file)));
    });
  }
  for (const { target, file } of kept.filter(
    (k) => k.target === 'api-analyze' || k.target === 'api-anonymize',
  )) {
    test(`replay ${target}/${file.split('/').pop()}`, async () => {
      await apiTargets(app, AS_PROCESSOR)
        .find((t) => t.name === target)!
        .check(new Uint8Array(readFileSync(file)));
    });
  }
});
