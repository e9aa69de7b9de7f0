/**
 * Span arithmetic for the evaluation scripts: merging, IoU matching, coverage and token
 * precision. Evaluation is type-agnostic: what matters for de-identification is which characters
 * are caught, not the label.
 */

export interface Span {
  readonly start: number;
  readonly end: number;
  readonly type?: string;
}

/** Only these characters may separate two spans for them to be merged into one. */
const JOINER = /^[\s,.;:/()'-]*$/;

/**
 * Merges spans that touch or are separated only by whitespace/punctuation. Gold data splits one
 * address into "18", "Třebčínská 860" and "Horka nad Moravou"; a type-agnostic detector that
 * catches the whole address must not be scored as three misses. The same merge is applied to
 * predictions, so neither side gains from it.
 */
export function mergeAdjacent(text: string, spans: readonly Span[]): Span[] {
  const sorted = [...spans].sort((a, b) => a.start - b.start || b.end - a.end);
  const merged: Span[] = [];
  for (const span of sorted) {
    const last = merged[merged.length - 1];
    if (
      last &&
      (span.start <= last.end || JOINER.test(text.slice(last.end, span.start))) &&
      span.start - last.end <= 3
    ) {
      merged[merged.length - 1] = { start: last.start, end: Math.max(last.end, span.end) };
    } else merged.push({ start: span.start, end: span.end });
  }
  return merged;
}

function iou(a: Span, b: Span): number {
  const inter = Math.max(0, Math.min(a.end, b.end) - Math.max(a.start, b.start));
  const union = Math.max(a.end, b.end) - Math.min(a.start, b.start);
  return union === 0 ? 0 : inter / union;
}

/**
 * One-to-one greedy matching at an IoU threshold: for each gold span in order, the index of the
 * unused prediction it matches best (IoU at least `threshold`), or -1.
 */
export function matchPairs(gold: readonly Span[], predicted: readonly Span[], threshold: number): number[] {
  const used = new Set<number>();
  return gold.map((g) => {
    let best = -1;
    let bestIou = threshold;
    predicted.forEach((p, i) => {
      if (used.has(i) || p.end <= g.start || p.start >= g.end) return;
      const value = iou(g, p);
      if (value >= bestIou) {
        bestIou = value;
        best = i;
      }
    });
    if (best >= 0) used.add(best);
    return best;
  });
}

/** True positives under one-to-one greedy matching at an IoU threshold. */
export function matchCount(gold: readonly Span[], predicted: readonly Span[], threshold: number): number {
  return matchPairs(gold, predicted, threshold).filter((p) => p >= 0).length;
}

/** A predicted finding as the product returns it: its whole span and, for some, its `parts`. */
export interface LeveledSpan extends Span {
  readonly parts?: readonly Span[];
}

/**
 * The spans one finding is scored as under the headline's fixed rule: its parts when it has them,
 * else its whole span. The rule never looks at the gold: it is what a caller who reads the pieces
 * of an address or a titled name gets, and it never mixes parts of different findings.
 *
 * @example
 * ```ts
 * piecesOf({ start: 0, end: 11, parts: [{ start: 0, end: 3 }, { start: 4, end: 11 }] }); // the two parts
 * piecesOf({ start: 0, end: 4 }); // [{ start: 0, end: 4 }]
 * ```
 */
export function piecesOf(finding: LeveledSpan): readonly Span[] {
  return finding.parts && finding.parts.length > 0 ? finding.parts : [finding];
}

/** True positives and predicted spans of one way of scoring. */
export interface LevelCount {
  tp: number;
  pred: number;
}

/**
 * One text's span counts at an IoU threshold, unmerged and one-to-one, three ways: `whole` scores
 * every finding as its whole span (as reported); `parts` scores each finding as its parts where it
 * has them ({@link piecesOf}, the headline); `oracle` picks, per finding, whichever of the two
 * matches more gold spans (then the fewer spans). The oracle looks at the gold, so it is a bound on
 * any per-finding rule, never a result.
 *
 * @example
 * ```ts
 * const gold = [{ start: 0, end: 3 }, { start: 4, end: 11 }];
 * levelCounts(gold, [{ start: 0, end: 11, parts: gold }], 0.9);
 * // { whole: { tp: 0, pred: 1 }, parts: { tp: 2, pred: 2 }, oracle: { tp: 2, pred: 2 } }
 * ```
 */
export function levelCounts(
  gold: readonly Span[],
  findings: readonly LeveledSpan[],
  threshold: number,
): { whole: LevelCount; parts: LevelCount; oracle: LevelCount } {
  const pieces = findings.flatMap(piecesOf);
  const oracle = { tp: 0, pred: 0 };
  for (const finding of findings) {
    // At IoU >= 0.5 a gold span can match at most one of non-overlapping predictions, so each
    // finding's choice can be made alone, against the gold spans it touches.
    const touching = gold.filter((g) => g.end > finding.start && g.start < finding.end);
    const whole = matchCount(touching, [finding], threshold);
    const parts = piecesOf(finding);
    const inParts = matchCount(touching, parts, threshold);
    const useParts = inParts > whole;
    oracle.tp += useParts ? inParts : whole;
    oracle.pred += useParts ? parts.length : 1;
  }
  return {
    whole: { tp: matchCount(gold, findings, threshold), pred: findings.length },
    parts: { tp: matchCount(gold, pieces, threshold), pred: pieces.length },
    oracle,
  };
}

/** Misses (`fn`) and false alarms (`fp`) of one error kind. */
export interface ErrorTally {
  fn: number;
  fp: number;
}

const TITLE = /^(?:mr|mrs|ms|miss|mx|dr|prof|sir|rev|hon|jr|sr)\.?$/i;

/** What a boundary error's extra or missing text is: whitespace, punctuation, a title, a word, words. */
function edgeKind(text: string): string {
  const t = text.trim();
  if (t === '') return 'space';
  if (/^[\p{P}\p{S}\s]+$/u.test(t)) return 'punctuation';
  if (TITLE.test(t.replace(/[\s,]/g, ''))) return 'title';
  return /\s/.test(t) ? 'words' : 'word';
}

/**
 * Adds the errors of one text under IoU-0.9 unmerged matching to `tally`, one key per error kind
 * and entity type (the gold type for misses, the predicted type for false alarms):
 *
 * - `missed`: no prediction touches the gold span;
 * - `gold in parts, predicted whole`: a prediction covers this gold span and another one
 *   ("23 8 wressle road" and "77058" of one address);
 * - `predicted in parts`: two or more predictions share the gold span;
 * - `boundary +L title`, `-R punctuation`, …: one prediction, its left (L) or right (R) edge off
 *   by what it adds (+) or leaves out (-);
 * - `false alarm`: a prediction touching no gold span.
 *
 * A prediction is charged once, to the first miss it explains. Types do not count in matching;
 * `confusions` counts the matched pairs whose types differ (`gold -> predicted`).
 *
 * @example
 * ```ts
 * const tally = new Map<string, ErrorTally>();
 * addErrors('Dr. Ann Lee', [{ start: 4, end: 11, type: 'PERSON' }], [{ start: 0, end: 11, type: 'PERSON' }], tally);
 * // tally: { 'boundary PERSON +L title' => { fn: 1, fp: 1 } }
 * ```
 */
export function addErrors(
  text: string,
  gold: readonly Span[],
  predicted: readonly Span[],
  tally: Map<string, ErrorTally>,
  confusions?: Map<string, number>,
  typeName: (type: string | undefined) => string = (type) => type ?? '?',
): void {
  const pairs = matchPairs(gold, predicted, 0.9);
  const charged = new Set(pairs.filter((p) => p >= 0));
  const add = (key: string, fn: number, fp: number) => {
    const entry = tally.get(key) ?? { fn: 0, fp: 0 };
    entry.fn += fn;
    entry.fp += fp;
    tally.set(key, entry);
  };
  const charge = (i: number): number => (charged.has(i) ? 0 : (charged.add(i), 1));
  gold.forEach((g, gi) => {
    const matched = pairs[gi]!;
    if (matched >= 0) {
      const from = typeName(g.type);
      const to = typeName(predicted[matched]!.type);
      if (confusions && from !== to)
        confusions.set(`${from} -> ${to}`, (confusions.get(`${from} -> ${to}`) ?? 0) + 1);
      return;
    }
    const type = g.type ?? '?';
    const touching = predicted.flatMap((p, i) => (p.end > g.start && p.start < g.end ? [i] : []));
    if (touching.length === 0) return add(`missed ${type}`, 1, 0);
    const whole = touching.find((i) => {
      const p = predicted[i]!;
      return (
        p.start <= g.start &&
        p.end >= g.end &&
        gold.some((o) => o !== g && o.start >= p.start && o.end <= p.end)
      );
    });
    if (whole !== undefined) return add(`gold in parts, predicted whole ${type}`, 1, charge(whole));
    if (touching.length > 1) {
      let fp = 0;
      for (const i of touching) fp += charge(i);
      return add(`predicted in parts ${type}`, 1, fp);
    }
    const p = predicted[touching[0]!]!;
    const edges: string[] = [];
    if (p.start < g.start) edges.push(`+L ${edgeKind(text.slice(p.start, g.start))}`);
    if (p.start > g.start) edges.push(`-L ${edgeKind(text.slice(g.start, p.start))}`);
    if (p.end > g.end) edges.push(`+R ${edgeKind(text.slice(g.end, p.end))}`);
    if (p.end < g.end) edges.push(`-R ${edgeKind(text.slice(p.end, g.end))}`);
    add(`boundary ${type} ${edges.join(' ')}`, 1, charge(touching[0]!));
  });
  predicted.forEach((p, i) => {
    if (charged.has(i)) return;
    const touchesGold = gold.some((g) => p.end > g.start && p.start < g.end);
    add(`${touchesGold ? 'extra overlap' : 'false alarm'} ${p.type ?? '?'}`, 0, 1);
  });
}

/** True when every non-space character of `span` lies inside some predicted span. */
export function isCovered(text: string, span: Span, predicted: readonly Span[]): boolean {
  for (let i = span.start; i < span.end; i++) {
    if (/\s/.test(text[i] ?? ' ')) continue;
    if (!predicted.some((p) => p.start <= i && p.end > i)) return false;
  }
  return true;
}

const TOKEN = /[\p{L}\p{N}]+/gu;

/** Predicted word tokens, and how many of them lie inside a gold span. */
export function tokenPrecisionCounts(
  text: string,
  gold: readonly Span[],
  predicted: readonly Span[],
): { tokens: number; correct: number } {
  let tokens = 0;
  let correct = 0;
  for (const p of predicted) {
    for (const m of text.slice(p.start, p.end).matchAll(TOKEN)) {
      const at = p.start + (m.index ?? 0);
      tokens++;
      if (gold.some((g) => g.start <= at && g.end >= at + m[0].length)) correct++;
    }
  }
  return { tokens, correct };
}

const WHITESPACE_TOKEN = /\S+/g;

/**
 * Whitespace tokens marked as PII by gold and by predictions: a token counts as PII on a side when
 * any span of that side touches one of its characters. Scoring tokens rather than spans credits a
 * detector that covers an address whether it reports it as one span or four.
 *
 * @example
 * ```ts
 * tokenCounts('call Jane Doe now', [{ start: 5, end: 13 }], [{ start: 5, end: 9 }]);
 * // { tp: 1, predicted: 1, gold: 2 }
 * ```
 */
export function tokenCounts(
  text: string,
  gold: readonly Span[],
  predicted: readonly Span[],
): { tp: number; predicted: number; gold: number } {
  const goldMarks = marks(text.length, gold);
  const predMarks = marks(text.length, predicted);
  const counts = { tp: 0, predicted: 0, gold: 0 };
  for (const m of text.matchAll(WHITESPACE_TOKEN)) {
    const start = m.index;
    const end = start + m[0].length;
    const inGold = goldMarks[end]! - goldMarks[start]! > 0;
    const inPred = predMarks[end]! - predMarks[start]! > 0;
    if (inGold) counts.gold++;
    if (inPred) counts.predicted++;
    if (inGold && inPred) counts.tp++;
  }
  return counts;
}

/** Prefix sums of how many characters before each offset some span covers. */
function marks(length: number, spans: readonly Span[]): Int32Array {
  const covered = new Uint8Array(length);
  for (const s of spans) covered.fill(1, Math.max(0, s.start), Math.min(length, s.end));
  const prefix = new Int32Array(length + 1);
  for (let i = 0; i < length; i++) prefix[i + 1] = prefix[i]! + covered[i]!;
  return prefix;
}

/** Precision, recall, F1 and F2. */
export interface Scores {
  p: number;
  r: number;
  f1: number;
  f2: number;
}

/** Precision, recall, F1 and F2 from counts. */
export function scores(tp: number, predicted: number, gold: number): Scores {
  const p = predicted === 0 ? 0 : tp / predicted;
  const r = gold === 0 ? 0 : tp / gold;
  const f = (beta: number) => (p + r === 0 ? 0 : ((1 + beta * beta) * p * r) / (beta * beta * p + r));
  return { p, r, f1: f(1), f2: f(2) };
}
