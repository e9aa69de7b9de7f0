/**
 * `npm run bench:ai`: what the AI boundary costs and what it leaves a model to read, with no model
 * and no network. For each test document (the presidio-research sentences and the SROIE receipts'
 * text from ../shared/eval, or the built-in forms when it is absent): milliseconds to pseudonymise
 * the extraction request and to run the egress guard on its body, and the share of the document's
 * letters and digits hidden behind placeholders. For SROIE receipts also where each key field
 * (company, date, address, total) ends up: still visible as written, behind exactly one
 * placeholder (the model can point at it and re-identification returns it whole), or split across
 * placeholders and words. Figures are noisy on a shared machine; the best of BENCH_ROUNDS (default
 * 3) timings is printed.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createEgressGuard } from '../../src/ai/egress.js';
import { PLACEHOLDER } from '../../src/ai/placeholders.js';
import { buildExtractionPrompt } from '../../src/ai/model/prompt.js';
import { PseudonymScope, pseudonymise } from '../../src/ai/pseudonymise.js';
import { createAnalyzer } from '../../src/engine/analyze.js';

const EVAL = new URL('../../../shared/eval/', import.meta.url);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const FIELDS = [
  { name: 'company', type: 'string', hint: ['Company'] },
  { name: 'date', type: 'date', hint: ['Date'] },
  { name: 'address', type: 'address' },
  { name: 'total', type: 'money', hint: ['Total', 'Amount due'] },
];
type Key = 'company' | 'date' | 'address' | 'total';

interface Doc {
  readonly set: string;
  readonly text: string;
  readonly key?: Record<Key, string>;
}

function documents(): Doc[] {
  const docs: Doc[] = [];
  const presidio = new URL('presidio-research/generated_small.json', EVAL);
  const boxes = new URL('sroie/box/', EVAL);
  if (!existsSync(presidio) || !existsSync(boxes)) {
    console.log('../shared/eval is absent: measuring two built-in forms only');
    docs.push({
      set: 'forms',
      text: 'Patient name: Zebulon Quartermaine\nEmail address: canary.k7q5x@example.org\nSSN: 536-25-1005',
    });
    docs.push({
      set: 'forms',
      text: 'Bill to: Leopold Vandersloot, Keizersgracht 62, 1015 CS Amsterdam\nIBAN: NL91 ABNA 0417 1643 00',
    });
    return docs;
  }
  for (const s of JSON.parse(readFileSync(presidio, 'utf8')) as { full_text: string }[])
    docs.push({ set: 'presidio', text: s.full_text });
  for (const name of readdirSync(boxes)
    .filter((f) => f.endsWith('.csv'))
    .sort()) {
    const text = readFileSync(new URL(name, boxes), 'utf8')
      .split(/\r?\n/)
      .filter((l) => l.trim() !== '')
      .map((l) => l.split(',').slice(8).join(','))
      .join('\n');
    const keyFile = new URL(`sroie/key/${name.replace(/\.csv$/, '.json')}`, EVAL);
    docs.push({
      set: 'sroie',
      text,
      ...(existsSync(keyFile)
        ? { key: JSON.parse(readFileSync(keyFile, 'utf8')) as Record<Key, string> }
        : {}),
    });
  }
  return docs;
}

const alnum = (s: string): number => (s.match(/[\p{L}\p{N}]/gu) ?? []).length;

const analyze = createAnalyzer();
const guard = createEgressGuard({ analyze });
const docs = documents();
const bySet = new Map<string, { pseudo: number[]; guard: number[]; hidden: number; total: number }>();
const where: Record<Key, { visible: number; one: number; split: number }> = {
  company: { visible: 0, one: 0, split: 0 },
  date: { visible: 0, one: 0, split: 0 },
  address: { visible: 0, one: 0, split: 0 },
  total: { visible: 0, one: 0, split: 0 },
};

for (const doc of docs) {
  let bestPseudo = Infinity;
  let bestGuard = Infinity;
  let masked = '';
  let scope = new PseudonymScope();
  for (let round = 0; round < ROUNDS; round++) {
    scope = new PseudonymScope();
    const [system, user] = buildExtractionPrompt(FIELDS, doc.text);
    const t0 = performance.now();
    const at = user!.content.lastIndexOf(doc.text);
    masked = (
      await pseudonymise(user!.content, { analyze, scope, parts: [{ start: at, end: at + doc.text.length }] })
    ).text;
    const t1 = performance.now();
    const body = JSON.stringify({
      model: 'm',
      messages: [system, { role: 'user', content: masked }],
      temperature: 0,
      store: false,
    });
    const verdict = guard.inspect(body, scope.placeholders);
    const t2 = performance.now();
    if (!verdict.allowed) throw new Error('the guard blocked a pseudonymised request: a bug');
    bestPseudo = Math.min(bestPseudo, t1 - t0);
    bestGuard = Math.min(bestGuard, t2 - t1);
  }
  const documentPart = masked.slice(masked.indexOf('Document:'));
  const stats = bySet.get(doc.set) ?? { pseudo: [], guard: [], hidden: 0, total: 0 };
  stats.pseudo.push(bestPseudo);
  stats.guard.push(bestGuard);
  stats.total += alnum(doc.text);
  stats.hidden += alnum(doc.text) - alnum(documentPart.replace(PLACEHOLDER, '').replace(/^Document:/, ''));
  bySet.set(doc.set, stats);
  if (doc.key)
    for (const field of Object.keys(where) as Key[]) {
      const value = doc.key[field];
      const placeholders = [...new Set(documentPart.match(PLACEHOLDER) ?? [])];
      if (documentPart.includes(value)) where[field].visible++;
      else if (placeholders.some((p) => scope.valueOf(p)?.trim() === value.trim())) where[field].one++;
      else where[field].split++;
    }
}

const pct = (a: number, b: number): string => `${((100 * a) / Math.max(b, 1)).toFixed(1)}%`;
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
console.log(`AI boundary on ${docs.length} documents (best of ${ROUNDS} runs each)`);
console.log(
  'set        docs  pseudonymise ms (median / max)  guard ms (median / max)  letters+digits hidden',
);
for (const [set, s] of bySet)
  console.log(
    `${set.padEnd(10)} ${String(s.pseudo.length).padStart(4)}  ${median(s.pseudo).toFixed(1).padStart(8)} / ${Math.max(
      ...s.pseudo,
    )
      .toFixed(1)
      .padEnd(18)}  ${median(s.guard).toFixed(1).padStart(6)} / ${Math.max(...s.guard)
      .toFixed(1)
      .padEnd(13)}  ${pct(s.hidden, s.total)}`,
  );
const receipts = docs.filter((d) => d.key).length;
if (receipts > 0) {
  console.log(
    `\nSROIE key fields in the pseudonymised request (${receipts} receipts): visible as written / behind one placeholder / split`,
  );
  for (const [field, w] of Object.entries(where))
    console.log(
      `${field.padEnd(8)} ${pct(w.visible, receipts).padStart(6)} / ${pct(w.one, receipts).padStart(6)} / ${pct(w.split, receipts).padStart(6)}`,
    );
}
