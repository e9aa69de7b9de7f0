import { createAnalyzer, type Analyzer } from '../../../engine/analyze.js';
import type { Finding } from '../../../engine/types.js';
import type { ExtractionRequest, Extractor, FieldCandidate } from '../extractor.js';
import { labelList, type FieldCheck, type FieldSpec, type FieldValue } from '../spec.js';
import { FREE_TEXT_TYPES, VALUE_FINDERS, type ValueMatch } from '../types/index.js';
import { cleanText } from '../types/text.js';
import { billAmounts, isBillTotal, weighByArithmetic, withRounding } from './bill-arithmetic.js';
import {
  expectScore,
  findAddressBlock,
  endAddressAtPrint,
  endAtLegalForm,
  findTopLine,
  repairAddressTokens,
  restoreExpectedWords,
} from './blocks.js';
import { calibrate, SHIPPED_CALIBRATION, type CalibrationTable } from './calibration.js';
import { findLabels, spoilt, tokens, type LabelHit } from './labels.js';
import {
  layoutLines,
  readingSureness,
  sameRow,
  trustedText,
  unionBox,
  wordsIn,
  type LayoutLine,
} from './layout.js';
import { hasBrokenWord, hasStrayMarks } from './print-doubt.js';

/**
 * Below this OCR confidence, a short word at the open end of a letterhead block is taken for a
 * speck: opening a name's line (`on . ACME SDN BHD`) or closing an address (`... DARUL EHSAN U`).
 */
const BLOCK_SPECK_CONFIDENCE = 0.5;

/**
 * OCR confidence from which a word is taken as read surely, its letters the print's and not a
 * misreading for the rules to restore: nearly certain, above the 0.95 under which PP-OCR already
 * checks a word against its lexicon by the model's own probabilities (`ctc-lexicon.ts`).
 */
const SURE_CONFIDENCE = 0.98;

/**
 * The tokens (upper case) of the words of `lines` OCR read with at least SURE_CONFIDENCE. A
 * confidence of exactly 1 is a text layer's or a document's without OCR confidences (the gold
 * line transcripts of the evaluation): no measure of doubt, so the rules may still restore them.
 */
function sureTokens(lines: readonly LayoutLine[]): Set<string> {
  return new Set(
    lines.flatMap((line) =>
      line.words
        .filter((w) => w.confidence >= SURE_CONFIDENCE && w.confidence < 1)
        .flatMap((w) => tokens(line.text.slice(w.start, w.end)).map((t) => t.text.toUpperCase())),
    ),
  );
}

/** A value read from one place of the document, scored. */
interface Candidate {
  readonly value: FieldValue;
  readonly line: number;
  readonly start: number;
  readonly end: number;
  /** The reading's strength before agreement: format quality, label proximity, position, OCR confidence. */
  readonly score: number;
  /** How closely a label names it, in [0, 1] (0: no label). */
  readonly label: number;
  readonly checks: readonly FieldCheck[];
  /** The last line a value printed over several lines takes (a name on two or three lines). */
  readonly last?: number;
  /** How surely OCR read each letter and digit of the free text the value comes from (`readingSureness`). */
  readonly sureness?: number;
}

/** A letterhead value's score is multiplied by this for each sign that OCR made it (`print-doubt.ts`). */
const PRINT_DOUBT_FACTOR = 0.85;

/**
 * A free-text value whose letters and digits OCR read with a lower sureness than this
 * (`readingSureness`: the chance, by the recognition model's own probabilities, that none is
 * another letter or digit) fails the `sure_letters` check, and its score is lowered as for a sign
 * of misprint.
 */
const SURE_LETTERS = 0.7;

/** Detected entities of one line (offsets into the line's text). */
type LineFindings = readonly Finding[][];

/** How much OCR word confidence weighs on a typed value's score (free text: 0.5). */
const TYPED_OCR_WEIGHT = 0.2;

const round = (n: number): number => Math.round(n * 1000) / 1000;
const clamp = (n: number): number => Math.min(1, Math.max(0, n));

/**
 * Mean OCR confidence of the words a range covers, squeezed into [1 - weight, 1]: text layers (no
 * confidence) count as 1. A typed value that parsed and validated has already shown it was read
 * right, so OCR doubt weighs less on it than on free text.
 */
