// Field extraction on third-party receipts (SROIE, ../shared/eval/sroie): exact-match accuracy per
// field after normalisation, with the rule extractor only. Two inputs are scored side by side:
// Veil's own OCR of the receipt image (the product path) and the gold line transcripts with their
// boxes (what the extractor does when the text is right). The 40 receipts are split into a dev
// half (000-019, where rules were tuned) and a held-out half (020-039, never looked at while
// tuning). A calibration table shows, per confidence band, how many fields were right.
// Usage: npm run eval:fields [-- --misses]   (--misses lists the dev half's misses, for tuning)
// OCR'd documents are cached in the temp directory (see ocr-cache.ts): the first run OCRs 40
// receipts (about a minute and a half on two cores), later runs take seconds.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { extractFields } from '../../src/ai/fields/extract.js';
import { createRuleExtractor } from '../../src/ai/fields/rules/extract.js';
import type { FieldSpec, FieldsResult, Money } from '../../src/ai/fields/spec.js';
import { loadTemplate } from '../../src/ai/fields/templates.js';
import { parseValue } from '../../src/ai/fields/types/index.js';
import type { Document, Line } from '../../src/documents/model.js';
import { closeDocumentResources } from '../../src/documents/resources.js';
import { cachedParse } from './ocr-cache.js';

const root = fileURLToPath(new URL('../../../shared/eval/sroie/', import.meta.url));
if (!existsSync(root)) {
  console.log(`eval:fields skipped: ${root} not found`);
  process.exit(0);
}
const showMisses = process.argv.includes('--misses');
const FIELDS = ['company', 'date', 'address', 'total'] as const;
type Gold = Record<(typeof FIELDS)[number], string>;

/** The gold line boxes as a document: one line per transcript line, words spread over its box by length. */
function goldDocument(csv: string): Document {
  const lines: Line[] = [];
  let width = 0;
  let height = 0;
  for (const row of csv.split('\n').filter((l) => l.trim())) {
    const parts = row.split(',');
    const xs = [0, 2, 4, 6].map((i) => Number(parts[i]));
    const ys = [1, 3, 5, 7].map((i) => Number(parts[i]));
    const text = parts.slice(8).join(',').trim();
    if (!text) continue;
    const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
    [width, height] = [Math.max(width, x1), Math.max(height, y1)];
    const words = text.split(/\s+/);
    const perChar = (x1 - x0) / Math.max(1, text.length);
    let at = 0;
    lines.push({
      words: words.map((w, i) => {
        const start = text.indexOf(w, at);
        at = start + w.length;
        return { text: w, box: { x: x0 + start * perChar, y: y0, width: w.length * perChar, height: y1 - y0 }, spaceBefore: i > 0 };
      }),
    });
  }
  return { format: 'image', mediaType: 'image/jpeg', pages: [{ number: 1, width, height, unit: 'px', source: 'ocr', lines }], tables: [], records: [] };
}

const squash = (s: string): string => s.toUpperCase().replace(/[^\p{L}\p{N}]/gu, '');
const DATE_SPEC: FieldSpec = { name: 'date', type: 'date', order: 'dmy' };

/** Whether an extracted value equals the gold one after normalisation (text: case, spacing, punctuation; dates and money: value). */
function correct(field: (typeof FIELDS)[number], value: unknown, gold: string): boolean {
  if (value === null || value === undefined) return false;
  if (field === 'date') return parseValue(DATE_SPEC, gold.replace(/\s+/g, ''))?.value === value;
  if (field === 'total') return Number((value as Money).amount) === Number(gold.replace(/[^\d.]/g, ''));
  return squash(String(value)) === squash(gold);
}

interface Outcome {
  readonly id: string;
  readonly field: (typeof FIELDS)[number];
  readonly right: boolean;
  readonly confidence: number;
  readonly found: boolean;
}

