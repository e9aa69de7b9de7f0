// The engine's findings, frozen: every evaluation text (../shared/eval, as `npm run eval` reads
// it) and the repository's own test documents run through the default analyzer, and the
// SHA-256 of each document's sorted findings (type, start, end, score, parts) must equal the one
// stored in `golden/findings.json`. Only hashes are stored: never a text nor a finding. A refactor
// or a speed-up of the engine must leave every hash as it was; a change meant to alter findings
// rewrites the file with `VEIL_GOLDEN_WRITE=1` and reports its `npm run eval` figures.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createAnalyzer } from '../../src/engine/analyze.js';
import type { Finding } from '../../src/engine/types.js';
import { testDocuments } from '../ai/corpus.js';
import { EVAL_URL, repoUrl } from '../repo-paths.js';

const GOLDEN = repoUrl('test/engine/golden/findings.json');
const EVAL = EVAL_URL;
const WRITE = process.env.VEIL_GOLDEN_WRITE === '1';

/** One set of documents: the SHA-256 of its source (so a changed dataset is told apart from a changed engine) and one hash per document. */
interface GoldenSet {
  readonly source: string;
  readonly documents: readonly string[];
}

type Golden = Record<string, GoldenSet>;

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The hash of a document's findings, independent of the order they are reported in. */
function findingsHash(findings: readonly Finding[]): string {
  const rows = findings.map((f) => [
    f.type,
    f.start,
    f.end,
    f.score,
    (f.parts ?? []).map((p) => [p.type, p.start, p.end]),
  ]);
  rows.sort(
    (a, b) =>
      (a[1] as number) - (b[1] as number) ||
      (a[2] as number) - (b[2] as number) ||
      String(a[0]).localeCompare(String(b[0])),
  );
  return sha256(JSON.stringify(rows));
}

/** The evaluation sets `npm run eval` reads, each as its texts in file order. */
function evaluationSets(): Map<string, { source: string; texts: string[] }> {
  const sets = new Map<string, { source: string; texts: string[] }>();
  for (const file of ['presidio-research/generated_small.json', 'presidio-research/generated_large.json']) {
    const raw = readFileSync(new URL(file, EVAL), 'utf8');
    sets.set(file, {
      source: sha256(raw),
      texts: (JSON.parse(raw) as { full_text: string }[]).map((r) => r.full_text),
    });
  }
  for (const file of ['tab/tab144_dev.jsonl', 'tab/tab144_train.jsonl']) {
    const raw = readFileSync(new URL(file, EVAL), 'utf8');
    const texts = raw
      .split('\n')
      .filter(Boolean)
      .map((line) => (JSON.parse(line) as { text: string }).text);
    sets.set(file, { source: sha256(raw), texts });
  }
  // The benchmark's corpus unit, analysed in one call: windows and slices cut across documents.
  const joined = [
    ...sets.get('tab/tab144_train.jsonl')!.texts,
    ...sets.get('tab/tab144_dev.jsonl')!.texts,
    ...sets.get('presidio-research/generated_large.json')!.texts,
  ].join('\n\n');
  sets.set('bench corpus unit (TAB train + dev + generated_large, one call)', {
    source: sha256(joined),
    texts: [joined],
  });
  return sets;
}

/** The repository's own test documents (canary notes and hand-written forms), without third-party data. */
function repositorySet(): { source: string; texts: string[] } {
  const texts = testDocuments()
    .filter((d) => !d.id.startsWith('presidio-') && !d.id.startsWith('sroie-'))
    .map((d) => d.text);
  return { source: sha256(JSON.stringify(texts)), texts };
}

const stored: Golden = existsSync(GOLDEN) ? (JSON.parse(readFileSync(GOLDEN, 'utf8')) as Golden) : {};
const run = createAnalyzer();
const computed: Golden = {};

function check(name: string, set: { source: string; texts: string[] }): void {
  const documents = set.texts.map((text) => findingsHash(run(text)));
  computed[name] = { source: set.source, documents };
  if (WRITE) return;
  const golden = stored[name];
  assert.ok(golden, `no golden hashes for "${name}": run this file once with VEIL_GOLDEN_WRITE=1`);
  assert.equal(
    set.source,
    golden.source,
    `"${name}" is not the data the golden hashes were made from: rewrite them with VEIL_GOLDEN_WRITE=1 on the engine they came from`,
  );
  const changed = documents.flatMap((hash, i) => (hash === golden.documents[i] ? [] : [i]));
  assert.deepEqual(
    changed,
    [],
    `findings changed on ${changed.length} of ${documents.length} documents of "${name}" (indices shown)`,
  );
}

test('the repository test documents give the golden findings', () => {
  check('repository test documents', repositorySet());
});

test('every evaluation text gives the golden findings', (t) => {
  if (!existsSync(EVAL)) {
    t.skip('../shared/eval is absent (set VEIL_EVAL_DIR to the evaluation data)');
    return;
  }
  for (const [name, set] of evaluationSets()) check(name, set);
});

test('golden hashes are written when asked', { skip: !WRITE }, () => {
  const merged = { ...stored, ...computed };
  writeFileSync(GOLDEN, `${JSON.stringify(merged, null, 1)}\n`);
});