function ocrFactor(line: LayoutLine, start: number, end: number, weight = 0.5): number {
  const words = wordsIn(line, start, end);
  if (words.length === 0) return 1;
  const mean = words.reduce((sum, w) => sum + w.confidence, 0) / words.length;
  return 1 - weight + weight * mean;
}

function positionFactor(spec: FieldSpec, line: LayoutLine): number {
  if (spec.position === 'top') return 0.9 + 0.1 * (1 - line.depth);
  if (spec.position === 'bottom') return 0.9 + 0.1 * line.depth;
  return 1;
}

/** The next lines below `index` on its page (at most `count`), nearest first. */
function linesBelow(lines: readonly LayoutLine[], index: number, count: number): number[] {
  const line = lines[index]!;
  const below: number[] = [];
  for (let j = index + 1; j < lines.length && below.length < count; j++) {
    const other = lines[j]!;
    if (other.page !== line.page) break;
    if (line.box && other.box && other.box.y + other.box.height / 2 <= line.box.y + line.box.height) continue;
    below.push(j);
  }
  return below;
}

/** Values of a typed field: right of each label, on the same row, just below, and anywhere (unlabelled). */
function typedCandidates(
  spec: FieldSpec,
  lines: readonly LayoutLine[],
  labels: readonly LabelHit[],
): Candidate[] {
  const find = VALUE_FINDERS[spec.type];
  const hinted = labelList(spec.hint).length > 0;
  const byPlace = new Map<string, Candidate>();
  const add = (index: number, offset: number, m: ValueMatch, label: number): void => {
    const line = lines[index]!;
    const [start, end] = [offset + m.start, offset + m.end];
    const score =
      m.quality *
      (hinted ? 0.45 + 0.55 * label : 0.85) *
      positionFactor(spec, line) *
      ocrFactor(line, start, end, TYPED_OCR_WEIGHT);
    const key = `${index}:${start}`;
    const previous = byPlace.get(key);
    if (previous && previous.score >= score) return;
    const checks = [...m.checks, ...(hinted ? [{ name: 'label', passed: label > 0 }] : [])];
    byPlace.set(key, { value: m.value, line: index, start, end, score, label, checks });
  };
  for (const found of labels) {
    // Earlier hints are the more specific labels ("Rounded Total" before "Total").
    const hit = { ...found, quality: found.quality * (1 - 0.015 * found.rank) };
    const line = lines[hit.line]!;
    // Right of the label on its line: the nearest value is the likeliest; farther ones decay.
    find(line.text.slice(hit.end), spec).forEach((m, k) =>
      add(hit.line, hit.end, m, hit.quality * (k === 0 ? 1 : 0.6)),
    );
    const right = line.box ? (wordsIn(line, hit.start, hit.end).at(-1)?.box ?? line.box) : null;
    if (right)
      for (const j of sameRow(lines, hit.line, right.x + right.width))
        find(lines[j]!.text, spec)
          .slice(0, 1)
          .forEach((m) => add(j, 0, m, hit.quality * 0.95));
    linesBelow(lines, hit.line, 2).forEach((j, k) =>
      find(lines[j]!.text, spec)
        .slice(0, 1)
        .forEach((m) => add(j, 0, m, hit.quality * (k === 0 ? 0.7 : 0.5))),
    );
  }
  lines.forEach((line, index) => find(line.text, spec).forEach((m) => add(index, 0, m, 0)));
  return [...byPlace.values()];
}

