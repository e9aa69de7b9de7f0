/**
 * Measures the tagger's throughput (MB/s) on English prose built from the TAB texts, and the
 * full analyzer's for comparison. Run: `npx tsx scripts/train/speed.ts`.
 */
import { analyze } from '../../src/engine/analyze.js';
import { tagEntities } from '../../src/engine/ner/recognizer.js';
import { tab } from './corpus.js';

const prose = tab('train').map((d) => d.text).join('\n\n');
let corpus = prose;
while (corpus.length < 8_000_000) corpus += '\n\n' + prose;
const megabytes = corpus.length / 1e6;

function measure(name: string, run: (text: string) => unknown): void {
  run(corpus.slice(0, 200_000));
  const t0 = performance.now();
  run(corpus);
  const seconds = (performance.now() - t0) / 1000;
  console.log(`${name.padEnd(16)} ${(megabytes / seconds).toFixed(1)} MB/s on ${megabytes.toFixed(1)} MB`);
}

measure('ner tagger', (text) => tagEntities(text, 0, text.length));
if (!process.argv.includes('--ner-only')) measure('full analyzer', (text) => analyze(text));
