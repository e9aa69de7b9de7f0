/**
 * False alarms of ordinary words: a span whose words are all everyday English with a capital
 * that says nothing (a sentence start, a heading, "the Tribunal"), a span without a name word
 * ("The 70s"), and a word inside an identifier ("client_ip") are dropped.
 */
import { EVERYDAY, G, NAMEISH } from '../gazetteer.js';
import {
  F_ALL_DIGIT,
  F_ALL_UPPER,
  F_FIRST_UPPER,
  F_HAS_DIGIT,
  F_NEWLINE_BEFORE,
  F_WORD,
} from '../tokenizer.js';
import { ADDRESS, type RuleContext, type TokenSpan } from './context.js';
import { DETERMINER, everydayPlural, sentenceInitial } from './words.js';

/**
 * Drops tagged spans whose words are all ordinary English words with case that says nothing
 * ("Battery" opening a sentence, "idea", "SPEAK", "REAL PERSON" in a line of capitals), and
 * spans without a letter. Spans whose words are all also names or places are kept ("Rose",
 * "Will", "MARK SMITH"), unless the span is one lower-case word ("idea", a first name in some
 * locale); Title Case phrases inside a sentence are kept too ("General Electric"), except in a
 * heading or a work's title ("The Great Silver Horse Came For Me"). Rule-built spans (a legal form)
 * and addresses are never dropped.
 */
export function dropEverydayWordSpans(ctx: RuleContext, spans: TokenSpan[]): void {
  let kept = 0;
  for (const span of spans) {
    if (
      span.rule ||
      span.tag === ADDRESS ||
      !(everydayWordsOnly(ctx, span) || !hasNameWord(ctx, span) || inIdentifier(ctx, span))
    )
      spans[kept++] = span;
  }
  spans.length = kept;
}

/**
 * Most words (less one) of a span of everyday words that may be dropped: a song or book title the
 * tagger cut short ("The Big Yellow Taxi Took" of "... Took My Girl") has four or five.
 */
const MAX_EVERYDAY_SPAN = 5;

function everydayWordsOnly(ctx: RuleContext, span: TokenSpan): boolean {
  const { tokens, gaz } = ctx;
  if (span.last - span.first >= MAX_EVERYDAY_SPAN) return false;
  // In a Title Case heading ("Musicians You're Supposed To Hate (But Secretly Love)") every
  // word has a capital, so a capital says nothing, and a lone everyday word that is also a name
  // is most likely the everyday word ("A Night With Rose Smith" keeps its two names).
  // Looked at only when a capital has to be explained: most spans fail before.
  let heading: boolean | undefined;
  const lone = span.first === span.last;
  let names = 0;
  let words = 0;
  for (let i = span.first; i <= span.last; i++) {
    const flags = tokens.flags[i]!;
    if (!(flags & F_WORD)) continue;
    const bits = gaz[i]!;
    if (!(bits & G.common || EVERYDAY.has(tokens.hash[i]!) || everydayPlural(ctx, i))) return false;
    const lower = !(flags & (F_FIRST_UPPER | F_ALL_UPPER));
    const capitals = (flags & F_ALL_UPPER) !== 0 && tokens.end[i]! - tokens.start[i]! > 1;
    const opening = lone && (sentenceInitial(ctx, i) || afterDeterminer(ctx, i));
    if (!(lower || capitals || opening || (heading ??= inHeading(ctx, span)))) return false;
    words++;
    if (bits & NAMEISH && !(lone && (heading ??= inHeading(ctx, span)))) names++;
  }
  // Everyday words that are also names ("Rose", "MARK SMITH") are kept, except a lone one in
  // lower case ("a good idea"): without a capital the everyday sense is the likely one.
  return names < words || (words === 1 && !(tokens.flags[span.first]! & (F_FIRST_UPPER | F_ALL_UPPER)));
}

/**
 * "the Tribunal", "the Council", "his Commanding Officer": a lone capitalised everyday word right
 * after a lower-case determiner is the institution or role the text is about, written with a
 * capital, rather than a name ("the Supreme Court" and "the Home Office" have two words).
 */
function afterDeterminer(ctx: RuleContext, i: number): boolean {
  const { tokens } = ctx;
  const previous = i - 1;
  if (previous < 0 || !(tokens.flags[previous]! & F_WORD) || !DETERMINER.has(tokens.hash[previous]!))
    return false;
  // "The Tribunal replied": a capitalised article opening the sentence is an article all the same.
  return !(tokens.flags[previous]! & (F_FIRST_UPPER | F_ALL_UPPER)) || sentenceInitial(ctx, previous);
}

/**
 * True when the span has a word with a letter that is no function word or number ("The 70s" has
 * none); a word with a letter and a digit counts where no function word stands beside it ("3M").
 */
function hasNameWord(ctx: RuleContext, span: TokenSpan): boolean {
  const { tokens, gaz } = ctx;
  let letters = false;
  let functionWord = false;
  for (let i = span.first; i <= span.last; i++) {
    const flags = tokens.flags[i]!;
    if (!(flags & F_WORD) || flags & F_ALL_DIGIT) continue;
    letters = true;
    if (gaz[i]! & G.function) functionWord = true;
    else if (!(flags & F_HAS_DIGIT) || !isDigitCode(ctx.text.charCodeAt(tokens.start[i]!))) return true;
  }
  return letters && !functionWord;
}

function isDigitCode(code: number): boolean {
  return code >= 48 && code <= 57;
}

/** "client_ip", "user_Name": a word joined to others by an underscore is part of an identifier. */
function inIdentifier(ctx: RuleContext, span: TokenSpan): boolean {
  const { tokens } = ctx;
  const start = tokens.start[span.first]!;
  return (start > 0 && ctx.text.charAt(start - 1) === '_') || ctx.text.charAt(tokens.end[span.last]!) === '_';
}

/** Words looked at on each side of a span for a heading's capitalised function words. */
const HEADING_REACH = 3;

/**
 * True when a capitalised function word that does not open a sentence stands within
 * `HEADING_REACH` words of the span on its line ("Supposed To Hate", "(But Secretly Love)"):
 * the span sits in a Title Case heading.
 */
function inHeading(ctx: RuleContext, span: TokenSpan): boolean {
  const { tokens } = ctx;
  for (
    let i = span.first - 1, words = 0;
    i >= 0 && words < HEADING_REACH && !(tokens.flags[i + 1]! & F_NEWLINE_BEFORE);
    i--
  ) {
    if (!(tokens.flags[i]! & F_WORD)) continue;
    words++;
    if (headingFunctionWord(ctx, i)) return true;
  }
  for (
    let i = span.last + 1, words = 0;
    i < tokens.count && words < HEADING_REACH && !(tokens.flags[i]! & F_NEWLINE_BEFORE);
    i++
  ) {
    if (!(tokens.flags[i]! & F_WORD)) continue;
    words++;
    if (headingFunctionWord(ctx, i)) return true;
  }
  return false;
}

function headingFunctionWord(ctx: RuleContext, i: number): boolean {
  const { tokens } = ctx;
  const flags = tokens.flags[i]!;
  // "May" is a month as often as a modal verb.
  return (
    (flags & F_FIRST_UPPER) !== 0 &&
    !(flags & F_ALL_UPPER) &&
    (ctx.gaz[i]! & (G.function | G.month)) === G.function &&
    tokens.end[i]! - tokens.start[i]! > 1 &&
    !sentenceInitial(ctx, i)
  );
}
