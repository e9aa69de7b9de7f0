/**
 * Labels and codes the tagger takes for names: a name does not run on into "SSN 536…", and a
 * lone identifier or a field label in capitals ("KVNR", "SSN:") is no name or place.
 */
import { G, NAMEISH } from '../gazetteer.js';
import { F_ALL_UPPER, F_HAS_DIGIT, F_NEWLINE_BEFORE, F_WORD } from '../tokenizer.js';
import type { RuleContext, TokenSpan } from './context.js';
import { charAt } from './words.js';

/**
 * "Jane Doe, SSN 536-22-1245": a name or place does not run on over a comma into a label in
 * capitals and the number it labels. The tagger reads "Doe, SSN 536…" like "Springfield, IL
 * 62704"; a real state or country code after the comma keeps the span whole.
 */
export function endBeforeLabelledNumber(ctx: RuleContext, span: TokenSpan): void {
  const { tokens, gaz } = ctx;
  for (let i = span.first + 1; i + 1 <= span.last; i++) {
    if (charAt(ctx, i) !== ',' || tokens.flags[i]! & F_WORD) continue;
    const label = i + 1;
    const flags = tokens.flags[label]!;
    if (!(flags & F_WORD) || !(flags & F_ALL_UPPER) || gaz[label]! & (G.stateAbbr | G.country)) continue;
    let numbered = false;
    for (let j = label + 1; j <= span.last && !numbered; j++)
      numbered = (tokens.flags[j]! & F_HAS_DIGIT) !== 0;
    if (!numbered && label !== span.last) continue;
    span.last = i - 1;
    return;
  }
}

/** Digits in one token from which it is a code or an identifier, never a name, place or street line. */
const CODE_DIGITS = 7;

/** Longest word in capitals read as the label of a number after it ("KVNR", "TCKN", "SSN"). */
const MAX_LABEL_LETTERS = 6;

/**
 * "ID A1234567", "TCKN 10000000146", "KVNR A123456780": the tagger reads an identifier as a
 * place or a street line, and the label in capitals before it as a name. A lone token holding
 * seven digits or more is dropped, and so is a lone word in capitals of two to six letters that no
 * list knows as a name or place when a token with digits follows it (after at most a colon,
 * "#" or "No."), or when it opens a line before a colon and has at most four letters ("SSN:" over
 * a value already replaced by a placeholder). The identifier recognizers report the number with
 * its label as context.
 */
export function dropCodesAndLabels(ctx: RuleContext, spans: TokenSpan[]): void {
  let kept = 0;
  for (const span of spans) {
    if (
      span.rule ||
      span.first !== span.last ||
      !(isCode(ctx, span.first) || isLabelOfNumber(ctx, span.first))
    )
      spans[kept++] = span;
  }
  spans.length = kept;
}

function isCode(ctx: RuleContext, i: number): boolean {
  const { tokens } = ctx;
  if (!(tokens.flags[i]! & F_HAS_DIGIT)) return false;
  let digits = 0;
  for (let c = tokens.start[i]!; c < tokens.end[i]!; c++) {
    const code = ctx.text.charCodeAt(c);
    if (code >= 48 && code <= 57) digits++;
  }
  return digits >= CODE_DIGITS;
}

function isLabelOfNumber(ctx: RuleContext, i: number): boolean {
  const { tokens, gaz } = ctx;
  const flags = tokens.flags[i]!;
  const length = tokens.end[i]! - tokens.start[i]!;
  if (
    !(flags & F_WORD) ||
    !(flags & F_ALL_UPPER) ||
    flags & F_HAS_DIGIT ||
    length < 2 ||
    length > MAX_LABEL_LETTERS
  )
    return false;
  if (gaz[i]! & (NAMEISH | G.stateAbbr)) return false;
  // "SSN: <US_SSN_1>", "DOB:" opening a line: a short field label, whatever follows the colon.
  const lineStart = i === 0 || (flags & F_NEWLINE_BEFORE) !== 0;
  if (
    lineStart &&
    length <= MAX_FIELD_LABEL &&
    i + 1 < tokens.count &&
    charAt(ctx, i + 1) === ':' &&
    !(tokens.flags[i + 1]! & F_WORD)
  )
    return true;
  let next = i + 1;
  while (
    next < tokens.count &&
    next <= i + 3 &&
    !(tokens.flags[next]! & F_HAS_DIGIT) &&
    LABEL_FILLER.has(ctx.text.slice(tokens.start[next]!, tokens.end[next]!).toLowerCase())
  )
    next++;
  return (
    next < tokens.count &&
    (tokens.flags[next]! & F_HAS_DIGIT) !== 0 &&
    tokens.start[next]! - tokens.end[i]! <= 6
  );
}

/** Longest word in capitals read as a field label before a colon at the start of a line ("SSN:", "MRN:"). */
const MAX_FIELD_LABEL = 4;

/** What may stand between a label and its number: "KVNR: A123…", "TIN No. 123…", "ID # 42…". */
const LABEL_FILLER = new Set([':', '#', '.', 'no', 'nr', 'n°', '-']);
