// Field extraction on third-party receipts (SROIE, ../shared/eval/sroie): exact-match accuracy per
// field after normalisation, with the rule extractor only. Two inputs are scored side by side:
// Veil's own OCR of the receipt image (the product path) and the gold line transcripts with their
// boxes (what the extractor does when the text is right). The 40 receipts are split into a dev
// half (000-019, where rules were tuned) and a held-out half (020-039, never looked at while
// tuning). Beside exact match (the SROIE task-3 measure, the headline) a lenient share counts a value
// within a character error rate of 0.1. Reliability bins and ECE per half show whether confidence
// means what it says, calibrated and raw; routing columns show, per review threshold, the share of
// fields sent to review and the accuracy of those auto-accepted (issue 14).
// Usage: [VEIL_OCR_LANGS=eng+msa] npm run eval:fields [-- --misses] [-- --gold-only] [-- --fit] [-- --fit-types date,money] [-- --fit-engines native] [-- --second-reading [doubtful]] [-- --engine native|wasm|vote|paddle|paddle-checked]   (--misses lists the misses of both halves, for
// failure analysis; --gold-only skips OCR; --fit refits the confidence calibration on the dev half and writes it to
// src/ai/fields/rules/calibration.json; run again to score it)
// OCR'd documents are cached in the temp directory (see ocr-cache.ts): the first run OCRs 40
// receipts (about a minute and a half on two cores), later runs take seconds.
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { evalDataOrSkip } from '../eval-data.js';
import { fileURLToPath } from 'node:url';
import { extractFields } from '../../src/ai/fields/extract.js';
import { fitCalibration, SHIPPED_CALIBRATION } from '../../src/ai/fields/rules/calibration.js';
import { createRuleExtractor } from '../../src/ai/fields/rules/extract.js';
import { editDistance } from '../../src/ai/fields/rules/labels.js';
import {
  DEFAULT_REVIEW_BELOW,
  failedValueTest,
  type FieldSpec,
  type FieldsResult,
  type Money,
} from '../../src/ai/fields/spec.js';
import { loadTemplate } from '../../src/ai/fields/templates.js';
import { parseValue } from '../../src/ai/fields/types/index.js';
import type { Document, Line } from '../../src/documents/model.js';
import { autoOcrEngine, createOcr, useSharedOcr } from '../../src/documents/ocr/select.js';
import { closeDocumentResources } from '../../src/documents/resources.js';
import { documentText } from '../../src/documents/text.js';
import { cachedParse } from './ocr-cache.js';
import { createRegionReader, secondReadingOcr } from '../../src/documents/second-reading.js';
import type { FieldRegionReader, SecondReadingScope } from '../../src/ai/fields/second-reading.js';
import type { FieldAgreement } from '../../src/ai/fields/spec.js';
import { tesseractLanguages, type OcrEngineChoice } from '../../src/documents/ocr/engine.js';

const root = fileURLToPath(evalDataOrSkip('eval:fields', 'sroie/'));
const showMisses = process.argv.includes('--misses');
// `--gold-only` scores the gold line boxes alone (no OCR): the extractor's own ceiling, in seconds.
const goldOnly = process.argv.includes('--gold-only');
// `--engine native|wasm|vote|paddle|paddle-checked` reads with that OCR engine (cached apart); by default the shared engine
// (`auto`: PP-OCR when ONNX Runtime and its models load, else the native tesseract, as the product does).
const engineArg = process.argv.indexOf('--engine');
const engine = engineArg > 0 ? (process.argv[engineArg + 1] as Exclude<OcrEngineChoice, 'auto'>) : undefined;
// VEIL_OCR_LANGS sets the models the tesseract CLI reads with (`eng+msa`), as in the product.
const languages = process.env.VEIL_OCR_LANGS || undefined;
const ocr = engine ? createOcr(engine, languages ? { native: { languages } } : {}) : undefined;
if (!engine && languages) await useSharedOcr('auto', 'malaysia', undefined, languages);
/** The engines that read with the tesseract CLI, whose models the header names. */
const TESSERACT_ENGINES: ReadonlySet<string> = new Set(['native', 'vote', 'paddle-checked']);
// `--fit-types date,money` refits only those types' curves (the others stay as shipped).
const fitTypesArg = process.argv.indexOf('--fit-types');
const fitTypes: ReadonlySet<string> | null =
  fitTypesArg > 0 ? new Set(process.argv[fitTypesArg + 1]!.split(',')) : null;