const template = await loadTemplate('receipt');
const rules = createRuleExtractor();
const ids = readdirSync(`${root}img`).filter((n) => n.endsWith('.jpg')).map((n) => n.slice(0, -4)).sort();
const dev = new Set(ids.slice(0, Math.ceil(ids.length / 2)));
const outcomes: Record<'ocr' | 'gold', Outcome[]> = { ocr: [], gold: [] };
const misses: string[] = [];
const started = Date.now();
let ocrRuns = 0;
for (const id of ids) {
  const gold = JSON.parse(readFileSync(`${root}key/${id}.json`, 'utf8')) as Gold;
  const { doc, cached } = await cachedParse(readFileSync(`${root}img/${id}.jpg`));
  if (!cached) ocrRuns++;
  const inputs: Record<'ocr' | 'gold', Document> = { ocr: doc, gold: goldDocument(readFileSync(`${root}box/${id}.csv`, 'utf8')) };
  for (const input of ['ocr', 'gold'] as const) {
    const result: FieldsResult = await extractFields(inputs[input], template, { rules });
    for (const field of FIELDS) {
      const f = result.fields[field]!;
      const right = correct(field, f.value, gold[field]);
      outcomes[input].push({ id, field, right, confidence: f.confidence, found: f.value !== null });
      if (showMisses && !right && dev.has(id)) misses.push(`${input} ${id} ${field}: got ${JSON.stringify(f.value)} (${f.confidence}) want ${JSON.stringify(gold[field])}`);
    }
  }
}

const pct = (n: number, d: number): string => (d === 0 ? '   -  ' : (n / d).toFixed(3).padStart(6));
const accuracy = (list: readonly Outcome[]): string => pct(list.filter((o) => o.right).length, list.length);
const TARGETS: Record<string, number> = { date: 0.95, total: 0.9, company: 0.85, address: 0.75 };

console.log(`SROIE receipts: ${ids.length} (dev ${dev.size}: ${[...dev][0]}-${[...dev].at(-1)}, held-out ${ids.length - dev.size}); rules extractor, template receipt v${template.version} ${template.hash.slice(0, 12)}`);
console.log(`input: "ocr" = Veil's OCR of the JPEG (parseDocument), "gold" = the gold line transcripts and boxes (box/*.csv)\n`);
console.log(`exact-match accuracy after normalisation (text: case, spacing, punctuation; date and total: value)`);
console.log(`field     target |   ocr dev  held-out   all |  gold dev  held-out   all`);
for (const field of [...FIELDS, 'all'] as const) {
  const row = (input: 'ocr' | 'gold'): string => {
    const list = outcomes[input].filter((o) => field === 'all' || o.field === field);
    return `${accuracy(list.filter((o) => dev.has(o.id)))}  ${accuracy(list.filter((o) => !dev.has(o.id)))}  ${accuracy(list)}`;
  };
  console.log(`${field.padEnd(9)} ${field === 'all' ? '     ' : TARGETS[field]!.toFixed(2).padStart(5)}  | ${row('ocr')} | ${row('gold')}`);
}

console.log(`\nconfidence calibration (every field of every receipt; a missing field counts in its band as wrong)`);
console.log(`band        |  ocr: count  share correct |  gold: count  share correct`);
const BANDS: [string, number, number][] = [['0.9 - 1.0', 0.9, 1.01], ['0.7 - 0.9', 0.7, 0.9], ['below 0.7', -1, 0.7]];
for (const [name, lo, hi] of BANDS) {
  const cell = (input: 'ocr' | 'gold'): string => {
    const band = outcomes[input].filter((o) => o.confidence >= lo && o.confidence < hi);
    return `${String(band.length).padStart(11)}  ${pct(band.filter((o) => o.right).length, band.length).padStart(13)}`;
  };
  console.log(`${name.padEnd(11)} | ${cell('ocr')} | ${cell('gold')}`);
}
for (const input of ['ocr', 'gold'] as const) {
  const list = outcomes[input].filter((o) => o.found);
  const mean = list.reduce((s, o) => s + o.confidence, 0) / Math.max(1, list.length);
  console.log(`${input}: mean confidence of fields found ${mean.toFixed(3)}, share correct ${accuracy(list).trim()}`);
}
console.log(`\n${((Date.now() - started) / 1000).toFixed(1)} s (${ocrRuns} receipts OCR'd, ${ids.length - ocrRuns} from the cache)`);
if (showMisses) console.log(`\ndev misses:\n${misses.join('\n')}`);
await closeDocumentResources();
