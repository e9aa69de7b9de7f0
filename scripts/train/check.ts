/**
 * A quick check of the tagger alone while iterating (the full evaluation is `npm run eval`):
 * type-agnostic span P/R/F1/F2 at IoU 0.9 on presidio-research (templates trained on, held-out
 * templates, generated_small), and TAB dev ER_di / ER_qi over PERSON, LOC, ORG and DEM mentions.
 * Adjacent spans separated only by whitespace or punctuation are merged on both sides.
 *
 * Run: `npx tsx scripts/train/check.ts [--errors]`.
 */
import { tagEntities } from '../../src/engine/ner/recognizer.js';
import { haveEvalData, presidio, tab, type GoldDoc } from './corpus.js';

interface Span {
  start: number;
  end: number;
}

function merge(text: string, spans: readonly Span[]): Span[] {
  const sorted = [...spans].sort((a, b) => a.start - b.start);
  const out: Span[] = [];
  for (const s of sorted) {
    const last = out[out.length - 1];
    if (last && (s.start <= last.end || /^[\s\p{P}]*$/u.test(text.slice(last.end, s.start))))
      last.end = Math.max(last.end, s.end);
    else out.push({ start: s.start, end: s.end });
  }
  return out;
}

function iou(a: Span, b: Span): number {
  const inter = Math.max(0, Math.min(a.end, b.end) - Math.max(a.start, b.start));
  return inter / (Math.max(a.end, b.end) - Math.min(a.start, b.start));
}

const showErrors = process.argv.includes('--errors');

function spanScores(name: string, docs: readonly GoldDoc[]): void {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  const errors: string[] = [];
  for (const doc of docs) {
    const gold = merge(doc.text, doc.spans);
    const pred = merge(doc.text, tagEntities(doc.text, 0, doc.text.length));
    const used = new Set<number>();
    for (const g of gold) {
      const k = pred.findIndex((p, i) => !used.has(i) && iou(p, g) >= 0.9);
      if (k >= 0) {
        used.add(k);
        tp++;
      } else {
        fn++;
        errors.push(
          `MISS ${JSON.stringify(doc.text.slice(g.start, g.end))} in ${JSON.stringify(doc.text.slice(Math.max(0, g.start - 40), g.end + 40))} pred=${JSON.stringify(pred.map((p) => doc.text.slice(p.start, p.end)))}`,
        );
      }
    }
    pred.forEach((p, i) => {
      if (!used.has(i)) {
        fp++;
        errors.push(
          `FP   ${JSON.stringify(doc.text.slice(p.start, p.end))} in ${JSON.stringify(doc.text.slice(Math.max(0, p.start - 40), p.end + 40))}`,
        );
      }
    });
  }
  const p = tp / (tp + fp || 1);
  const r = tp / (tp + fn || 1);
  const f = (beta: number): number => ((1 + beta * beta) * p * r) / (beta * beta * p + r || 1);
  console.log(
    `${name.padEnd(28)} n=${String(tp + fn).padStart(5)}  P ${p.toFixed(3)}  R ${r.toFixed(3)}  F1 ${f(1).toFixed(3)}  F2 ${f(2).toFixed(3)}`,
  );
  if (showErrors) for (const e of errors.slice(0, 80)) console.log('   ', e);
}

function tabScores(docs: readonly GoldDoc[]): void {
  const covered = { DIRECT: [0, 0], QUASI: [0, 0] } as Record<string, [number, number]>;
  let predChars = 0;
  let predInGold = 0;
  const misses: string[] = [];
  for (const doc of docs) {
    const mask = new Uint8Array(doc.text.length);
    for (const f of tagEntities(doc.text, 0, doc.text.length)) mask.fill(1, f.start, f.end);
    const goldMask = new Uint8Array(doc.text.length);
    doc.spans.forEach((s, i) => {
      goldMask.fill(1, s.start, s.end);
      const kind = doc.identifier?.[i] ?? '';
      const bucket = covered[kind];
      if (!bucket) return;
      bucket[1]++;
      let all = true;
      for (let c = s.start; c < s.end; c++) if (!mask[c] && /\S/.test(doc.text[c]!)) all = false;
      if (all) bucket[0]++;
      else misses.push(`${kind} ${s.type} ${JSON.stringify(doc.text.slice(s.start, s.end))}`);
    });
    for (let c = 0; c < mask.length; c++)
      if (mask[c]) {
        predChars++;
        if (goldMask[c]) predInGold++;
      }
  }
  const [di, dn] = covered.DIRECT!;
  const [qi, qn] = covered.QUASI!;
  console.log(
    `TAB dev (PER/LOC/ORG/DEM)    ER_di ${(di / dn).toFixed(3)} (${dn})  ER_qi ${(qi / qn).toFixed(3)} (${qn})  char precision vs these types ${(predInGold / predChars).toFixed(3)}`,
  );
  if (showErrors) for (const m of misses.slice(0, 80)) console.log('    MISS', m);
}

if (!haveEvalData()) {
  console.log('../shared/eval is absent: nothing to check');
} else {
  if (!process.argv.includes('--heldout'))
    spanScores('presidio large, trained', presidio('generated_large.json', 'train'));
  spanScores('presidio large, held-out', presidio('generated_large.json', 'heldout'));
  spanScores('presidio small (never)', presidio('generated_small.json', 'all'));
  tabScores(tab('dev'));
}