// `--fit-engines native` pools those engines' dev readings with this run's when fitting.
const fitEnginesArg = process.argv.indexOf('--fit-engines');
const fitEngines: readonly Exclude<OcrEngineChoice, 'auto'>[] =
  fitEnginesArg > 0
    ? (process.argv[fitEnginesArg + 1]!.split(',') as Exclude<OcrEngineChoice, 'auto'>[])
    : [];
const fit = process.argv.includes('--fit') || fitTypes !== null || fitEngines.length > 0;
// `--second-reading` reads text fields again (the tesseract CLI over each field's box), as
// `veil fields --second-reading` does; off by default, as in `veil fields` and jobs.
const second = process.argv.includes('--second-reading') ? await secondReadingOcr() : null;
// `--second-reading doubtful` reads only the text fields OCR doubted (a failed `sure_letters`).
const secondReadingOf: SecondReadingScope =
  process.argv[process.argv.indexOf('--second-reading') + 1] === 'doubtful' ? 'doubtful' : 'all';
const CALIBRATION_FILE = fileURLToPath(
  new URL('../../src/ai/fields/rules/calibration.json', import.meta.url),
);
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
        return {
          text: w,
          box: { x: x0 + start * perChar, y: y0, width: w.length * perChar, height: y1 - y0 },
          spaceBefore: i > 0,
        };
      }),
    });
  }
  return {
    format: 'image',
    mediaType: 'image/jpeg',
    pages: [{ number: 1, width, height, unit: 'px', source: 'ocr', lines }],
    tables: [],
    records: [],
  };
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
  /** Right within a character error rate of LENIENT_CER (beside the exact figure, never instead of it). */
  readonly close: boolean;
  readonly confidence: number;
  /** The rule extractor's confidence before calibration (what `--fit` learns from). */
  readonly raw: number;
  readonly found: boolean;
  /** Whether the gold value is what the receipt prints: held word for word by the gold transcripts (text fields), or not empty. */
  readonly printed: boolean;
  /** What the second reading of the field's box said (text fields of the OCR input). */
  readonly agreement: FieldAgreement | undefined;
  /** Whether a test of the value failed (a format, a check digit): such a field goes to review whatever its confidence. */
  readonly failedTest: boolean;
}

/** The character error rate bound of the lenient figure: one misread character in ten. */
const LENIENT_CER = 0.1;

/** The value as the text compared for the lenient figure: squashed text, the ISO date, the amount with two decimals. */
function normalised(field: (typeof FIELDS)[number], value: unknown): string {
  if (value === null || value === undefined) return '';
  if (field === 'total') return Number((value as Money).amount).toFixed(2);
  return field === 'date' ? String(value) : squash(String(value));
}

function goldNormalised(field: (typeof FIELDS)[number], gold: string): string {
  if (field === 'date') return String(parseValue(DATE_SPEC, gold.replace(/\s+/g, ''))?.value ?? squash(gold));
  if (field === 'total') return Number(gold.replace(/[^\d.]/g, '')).toFixed(2);
  return squash(gold);
}

/** Character error rate of a reading against the gold text: edits over the gold length. */
function cer(got: string, want: string): number {
  return editDistance(got, want, Math.max(got.length, want.length)) / Math.max(1, want.length);
}

const template = await loadTemplate('receipt');
const rules = createRuleExtractor();
const uncalibrated = createRuleExtractor({ calibration: null });
const ids = readdirSync(`${root}img`)
  .filter((n) => n.endsWith('.jpg'))
  .map((n) => n.slice(0, -4))
  .sort();
