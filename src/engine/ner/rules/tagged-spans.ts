/**
 * The tagger's output read as token spans: each run of one entity's tags becomes a span, trimmed
 * of the punctuation it cannot start or end with, keeping an abbreviation's period ("Acme Corp.").
 * Untagged words are looked at in the same pass (`untaggedWord`), so the spans come out in order.
 */
import { G } from '../gazetteer.js';
import { F_ALL_UPPER, F_WORD, WordSet } from '../tokenizer.js';
import type { RuleContext, TokenSpan } from './context.js';
import { isInside } from '../tags.js';
import { noteListOrPlace, untaggedWord } from './untagged-names.js';

/** The one span-final punctuation that belongs to an entity ("Acme Corp.", "Smith Jr."). */
const PERIOD_CODE = 46;

/** Words whose following period is part of the entity, when they are abbreviated. */
const ABBREVIATION = G.orgSuffix | G.personSuffix | G.street | G.secondary | G.honorific;

/** Abbreviations of four letters or more; shorter words of the lists above ("St", "Inc", "Jr") are all taken as abbreviated. */
const LONG_ABBREVIATION = new WordSet([
  'corp',
  'blvd',
  'bldg',
  'dept',
  'bros',
  'assn',
  'assoc',
  'univ',
  'intl',
  'mfrs',
  'pkwy',
  'hwy',
  'apts',
  'esq',
  'cres',
  'tce',
]);

/** A single capital letter ("J" of "J. R. Tolkien"). */
function isInitial(ctx: RuleContext, i: number): boolean {
  const { tokens } = ctx;
  return (
    tokens.end[i]! - tokens.start[i]! === 1 &&
    (tokens.flags[i]! & (F_WORD | F_ALL_UPPER)) === (F_WORD | F_ALL_UPPER)
  );
}

/**
 * True when the period right after token `i` abbreviates it ("Acme Corp.", "Smith Jr.", "Baker
 * St."), rather than ending the sentence after a whole word ("... and Hill.", "Baker Street.").
 */
function takesPeriod(ctx: RuleContext, i: number): boolean {
  const { tokens } = ctx;
  return (
    (ctx.gaz[i]! & ABBREVIATION) !== 0 &&
    (tokens.end[i]! - tokens.start[i]! <= 3 || LONG_ABBREVIATION.has(tokens.hash[i]!))
  );
}

/**
 * The spans of the tagger's tags (`ctx.tags`, with their `margins`) and of the names
 * `untaggedWord` finds between them, sorted by first token; notes `ctx.listStarts` and
 * `ctx.placeStarts` on the way.
 *
 * @example
 * ```ts
 * const spans = readTaggedSpans(ctx, margins); // [{ tag: PERSON, first: 1, last: 2, margin: 6.1 }, ...]
 * ```
 */
export function readTaggedSpans(ctx: RuleContext, margins: Float32Array): TokenSpan[] {
  const { tokens, tags, text } = ctx;
  const spans: TokenSpan[] = [];
  for (let i = 0; i < tokens.count;) {
    const tag = tags[i]!;
    if (tag === 0 || isInside(tag)) {
      // Untagged words are looked at in this same pass, so the spans stay in order.
      i = (tag === 0 ? untaggedWord(ctx, spans, i) : i) + 1;
      continue;
    }
    let last = i;
    let minMargin = margins[i]!;
    while (last + 1 < tokens.count && tags[last + 1] === tag + 1) {
      last++;
      minMargin = Math.min(minMargin, margins[last]!);
    }
    const next = last + 1;
    let first = i;
    // Trim punctuation the span cannot start or end with.
    while (first <= last && !(tokens.flags[first]! & F_WORD)) first++;
    while (
      last >= first &&
      !(tokens.flags[last]! & F_WORD) &&
      text.charCodeAt(tokens.start[last]!) !== PERIOD_CODE
    )
      last--;
    // "Group, London.": a full stop the tagger took in ends the sentence, unless it abbreviates
    // the word before it ("Acme Corp.", "John F.").
    if (
      last > first &&
      !(tokens.flags[last]! & F_WORD) &&
      !takesPeriod(ctx, last - 1) &&
      !isInitial(ctx, last - 1)
    )
      last--;
    // "Acme Corp." and "Smith Jr.": the period of an abbreviation belongs to the name.
    if (
      first <= last &&
      next < tokens.count &&
      takesPeriod(ctx, last) &&
      tokens.start[next] === tokens.end[last] &&
      text[tokens.start[next]!] === '.'
    )
      last = next;
    if (first <= last) spans.push({ tag, first, last, margin: minMargin });
    noteListOrPlace(ctx, next - 1);
    i = next;
  }
  return spans;
}