/** Free text after a label on its line, else on the same row, else on the line below. */
function labelledText(
  spec: FieldSpec,
  lines: readonly LayoutLine[],
  labels: readonly LabelHit[],
): Candidate[] {
  const find = VALUE_FINDERS[spec.type];
  const out: Candidate[] = [];
  for (const hit of labels) {
    const line = lines[hit.line]!;
    const places: [number, number, number][] = [];
    if (cleanText(line.text.slice(hit.end)).length > 0) places.push([hit.line, hit.end, 1]);
    const right = line.box ? (wordsIn(line, hit.start, hit.end).at(-1)?.box ?? line.box) : null;
    if (right) for (const j of sameRow(lines, hit.line, right.x + right.width)) places.push([j, 0, 0.95]);
    const [below] = linesBelow(lines, hit.line, 1);
    if (below !== undefined && places.length === 0) places.push([below, 0, 0.7]);
    for (const [index, offset, proximity] of places) {
      const target = lines[index]!;
      const m = find(target.text.slice(offset), spec)[0];
      if (!m) continue;
      const [start, end] = [offset + m.start, offset + m.end];
      const label = hit.quality * proximity;
      const score = m.quality * (0.45 + 0.55 * label) * ocrFactor(target, start, end);
      out.push({
        value: m.value,
        line: index,
        start,
        end,
        score,
        label,
        checks: [...m.checks, { name: 'label', passed: true }],
        sureness: readingSureness(target, start, end),
      });
    }
  }
  return out;
}

/** Free text without a label: a line placed and worded like the field (a seller's name on top), or a detected entity. */
function unlabelledText(
  spec: FieldSpec,
  lines: readonly LayoutLine[],
  findings: LineFindings,
  anchor: number | undefined,
): Candidate[] {
  const expected = labelList(spec.expect);
  if (spec.type === 'address') {
    const block = findAddressBlock(lines, expected, findings, anchor);
    if (!block) return [];
    const { first, last, cues } = block;
    const text = endAddressAtPrint(
      repairAddressTokens(
        restoreExpectedWords(
          lines
            .slice(first, last + 1)
            .map((l, k) =>
              cleanText(trustedText(l, undefined, first + k === last ? BLOCK_SPECK_CONFIDENCE : undefined)),
            )
            .filter((l) => l.length > 0)
            .join(', '),
          expected,
          sureTokens(lines.slice(first, last + 1)),
        ),
      ),
    );
    const m = VALUE_FINDERS.address(text, spec)[0];
    if (!m) return [];
    const ocr =
      lines.slice(first, last + 1).reduce((s, l) => s + ocrFactor(l, 0, l.text.length), 0) /
      (last - first + 1);
    const score = m.quality * (0.55 + 0.4 * cues) * ocr;
    return [
      {
        value: m.value,
        line: first,
        start: 0,
        end: lines[last]!.text.length,
        score,
        label: 0,
        checks: [...m.checks, { name: 'layout:block', passed: true }],
        sureness: lines
          .slice(first, last + 1)
          .reduce((sure, l) => sure * readingSureness(l, 0, l.text.length), 1),
      },
    ];
  }
  if (spec.position === 'top' || expected.length > 0) {
    const top = findTopLine(lines, expected, findings);
    if (!top) return [];
    const line = lines[top.line]!;
    const text = endAtLegalForm(
      restoreExpectedWords(
        top.parts.map((i) => trustedText(lines[i]!, BLOCK_SPECK_CONFIDENCE).trim()).join(' '),
        expected,
        sureTokens(top.parts.map((i) => lines[i]!)),
      ),
    );
    const m = VALUE_FINDERS[spec.type](text, spec)[0];
    if (!m) return [];
    const organisation = findings[top.line]?.some((f) => f.type === 'ORGANIZATION') ?? false;
    const score =
      m.quality *
      (top.expected ? 0.8 : 0.45) *
      (organisation ? 1.05 : 1) *
      ocrFactor(line, 0, line.text.length);
    const checks = [
      ...m.checks,
      { name: 'expected_words', passed: top.expected },
      ...(spec.type === 'string' ? [{ name: 'entity:ORGANIZATION', passed: organisation }] : []),
    ];
    return [
      {
        value: m.value,
        line: top.line,
        start: 0,
        end: top.last > top.line ? line.text.length + 1 : line.text.length,
        score,
        label: 0,
        checks,
        last: top.last,
        sureness: top.parts.reduce(
          (sure, i) => sure * readingSureness(lines[i]!, 0, lines[i]!.text.length),
          1,
        ),
      },
    ];
  }
  if (spec.type === 'name') {
    return findings.flatMap((list, index) =>
      list
        .filter((f) => f.type === 'PERSON')
        .map((f) => ({
          value: cleanText(lines[index]!.text.slice(f.start, f.end)),
          line: index,
          start: f.start,
          end: f.end,
          score: 0.5 * f.score * ocrFactor(lines[index]!, f.start, f.end),
          label: 0,
          checks: [{ name: 'entity:PERSON', passed: true }],
          sureness: readingSureness(lines[index]!, f.start, f.end),
        })),
    );
  }
  return [];
}