const dev = new Set(ids.slice(0, Math.ceil(ids.length / 2)));
const INPUTS = ['ocr', 'gold'] as const;
type Input = (typeof INPUTS)[number];
const outcomes: Record<Input, Outcome[]> = { ocr: [], gold: [] };
const misses: string[] = [];
const started = Date.now();
let ocrRuns = 0;
/** Per half (dev, held-out): receipts whose OCR text holds the gold company or address verbatim (after normalisation). */
const verbatim = [
  { company: 0, address: 0 },
  { company: 0, address: 0 },
];
for (const id of ids) {
  const gold = JSON.parse(readFileSync(`${root}key/${id}.json`, 'utf8')) as Gold;
  const { doc, cached } = goldOnly
    ? { doc: goldDocument(''), cached: true }
    : await cachedParse(readFileSync(`${root}img/${id}.jpg`), ocr ? { ocr } : {}, engine, languages);
  if (!cached) ocrRuns++;
  const inputs: Record<Input, Document> = {
    ocr: doc,
    gold: goldDocument(readFileSync(`${root}box/${id}.csv`, 'utf8')),
  };
  // Annotation slips: a gold key field the gold transcripts do not hold word for word (`TED` keyed
  // for a printed `TEO`), or an empty one. No reading of the receipt can match it; the routing
  // table shows accuracy without them beside the strict figure.
  const transcript = squash(documentText(inputs.gold).text);
  const printed = (field: (typeof FIELDS)[number]): boolean =>
    gold[field].trim() !== '' &&
    (field === 'date' || field === 'total' || transcript.includes(squash(gold[field])));
  // The OCR ceiling of the text fields: the gold value is somewhere in the OCR text, word for word.
  const read = squash(documentText(doc).text);
  for (const field of ['company', 'address'] as const)
    if (read.includes(squash(gold[field]))) verbatim[dev.has(id) ? 0 : 1]![field]++;
  // One reading per region serves the calibrated and the raw run alike.
  const memo = new Map<string, Promise<readonly (string | null)[]>>();
  const reader = second
    ? createRegionReader({
        bytes: readFileSync(`${root}img/${id}.jpg`),
        mediaType: 'image/jpeg',
        document: doc,
        ocr: second,
      })
    : undefined;
  const secondReading: FieldRegionReader | undefined = reader
    ? (regions) => {
        const key = JSON.stringify(regions);
        if (!memo.has(key)) memo.set(key, reader(regions));
        return memo.get(key)!;
      }
    : undefined;
  for (const input of INPUTS) {
    const options = input === 'ocr' && secondReading ? { secondReading, secondReadingOf } : {};
    const result: FieldsResult = await extractFields(inputs[input], template, { rules, ...options });
    const raw: FieldsResult = await extractFields(inputs[input], template, {
      rules: uncalibrated,
      ...options,
    });
    for (const field of FIELDS) {
      const f = result.fields[field]!;
      const right = correct(field, f.value, gold[field]);
      const close =
        f.value !== null &&
        cer(normalised(field, f.value), goldNormalised(field, gold[field])) <= LENIENT_CER;
      outcomes[input].push({
        id,
        field,
        right,
        close,
        confidence: f.confidence,
        raw: raw.fields[field]!.confidence,
        found: f.value !== null,
        printed: printed(field),
        agreement: f.agreement,
        failedTest: failedValueTest(f.checks),
      });
      if (showMisses && !right && !(goldOnly && input === 'ocr'))
        misses.push(
          `${input} ${dev.has(id) ? 'dev' : 'held-out'} ${id} ${field}: got ${JSON.stringify(f.value)} (${f.confidence}${f.agreement ? ` ${f.agreement}` : ''}) want ${JSON.stringify(gold[field])}`,
        );
    }
  }
}

const pct = (n: number, d: number): string => (d === 0 ? '   -  ' : (n / d).toFixed(3).padStart(6));
const share = (list: readonly Outcome[], pick: (o: Outcome) => boolean): string =>
  pct(list.filter(pick).length, list.length);
const TARGETS: Record<string, number> = { date: 0.95, total: 0.9, company: 0.85, address: 0.75 };
const SPLITS = [
  ['dev', (o: Outcome) => dev.has(o.id)],
  ['held-out', (o: Outcome) => !dev.has(o.id)],
] as const;
const bySplit = (list: readonly Outcome[]): Outcome[][] => SPLITS.map(([, inSplit]) => list.filter(inSplit));

