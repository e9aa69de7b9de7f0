/**
 * `npm run bench:anonymize`: text anonymisation throughput (MB/s) for replace, mask and tokenize
 * (with the in-memory vault and the real operator keys), and CSV rows/s with peak RSS and heap.
 * Findings are precomputed so the figures measure anonymisation, not detection. Prints figures.
 */
import { Readable, Writable } from 'node:stream';
import { anonymize } from '../../src/engine/anonymize/anonymize.js';
import type { AnonymizationPlan } from '../../src/engine/anonymize/types.js';
import { InMemoryTokenVault } from '../../src/engine/anonymize/vault.js';
import type { Finding } from '../../src/engine/types.js';
import { inProcessKekProvider } from '../../src/crypto/key-providers/in-process-kek.js';
import { Keyring } from '../../src/crypto/keyring.js';
import { MemoryKeyringStore } from '../../src/crypto/keyring-store.js';
import { createOperatorKeys } from '../../src/crypto/operator-keys.js';
import { anonymizeCsv } from '../../src/pipeline/structured/csv.js';

const keyring = new Keyring({
  provider: inProcessKekProvider('bench', 'benchmark key', async () => Buffer.alloc(32, 7)),
  store: new MemoryKeyringStore(),
});
const keys = await createOperatorKeys(keyring, 'bench');

// A 1 MiB document with a finding every ~60 characters, values repeating as real text does.
const parts: string[] = [];
const findings: Finding[] = [];
let length = 0;
for (let i = 0; length < 1024 * 1024; i += 1) {
  const filler = `Visit ${i} notes: patient reported improvement, contact `;
  const value = i % 3 === 0 ? `person${i % 500}@example.org` : `Person Name${i % 700}`;
  parts.push(filler, value, '. ');
  findings.push({
    type: i % 3 === 0 ? 'EMAIL_ADDRESS' : 'PERSON',
    start: length + filler.length,
    end: length + filler.length + value.length,
    score: 1,
    recognizer: 'bench',
  });
  length += filler.length + value.length + 2;
}
const text = parts.join('');
const mb = text.length / (1024 * 1024);

async function textBench(
  name: string,
  plan: AnonymizationPlan,
  context: Parameters<typeof anonymize>[3],
): Promise<void> {
  await anonymize(text, findings, plan, context);
  const rounds = 5;
  const t0 = performance.now();
  for (let r = 0; r < rounds; r += 1) await anonymize(text, findings, plan, context);
  const seconds = (performance.now() - t0) / 1000;
  console.log(
    `text ${name.padEnd(9)} ${((mb * rounds) / seconds).toFixed(1).padStart(7)} MB/s  (${findings.length} findings per ${mb.toFixed(1)} MB)`,
  );
}

console.log(`node ${process.version}`);
await textBench('replace', { default: { operator: 'replace' } }, {});
await textBench('mask', { default: { operator: 'mask', keepLast: 4 } }, {});
await textBench(
  'tokenize',
  { default: { operator: 'tokenize' } },
  { keys, vault: new InMemoryTokenVault({ keys }), tenant: 'bench', subject: 'p1' },
);

// CSV: 200 000 rows, a typed column and a free-text column with a stand-in detector.
const ROWS = 200_000;
async function* csvSource(): AsyncGenerator<string> {
  yield 'id,name,email,notes\n';
  for (let i = 0; i < ROWS; i += 1000) {
    let chunk = '';
    for (let j = i; j < i + 1000; j += 1)
      chunk += `${j},Person Name${j % 700},person${j % 500}@example.org,"called about visit ${j}, all fine"\n`;
    yield chunk;
  }
}
let peakRss = 0;
let peakHeap = 0;
// The stream never waits on I/O here, so timers would not fire: sample as output is written.
const sample = (): void => {
  const m = process.memoryUsage();
  peakRss = Math.max(peakRss, m.rss);
  peakHeap = Math.max(peakHeap, m.heapUsed);
};
let bytes = 0;
let writes = 0;
const t0 = performance.now();
await anonymizeCsv(
  Readable.from(csvSource()),
  new Writable({
    write(chunk: Buffer, _e, done) {
      bytes += chunk.length;
      if (++writes % 200 === 0) sample();
      done();
    },
  }),
  {
    plan: {
      default: { operator: 'replace' },
      operators: { EMAIL_ADDRESS: { operator: 'mask', keepLast: 4 } },
    },
    analyze: (cell) =>
      [...cell.matchAll(/visit \d+/g)].map((m) => ({
        type: 'VISIT',
        start: m.index,
        end: m.index + m[0].length,
        score: 1,
        recognizer: 'bench',
      })),
    rules: {
      fields: { id: 'keep', name: { type: 'PERSON' }, email: { type: 'EMAIL_ADDRESS' }, notes: 'detect' },
    },
  },
);
const seconds = (performance.now() - t0) / 1000;
console.log(
  `csv  ${Math.round(ROWS / seconds).toLocaleString('en')} rows/s  (${ROWS.toLocaleString('en')} rows, ${(bytes / 1048576).toFixed(1)} MB out)  peak RSS ${(peakRss / 1048576).toFixed(0)} MB, peak heap ${(peakHeap / 1048576).toFixed(0)} MB`,
);