/** Canonical text of a value, to find candidates that agree. */
const valueKey = (value: FieldValue): string =>
  typeof value === 'string' ? value.toUpperCase().replace(/[^\p{L}\p{N}]/gu, '') : JSON.stringify(value);

/**
 * Picks the best candidate and turns its score into a confidence: other places that read the same
 * value raise it, a close rival with another value lowers it.
 */
function choose(
  candidates: readonly Candidate[],
): (Candidate & { confidence: number; agreeing: number }) | null {
  if (candidates.length === 0) return null;
  const groups = new Map<string, Candidate[]>();
  for (const c of candidates) groups.set(valueKey(c.value), [...(groups.get(valueKey(c.value)) ?? []), c]);
  const support = (c: Candidate): number => {
    const same = groups.get(valueKey(c.value))!.filter((o) => o !== c && o.label > 0).length;
    return Math.min(2, same) * 0.05;
  };
  const ranked = [...candidates].sort(
    (a, b) => b.score + support(b) - (a.score + support(a)) || a.line - b.line || a.start - b.start,
  );
  const best = ranked[0]!;
  const rival = ranked.find((c) => valueKey(c.value) !== valueKey(best.value));
  const agreeing = groups.get(valueKey(best.value))!.length - 1;
  const margin = rival ? best.score + support(best) - (rival.score + support(rival)) : 1;
  const penalty = margin < 0.05 ? 0.15 : margin < 0.15 ? 0.07 : 0;
  return { ...best, agreeing, confidence: clamp(best.score + support(best) - penalty) };
}

/** The detected entities of each line (names, organisations, places), for free-text fields. */
function lineFindings(lines: readonly LayoutLine[], analyzer: Analyzer): Finding[][] {
  const text = lines.map((l) => l.text.replace(/\n/g, ' ')).join('\n');
  const out: Finding[][] = lines.map(() => []);
  let offset = 0;
  const starts = lines.map((l) => {
    const s = offset;
    offset += l.text.length + 1;
    return s;
  });
  for (const f of analyzer(text)) {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= f.start) lo = mid;
      else hi = mid - 1;
    }
    out[lo]!.push({ ...f, start: f.start - starts[lo]!, end: f.end - starts[lo]! });
  }
  return out;
}

export interface RuleExtractorOptions {
  /** The detector for names, organisations and places; by default the engine's, for those types only. */
  readonly analyzer?: Analyzer;
  /** Maps raw scores to calibrated confidences (default: the shipped table); null returns raw scores. */
  readonly calibration?: CalibrationTable | null;
}