if (fit) {
  // Fitted on the dev half only, both inputs: the held-out half then says whether it holds.
  const typeOf = new Map(template.fields.map((f) => [f.name, f.type]));
  const samples = [...outcomes.ocr, ...outcomes.gold]
    .filter((o) => dev.has(o.id) && o.found)
    .map((o) => ({ type: typeOf.get(o.field)!, raw: o.raw, right: o.right }));
  // `--fit-engines native,...` adds those engines' readings of the dev half: one table serves
  // every engine, and an engine that misreads more (tesseract) must pull the curve down too.
  const engines = [engine ?? (await autoOcrEngine())];
  for (const other of fitEngines) {
    const reader = createOcr(other, languages ? { native: { languages } } : {});
    for (const id of [...dev]) {
      const gold = JSON.parse(readFileSync(`${root}key/${id}.json`, 'utf8')) as Gold;
      const { doc } = await cachedParse(
        readFileSync(`${root}img/${id}.jpg`),
        { ocr: reader },
        other,
        languages,
      );
      const raw = await extractFields(doc, template, { rules: uncalibrated });
      for (const field of FIELDS) {
        const f = raw.fields[field]!;
        if (f.value !== null)
          samples.push({
            type: typeOf.get(field)!,
            raw: f.confidence,
            right: correct(field, f.value, gold[field]),
          });
      }
    }
    await reader.close();
    engines.push(other);
  }
  const fitted = fitCalibration(
    samples.filter((s) => fitTypes === null || fitTypes.has(s.type)),
    `SROIE receipts ${[...dev][0]}-${[...dev].at(-1)} (dev half), Veil's OCR (${engines.join(', ')}) and gold line boxes, receipt template v${template.version}`,
  );
  // `--fit-types` refits the types it names and keeps the shipped curves of the others.
  const table =
    fitTypes === null
      ? fitted
      : {
          fitted: `${SHIPPED_CALIBRATION.fitted}; ${[...fitTypes].join(', ')} refitted on ${fitted.fitted}`,
          types: { ...SHIPPED_CALIBRATION.types, ...fitted.types },
        };
  writeFileSync(CALIBRATION_FILE, `${JSON.stringify(table, null, 2)}\n`);
  console.log(
    `calibration fitted on dev (${dev.size} receipts, OCR and gold boxes) written to ${CALIBRATION_FILE}; run again without --fit to score it\n`,
  );
}

console.log(
  `SROIE receipts: ${ids.length} (dev ${dev.size}: ${[...dev][0]}-${[...dev].at(-1)}, held-out ${ids.length - dev.size}); rules extractor, template receipt v${template.version} ${template.hash.slice(0, 12)}`,
);
console.log(
  `input: "ocr" = Veil's OCR of the JPEG (parseDocument, ${engine ?? `auto: ${await autoOcrEngine()}`}${engine && TESSERACT_ENGINES.has(engine) ? `, tesseract ${tesseractLanguages(engine, languages)}` : ''}), "gold" = the gold line transcripts and boxes (box/*.csv)\n`,
);
console.log(
  `exact-match accuracy after normalisation (text: case, spacing, punctuation; date and total: value; the SROIE task-3 measure)`,
);
console.log(
  `and, in brackets, the lenient share: character error rate <= ${LENIENT_CER} on the normalised value`,
);
console.log(
  `field     target |   ocr dev           held-out        all          |  gold dev          held-out        all`,
);
for (const field of [...FIELDS, 'all'] as const) {
  const row = (input: Input): string => {
    const list = outcomes[input].filter((o) => field === 'all' || o.field === field);
    return [...bySplit(list), list]
      .map((l) => `${share(l, (o) => o.right)} (${share(l, (o) => o.close)})`)
      .join('  ');
  };
  console.log(
    `${field.padEnd(9)} ${field === 'all' ? '     ' : TARGETS[field]!.toFixed(2).padStart(5)}  | ${row('ocr')} | ${row('gold')}`,
  );
}

