// `npm run bench:detect-ab -- ../other-checkout`: this checkout's engine against another's in one
// process. First every finding of both engines is compared on every eval text (presidio-research
// generated_small and generated_large, TAB train and dev whole and split at blank lines); then
// both analyse the same pieces alternately, 50 at a time, several rounds, and the CPU time of
// each side is summed: short texts (the presidio sentences), long texts (the TAB paragraphs) and
// the 5 KB clinical notes of the job benchmarks (`jobText`) apart. On a shared machine this is steadier than two runs of bench:detect. AB_GC_EVERY=N forces a
// full GC (untimed) before every Nth chunk, as a service's major GCs come between requests (needs
// --expose-gc, which the npm script passes). Prints figures; not a test.
import { existsSync } from 'node:fs';
import { evalDataOrSkip, presidioTexts, tabTexts } from '../eval-data.js';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createAnalyzer, type Analyzer } from '../../src/engine/analyze.js';
import type { Finding } from '../../src/engine/types.js';
import { jobText } from './job-text.js';

const other = process.argv[2];
if (!other || !existsSync(resolve(other, 'src/engine/analyze.ts'))) {
  console.log(
    'usage: npm run bench:detect-ab -- <path of another checkout> (its src/engine/analyze.ts is loaded)',
  );
  process.exit(2);
}
const EVAL = evalDataOrSkip('bench:detect-ab');
const ROUNDS = Math.max(1, Number(process.env.AB_ROUNDS ?? 8));
const GC_EVERY = Number(process.env.AB_GC_EVERY ?? 0);
const gc = (globalThis as { gc?: () => void }).gc;

const tab = tabTexts(EVAL);
const large = presidioTexts(EVAL, 'generated_large.json');
const small = presidioTexts(EVAL, 'generated_small.json');
// The pieces bench:detect analyses one call each.
const shortPieces = large.join('\n\n').split('\n\n');
const longPieces = tab.join('\n\n').split('\n\n');
const jobTexts = Array.from({ length: 100 }, (_, seed) => jobText(seed));

const mine = createAnalyzer();
const theirs = (
  (await import(pathToFileURL(resolve(other, 'src/engine/analyze.ts')).href)) as {
    createAnalyzer: () => Analyzer;
  }
).createAnalyzer();

/** A finding as one comparable line: every field, parts included. */
const line = (f: Finding): string => JSON.stringify(f);
let texts = 0;
let differ = 0;
let findings = 0;
for (const text of [...small, ...large, ...tab, ...shortPieces, ...longPieces, ...jobTexts]) {
  texts++;
  const a = mine(text).map(line).join('\n');
  const b = theirs(text).map(line).join('\n');
  findings += a.length === 0 ? 0 : a.split('\n').length;
  if (a !== b) differ++;
}
console.log(`findings compared on ${texts} texts (${findings} findings): ${differ} texts differ`);

/** CPU microseconds of `run` over `pieces[from, to)`. */
function cpu(run: Analyzer, pieces: readonly string[], from: number, to: number): number {
  const started = process.cpuUsage();
  for (let i = from; i < to; i++) run(pieces[i]!);
  const used = process.cpuUsage(started);
  return used.user + used.system;
}

// Each set in chunks of about the same number of characters (a note is 5 KB).
for (const [name, pieces, CHUNK] of [
  ['short texts (presidio sentences)', shortPieces, 50],
  ['long texts (TAB paragraphs)', longPieces, 50],
  ['5 KB clinical notes (jobText)', jobTexts, 5],
] as const) {
  const chars = pieces.reduce((n, p) => n + p.length, 0) / 1e6;
  // Warm both engines on the whole set first.
  cpu(mine, pieces, 0, pieces.length);
  cpu(theirs, pieces, 0, pieces.length);
  const rows: string[] = [];
  let faster = 0;
  let sumMine = 0;
  let sumTheirs = 0;
  for (let round = 0; round < ROUNDS; round++) {
    let a = 0;
    let b = 0;
    for (let at = 0; at < pieces.length; at += CHUNK) {
      const to = Math.min(pieces.length, at + CHUNK);
      if (GC_EVERY > 0 && (at / CHUNK) % GC_EVERY === 0) gc?.();
      // Alternate which side goes first, so neither always runs on caches the other warmed.
      if ((round + at / CHUNK) % 2 === 0) {
        b += cpu(theirs, pieces, at, to);
        a += cpu(mine, pieces, at, to);
      } else {
        a += cpu(mine, pieces, at, to);
        b += cpu(theirs, pieces, at, to);
      }
    }
    if (a < b) faster++;
    sumMine += a;
    sumTheirs += b;
    rows.push(`${(chars / (b / 1e6)).toFixed(3)}/${(chars / (a / 1e6)).toFixed(3)}`);
  }
  console.log(
    `${name}: ${pieces.length} pieces, ${chars.toFixed(2)} M characters; MB/cpu-s other/this per round: ${rows.join(', ')}`,
  );
  console.log(
    `  mean ${(chars / (sumTheirs / ROUNDS / 1e6)).toFixed(3)} -> ${(chars / (sumMine / ROUNDS / 1e6)).toFixed(3)} MB/cpu-s (${(sumTheirs / sumMine).toFixed(3)}x), this faster in ${faster} of ${ROUNDS} rounds; ${(sumTheirs / ROUNDS / pieces.length).toFixed(1)} -> ${(sumMine / ROUNDS / pieces.length).toFixed(1)} us CPU per text`,
  );
}