/** Extracts one field from the document's lines. */
function extractOne(
  spec: FieldSpec,
  lines: readonly LayoutLine[],
  findings: LineFindings,
  anchors: ReadonlyMap<string, number>,
  calibration: CalibrationTable | null,
): { found: FieldCandidate; line: number } | null {
  const hints = labelList(spec.hint);
  const spoilers = findLabels(lines, labelList(spec.not));
  const labels = findLabels(lines, hints).filter((h) => !spoilt(h, spoilers, lines[h.line]!));
  let candidates: Candidate[];
  if (FREE_TEXT_TYPES.has(spec.type)) {
    candidates = labelledText(spec, lines, labels);
    if (candidates.length === 0) candidates = unlabelledText(spec, lines, findings, anchors.get('top'));
    // A letterhead value (a name or address, or text placed on top or holding expected words).
    const letterhead =
      spec.type === 'address' ||
      spec.type === 'name' ||
      spec.position === 'top' ||
      labelList(spec.expect).length > 0;
    candidates = candidates.map((c) => {
      const text = typeof c.value === 'string' ? c.value : '';
      const doubts: FieldCheck[] = [
        ...(letterhead
          ? [
              ...(spec.type === 'address' ? [] : [{ name: 'whole_words', passed: !hasBrokenWord(text) }]),
              { name: 'clean_marks', passed: !hasStrayMarks(text) },
            ]
          : []),
        ...(c.sureness === undefined ? [] : [{ name: 'sure_letters', passed: c.sureness >= SURE_LETTERS }]),
      ];
      return {
        ...c,
        score:
          c.score *
          (labelList(spec.expect).length > 0 && spec.type !== 'address'
            ? 0.9 + 0.1 * expectScore(lines[c.line]!.text, labelList(spec.expect))
            : 1) *
          PRINT_DOUBT_FACTOR ** doubts.filter((d) => !d.passed).length,
        checks: [...c.checks, ...doubts],
      };
    });
  } else {
    candidates = typedCandidates(spec, lines, labels);
    if (isBillTotal(spec)) {
      const bill = billAmounts(lines, spec);
      candidates = weighByArithmetic(withRounding(candidates, bill), bill);
    }
  }
  const best = choose(candidates);
  if (!best) return null;
  const line = lines[best.line]!;
  // A multi-line block (an address) spans from its first line to the line holding `end`.
  const boxes =
    best.end > line.text.length ? [line.box] : wordsIn(line, best.start, best.end).map((w) => w.box);
  const lastLine =
    spec.type === 'address'
      ? lines.slice(best.line).findIndex((l) => l.text.length === best.end && l.page === line.page)
      : -1;
  // A name printed over several lines (`last`) is boxed whole: a reviewer's crop and a second
  // reading of the box must see all of it.
  const box =
    lastLine > 0
      ? unionBox(lines.slice(best.line, best.line + lastLine + 1).map((l) => l.box))
      : best.last !== undefined && best.last > best.line
        ? unionBox(lines.slice(best.line, best.last + 1).map((l) => l.box))
        : unionBox(boxes);
  const checks = [...best.checks, { name: 'agreement', passed: best.agreeing > 0 }];
  const found = {
    value: best.value,
    confidence: round(calibration ? calibrate(calibration, spec.type, best.confidence) : best.confidence),
    page: line.page,
    box: box
      ? { x: round(box.x), y: round(box.y), width: round(box.width), height: round(box.height) }
      : null,
    checks,
  };
  // What follows the value (an address under a name) starts after its last line.
  return { found, line: best.last ?? best.line };
}

/**
 * The layout-aware rule extractor: no model. It reads the document's lines with their word boxes
 * and OCR confidences, finds each field's labels (hints) and reads the value right of a label, on
 * its row, or below it, with the type's parser and validators; fields without a label are read
 * from where they usually are (a seller's name on top, an address block under it) and from the
 * detected entities. Confidence combines format validity, label proximity, OCR confidence, position
 * and agreement between candidates.
 *
 * @example
 * ```ts
 * const extractor = createRuleExtractor();
 * const found = await extractor.extract({ document, fields: receipt.fields });
 * found.total; // { value: { amount: '9.00', currency: 'MYR' }, confidence: 0.93, page: 1, box: {...}, checks: [...] }
 * ```
 */
export function createRuleExtractor(options: RuleExtractorOptions = {}): Extractor {
  let analyzer = options.analyzer;
  const calibration = options.calibration === undefined ? SHIPPED_CALIBRATION : options.calibration;
  return {
    name: 'rules',
    async extract({ document, fields }: ExtractionRequest) {
      const lines = layoutLines(document);
      const needsEntities = fields.some((f) => FREE_TEXT_TYPES.has(f.type));
      analyzer ??= needsEntities
        ? createAnalyzer({ entities: ['PERSON', 'ORGANIZATION', 'LOCATION', 'STREET_ADDRESS'] })
        : undefined;
      const findings = needsEntities && analyzer ? lineFindings(lines, analyzer) : lines.map(() => []);
      const result: Record<string, FieldCandidate | null> = {};
      const anchors = new Map<string, number>();
      // Fields placed on top are read first: an address block starts under the seller's name.
      const ordered = [...fields].sort(
        (a, b) =>
          Number(b.position === 'top' && b.type !== 'address') -
          Number(a.position === 'top' && a.type !== 'address'),
      );
      for (const spec of ordered) {
        const read = extractOne(spec, lines, findings, anchors, calibration);
        result[spec.name] = read?.found ?? null;
        if (read && spec.position === 'top' && spec.type !== 'address') anchors.set('top', read.line);
      }
      return result;
    },
  };
}