console.log(
  `\nOCR ceiling: share of receipts whose OCR text holds the gold value word for word (normalised), dev / held-out`,
);
for (const field of ['company', 'address'] as const)
  console.log(
    `${field.padEnd(9)} ${pct(verbatim[0]![field], dev.size)} / ${pct(verbatim[1]![field], ids.length - dev.size)}`,
  );

if (second) {
  console.log(
    `\nsecond reading (tesseract CLI over the field's box) of the OCR input: right / count per agreement, dev | held-out`,
  );
  console.log(`field     |  agreed     disagreed  unchecked  |  agreed     disagreed  unchecked`);
  for (const field of FIELDS.filter((f) => outcomes.ocr.some((o) => o.field === f && o.agreement))) {
    const cells = bySplit(outcomes.ocr.filter((o) => o.field === field))
      .map((l) =>
        (['agreed', 'disagreed', 'unchecked'] as const)
          .map((a) => {
            const group = l.filter((o) => o.agreement === a);
            return `${group.filter((o) => o.right).length}/${group.length}`.padEnd(10);
          })
          .join(' '),
      )
      .join(' |  ');
    console.log(`${field.padEnd(9)} |  ${cells}`);
  }
}

const BANDS: [string, number, number][] = [
  ['0.9 - 1.0', 0.9, 1.01],
  ['0.7 - 0.9', 0.7, 0.9],
  ['below 0.7', -1, 0.7],
];
const BINS: [number, number][] = [
  [0.9, 1.01],
  [0.8, 0.9],
  [0.7, 0.8],
  [0.5, 0.7],
  [-1, 0.5],
];
const bandCell = (
  list: readonly Outcome[],
  lo: number,
  hi: number,
  score: (o: Outcome) => number,
): string => {
  const band = list.filter((o) => score(o) >= lo && score(o) < hi);
  const mean = band.reduce((s, o) => s + score(o), 0) / Math.max(1, band.length);
  return `${String(band.length).padStart(3)} ${band.length ? mean.toFixed(2) : '  - '} ${pct(band.filter((o) => o.right).length, band.length)}`;
};
/** Expected calibration error over BINS: the count-weighted gap between mean confidence and share right. */
const ece = (list: readonly Outcome[], score: (o: Outcome) => number): string => {
  let sum = 0;
  for (const [lo, hi] of BINS) {
    const bin = list.filter((o) => score(o) >= lo && score(o) < hi);
    if (bin.length === 0) continue;
    const gap =
      bin.reduce((s, o) => s + score(o), 0) / bin.length - bin.filter((o) => o.right).length / bin.length;
    sum += (bin.length / Math.max(1, list.length)) * Math.abs(gap);
  }
  return sum.toFixed(3).padStart(15);
};
const reliability = (title: string, score: (o: Outcome) => number): void => {
  console.log(`\n${title}`);
  console.log(
    `(a missing field counts in its band as wrong; each cell: count, mean confidence, share correct)`,
  );
  console.log(`band        |  ocr dev          held-out        |  gold dev         held-out`);
  for (const [name, lo, hi] of [
    ...BANDS,
    ['----', 0, 0] as const,
    ...BINS.map(([lo, hi]): [string, number, number] => [
      `${Math.max(0, lo).toFixed(1)} - ${Math.min(1, hi).toFixed(1)}`,
      lo,
      hi,
    ]),
  ]) {
    if (name === '----') {
      console.log(`reliability bins:`);
      continue;
    }
    const cells = (input: Input): string =>
      bySplit(outcomes[input])
        .map((l) => bandCell(l, lo, hi, score))
        .join('  ');
    console.log(`${name.padEnd(11)} | ${cells('ocr')} | ${cells('gold')}`);
  }
  const eces = (input: Input): string =>
    bySplit(outcomes[input])
      .map((l) => ece(l, score))
      .join('  ');
  console.log(`${'ECE'.padEnd(11)} | ${eces('ocr')} | ${eces('gold')}`);
};
reliability('confidence calibration, as returned (calibrated)', (o) => o.confidence);
// Per field: a pooled ECE can hide one type's gap behind another's (right dates at 0.76 beside
// addresses right half the time at 0.74 make one well-calibrated bin).
console.log(`ECE per field (calibrated) |  ocr dev          held-out        |  gold dev         held-out`);
for (const field of FIELDS) {
  const cells = (input: Input): string =>
    bySplit(outcomes[input].filter((o) => o.field === field))
      .map((l) => ece(l, (o) => o.confidence))
      .join('  ');
  console.log(`${field.padEnd(26)} | ${cells('ocr')} | ${cells('gold')}`);
}
reliability("the rule extractor's raw score, before calibration", (o) => o.raw);

