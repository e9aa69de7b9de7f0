// `npm run bench:detect-floors`: what bounds detection's CPU, per document of the bench:detect corpus
// (TAB paragraphs and presidio sentences, split at blank lines), in one process. Four sides run the
// same pieces alternately, 50 at a time, several rounds, and the CPU time of each is summed: the
// whole engine; the tagger with its span rules and the address grammar alone; the engine with every
// recognizer stubbed to find nothing (triggers, windows, gates and the post-steps only); redact-pii.
// Prints µs per document, MB/cpu-s, and the per-document budget twice redact-pii's speed leaves.
// Prints figures; not a test.
import { loadavg } from 'node:os';
import { evalDataOrSkip, presidioTexts, tabTexts } from '../eval-data.js';
import { createAnalyzer } from '../../src/engine/analyze.js';
import { defaultRecognizers } from '../../src/engine/recognizers/index.js';
import { NER_RECOGNIZER } from '../../src/engine/ner/recognizer.js';
import { STREET_ADDRESS_RECOGNIZER } from '../../src/engine/ner/address.js';
import type { Recognizer } from '../../src/engine/types.js';

const EVAL = evalDataOrSkip('bench:detect-floors');
const ROUNDS = Math.max(1, Number(process.env.FLOOR_ROUNDS ?? 6));
const CHUNK = 50;

const pieces = [...tabTexts(EVAL), ...presidioTexts(EVAL, 'generated_large.json')].join('\n\n').split('\n\n');
const chars = pieces.reduce((n, p) => n + p.length, 0);

const { SyncRedactor } = (await import('redact-pii')) as unknown as {
  SyncRedactor: new () => { redact(text: string): string };
};
const redactor = new SyncRedactor();
const stubbed: Recognizer[] = defaultRecognizers().map((r) => ({ ...r, find: () => [] }));
const sides: [string, (text: string) => unknown][] = [
  ['whole engine', createAnalyzer()],
  [
    'tagger, span rules and address grammar',
    createAnalyzer({
      useDefaultRecognizers: false,
      recognizers: [NER_RECOGNIZER, STREET_ADDRESS_RECOGNIZER],
    }),
  ],
  ['every recognizer stubbed', createAnalyzer({ useDefaultRecognizers: false, recognizers: stubbed })],
  ['redact-pii SyncRedactor', (text) => redactor.redact(text)],
];

/** CPU microseconds of `run` over `pieces[from, to)`. */
function cpu(run: (text: string) => unknown, from: number, to: number): number {
  const started = process.cpuUsage();
  for (let i = from; i < to; i++) run(pieces[i]!);
  const used = process.cpuUsage(started);
  return used.user + used.system;
}

for (const [, run] of sides) cpu(run, 0, pieces.length);
const load = [loadavg()[0]!];
const sums = sides.map(() => 0);
const perRound: number[][] = sides.map(() => []);
for (let round = 0; round < ROUNDS; round++) {
  const used = sides.map(() => 0);
  for (let at = 0; at < pieces.length; at += CHUNK) {
    const to = Math.min(pieces.length, at + CHUNK);
    // Rotate which side goes first, so none always runs on caches another warmed.
    for (let k = 0; k < sides.length; k++) {
      const s = (k + round + at / CHUNK) % sides.length;
      used[s]! += cpu(sides[s]![1], at, to);
    }
  }
  used.forEach((u, s) => {
    sums[s]! += u;
    perRound[s]!.push(u / pieces.length);
  });
}
load.push(loadavg()[0]!);
console.log(
  `${pieces.length} documents, ${(chars / 1e6).toFixed(2)} M characters (${(chars / pieces.length).toFixed(0)} a document), ${ROUNDS} rounds, load ${load.map((l) => l.toFixed(1)).join(' -> ')}`,
);
const usPerDoc = sums.map((s) => s / ROUNDS / pieces.length);
sides.forEach(([name], s) => {
  const rounds = perRound[s]!.map((u) => u.toFixed(1)).join(', ');
  console.log(
    `${name.padEnd(40)} ${usPerDoc[s]!.toFixed(1).padStart(7)} us/document  ${(chars / (sums[s]! / ROUNDS)).toFixed(2).padStart(6)} MB/cpu-s  (rounds: ${rounds})`,
  );
});
const redact = usPerDoc[sides.length - 1]!;
console.log(
  `2x redact-pii leaves ${(redact / 2).toFixed(1)} us of CPU a document; the whole engine is ${(usPerDoc[0]! / redact).toFixed(2)}x redact-pii's time (${(redact / usPerDoc[0]!).toFixed(2)}x its speed)`,
);
