/**
 * The coverage probe behind `npm run fuzz:coverage`: it must see a branch taken for the first time,
 * in this thread and in a worker thread, or the fuzzer's guidance is blind.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { CoverageProbe } from '../../scripts/fuzz/coverage-probe.js';
import { parseCsv } from '../../src/documents/parsers/csv.js';

let probe: CoverageProbe;
before(async () => {
  probe = await CoverageProbe.start();
});
after(async () => {
  await probe.stop();
});

/** New features of the CSV parser's code (this test's own blocks are reported too, and left out). */
const grows = (all: Set<string>, seen: Set<string>): number => {
  const before = all.size;
  for (const feature of seen) if (/parsers\/csv|csv-parse/.test(feature)) all.add(feature);
  return all.size - before;
};

test('a parser branch reached for the first time is a new feature; the same input again is not', async () => {
  await probe.take();
  const all = new Set<string>();
  parseCsv('a,b\n1,2\n');
  assert.ok(grows(all, await probe.take()) > 0, 'the first parse covers blocks');
  parseCsv('a,b\n1,2\n');
  assert.equal(grows(all, await probe.take()), 0, 'the same input covers nothing new');
  parseCsv('a,b\n"quoted, with a comma",2\n');
  assert.ok(grows(all, await probe.take()) > 0, 'a quoted field takes a new branch');
});

test("a worker thread's blocks are read too", async () => {
  await probe.take();
  const worker = new Worker(
    `const { parentPort } = require('node:worker_threads');
     function branchy(n) { return n > 1 ? 'many' : 'one'; }
     parentPort.on('message', (n) => parentPort.postMessage(branchy(n)));`,
    { eval: true },
  );
  try {
    const ask = (n: number) =>
      new Promise<string>((resolve) => {
        worker.once('message', resolve);
        worker.postMessage(n);
      });
    assert.equal(await ask(1), 'one');
    const first = await probe.take();
    assert.ok(probe.workers >= 1, 'the worker is attached');
    assert.ok(
      [...first].some((f) => f.startsWith('worker:')),
      'its blocks are reported',
    );
  } finally {
    await worker.terminate();
  }
});