// Routing (issue 14), as jobs route (`reviewReasonOf`): a field below its threshold, missing, or
// failing a test of its value goes to a person; what is left is auto-accepted.
const autoAccepted = (o: Outcome, threshold: number): boolean =>
  o.found && !o.failedTest && o.confidence >= threshold;
console.log(
  `\nreview routing at a threshold: share of fields sent to review (below it, missing or failing a test of its value) | accuracy of the auto-accepted`,
);
console.log(
  `(targets: <= 0.25 sent to review, >= 0.98 accuracy of the auto-accepted; ${DEFAULT_REVIEW_BELOW} = DEFAULT_REVIEW_BELOW, 0.80 = the receipt template)`,
);
console.log(
  `(the receipt template's review_below is 0.80; the curve below it shows the trade-off between the two)`,
);
console.log(`threshold   |  ocr dev        held-out      |  gold dev       held-out`);
for (const threshold of [
  ...new Set([0.5, 0.6, 0.7, 0.75, 0.8, DEFAULT_REVIEW_BELOW, 0.85, 0.9, 0.95]),
].sort()) {
  const cells = (input: Input): string =>
    bySplit(outcomes[input])
      .map((l) => {
        const accepted = l.filter((o) => autoAccepted(o, threshold));
        return `${pct(l.length - accepted.length, l.length)} | ${pct(accepted.filter((o) => o.right).length, accepted.length)}`;
      })
      .join('  ');
  console.log(`${threshold.toFixed(2).padEnd(11)} | ${cells('ocr')} | ${cells('gold')}`);
}
// Per field at the template's own threshold: where the review load and the auto-accepted misses come from.
const belowOf = new Map(template.fields.map((f) => [f.name, f.review_below ?? DEFAULT_REVIEW_BELOW]));
console.log(`\nper field at the template's review_below: sent | right of the auto-accepted`);
console.log(`field     |  ocr dev        held-out      |  gold dev       held-out`);
for (const field of FIELDS) {
  const cells = (input: Input): string =>
    bySplit(outcomes[input].filter((o) => o.field === field))
      .map((l) => {
        const accepted = l.filter((o) => autoAccepted(o, belowOf.get(field)!));
        return `${pct(l.length - accepted.length, l.length)} | ${pct(accepted.filter((o) => o.right).length, accepted.length)}`;
      })
      .join('  ');
  console.log(`${field.padEnd(9)} | ${cells('ocr')} | ${cells('gold')}`);
}
const slips = bySplit(outcomes.gold).map((l) => l.filter((o) => !o.printed).length);
console.log(
  `\nthe same on the fields whose gold value the receipt prints (annotation slips left out: ${slips.join(' dev, ')} held-out of 80)`,
);
for (const threshold of [0.8, 0.85]) {
  const cells = (input: Input): string =>
    bySplit(outcomes[input].filter((o) => o.printed))
      .map((l) => {
        const accepted = l.filter((o) => autoAccepted(o, threshold));
        return `${pct(l.length - accepted.length, l.length)} | ${pct(accepted.filter((o) => o.right).length, accepted.length)}`;
      })
      .join('  ');
  console.log(`${threshold.toFixed(2).padEnd(11)} | ${cells('ocr')} | ${cells('gold')}`);
}
console.log(
  `\n${((Date.now() - started) / 1000).toFixed(1)} s (${ocrRuns} receipts OCR'd, ${ids.length - ocrRuns} from the cache)`,
);
if (showMisses) console.log(`\nmisses (dev and held-out):\n${misses.join('\n')}`);
await closeDocumentResources();
await ocr?.close();
await second?.close();
