// Review crop area on third-party receipts (SROIE, ../shared/eval/sroie): issue 14's target "mean crop
// area per task as a share of the page (aim ≤ 3%)". For each held-out receipt (020-039, the half the
// extraction rules were never tuned on), Veil's OCR of the JPEG is run through the rules extractor
// with the receipt template; every field the router would send to review (status `needs_review`,
// from statusOf) gets its crop rendered by renderFieldCrop, with every other finding of the default
// analyzer masked, and the crop's share of the page and its pixels are reported.
// Usage: npm run eval:crops [-- --cap 0.05] [-- --margin 0.01] [-- --engine native|wasm|vote|paddle|paddle-checked]
// OCR'd documents come from the cache the fields evaluation fills (see ocr-cache.ts).
import { readFileSync, readdirSync } from 'node:fs';
import { evalDataOrSkip } from '../eval-data.js';
import { fileURLToPath } from 'node:url';
import { extractFields } from '../../src/ai/fields/extract.js';
import { createRuleExtractor } from '../../src/ai/fields/rules/extract.js';
import { loadTemplate } from '../../src/ai/fields/templates.js';
import { renderFieldCrop } from '../../src/documents/crop.js';
import { createOcr } from '../../src/documents/ocr/select.js';
import { closeDocumentResources } from '../../src/documents/resources.js';
import { documentText } from '../../src/documents/text.js';
import { createAnalyzer } from '../../src/engine/analyze.js';
import { isVeilError } from '../../src/errors/veil-error.js';
import { cachedParse } from './ocr-cache.js';
import type { OcrEngineChoice } from '../../src/documents/ocr/engine.js';

const root = fileURLToPath(evalDataOrSkip('eval:crops', 'sroie/'));
const option = (name: string, fallback: number): number => {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? Number(process.argv[at + 1]) : fallback;
};
const CAP = option('cap', 0.05);
const MARGIN = option('margin', 0.01);
const HELD_OUT = Array.from({ length: 20 }, (_, i) => String(20 + i).padStart(3, '0'));

interface Task {
  readonly id: string;
  readonly field: string;
  readonly share: number;
  readonly pixels: number;
}

const template = await loadTemplate('receipt');
const rules = createRuleExtractor();
const detect = createAnalyzer();
const ids = readdirSync(`${root}img`)
  .filter((n) => n.endsWith('.jpg'))
  .map((n) => n.slice(0, -4))
  .filter((id) => HELD_OUT.includes(id))
  .sort();
// `--engine` reads with that OCR engine (cached apart, as eval:fields does); by default the shared one.
const engineArg = process.argv.indexOf('--engine');
const engine = engineArg > 0 ? (process.argv[engineArg + 1] as Exclude<OcrEngineChoice, 'auto'>) : undefined;
const ocr = engine ? createOcr(engine) : undefined;
const tasks: Task[] = [];
const refused: string[] = [];
const noBox: string[] = [];
let fieldCount = 0;
const started = Date.now();
for (const id of ids) {
  const bytes = readFileSync(`${root}img/${id}.jpg`);
  const { doc } = await cachedParse(bytes, ocr ? { ocr } : {}, engine);
  const { fields } = await extractFields(doc, template, { rules });
  const findings = detect(documentText(doc).text);
  for (const [field, result] of Object.entries(fields)) {
    fieldCount++;
    if (result.status !== 'needs_review') continue;
    if (!result.box || result.page === null) {
      noBox.push(`${id} ${field}`);
      continue;
    }
    try {
      const crop = await renderFieldCrop({
        bytes,
        mediaType: doc.mediaType,
        document: doc,
        findings,
        page: result.page,
        box: result.box,
        margin: MARGIN,
        maxPageShare: CAP,
      });
      tasks.push({ id, field, share: crop.pageShare, pixels: crop.width * crop.height });
    } catch (error) {
      if (!isVeilError(error) || error.code !== 'VEIL_REVIEW_CROP_TOO_LARGE') throw error;
      refused.push(`${id} ${field}`);
    }
  }
}

const mean = (xs: readonly number[]): number => xs.reduce((s, x) => s + x, 0) / Math.max(1, xs.length);
/** Nearest-rank 95th percentile. */
const p95 = (xs: readonly number[]): number =>
  [...xs].sort((a, b) => a - b)[Math.max(0, Math.ceil(0.95 * xs.length) - 1)] ?? 0;
const pct = (x: number): string => `${(100 * x).toFixed(2)}%`.padStart(7);
const px = (x: number): string => Math.round(x).toLocaleString('en').padStart(8);

const reviewCount = tasks.length + refused.length + noBox.length;
console.log(
  `SROIE held-out receipts ${ids[0]}-${ids.at(-1)} (${ids.length}); rules extractor, template receipt v${template.version} ${template.hash.slice(0, 12)}`,
);
console.log(
  `crop: margin ${MARGIN} of the page's shorter side, cap (maxPageShare) ${CAP}; every finding of the default analyzer outside the field's box masked\n`,
);
console.log(
  `fields ${fieldCount}, sent to review ${reviewCount} (${pct(reviewCount / Math.max(1, fieldCount)).trim()}): cropped ${tasks.length}, refused as larger than the cap ${refused.length}, without a box ${noBox.length}\n`,
);
console.log(`field     tasks |  mean share   p95 share |  mean pixels  p95 pixels`);
for (const field of [...template.fields.map((f) => f.name), 'all']) {
  const list = tasks.filter((t) => field === 'all' || t.field === field);
  const shares = list.map((t) => t.share);
  const pixels = list.map((t) => t.pixels);
  console.log(
    `${field.padEnd(9)} ${String(list.length).padStart(5)} |    ${pct(mean(shares))}     ${pct(p95(shares))} |     ${px(mean(pixels))}    ${px(p95(pixels))}`,
  );
}
console.log(
  `\ntarget: mean crop area per task ≤ 3.00% of the page; measured ${pct(mean(tasks.map((t) => t.share))).trim()}`,
);
if (refused.length > 0) console.log(`refused (box alone over the cap): ${refused.join(', ')}`);
if (noBox.length > 0) console.log(`no box: ${noBox.join(', ')}`);
console.log(`\n${((Date.now() - started) / 1000).toFixed(1)} s`);
await ocr?.close();
await closeDocumentResources();
