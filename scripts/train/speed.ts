/**
 * Measures the tagger's throughput (MB/s) on English prose built from the TAB texts, and the
 * full analyzer's for comparison. The machine may be shared, so each figure is the best of a few
 * runs, by wall clock and by this process's CPU time.
 *
 * Run: `npx tsx scripts/train/speed.ts [--ner-only] [--runs=N]`.
 */
import { analyze } from '../../src/engine/analyze.js';
import { tagEntities } from '../../src/engine/ner/recognizer.js';
import { tab } from './corpus.js';

const runs = Number(process.argv.find((a) => a.startsWith('--runs='))?.slice(7) ?? 3);
const prose = tab('train')
  .map((d) => d.text)
  .join('\n\n');
let corpus = prose;
while (corpus.length < 8_000_000) corpus += '\n\n' + prose;
// A flat string, as read from a file (a concatenated one is flattened on first access).
corpus = [...corpus].join('');
const megabytes = corpus.length / 1e6;

function measure(name: string, run: (text: string) => unknown): void {
  run(corpus.slice(0, 500_000));
  let wall = Infinity;
  let cpu = Infinity;
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    run(corpus);
    const c = process.cpuUsage(c0);
    wall = Math.min(wall, (performance.now() - t0) / 1000);
    cpu = Math.min(cpu, (c.user + c.system) / 1e6);
  }
  console.log(
    `${name.padEnd(16)} ${(megabytes / wall).toFixed(1)} MB/s wall, ${(megabytes / cpu).toFixed(1)} MB/s cpu, on ${megabytes.toFixed(1)} MB`,
  );
}

measure('ner tagger', (text) => tagEntities(text, 0, text.length));
if (!process.argv.includes('--ner-only')) measure('full analyzer', (text) => analyze(text));
