/**
 * Job titles beside a person's name: in apposition ("Jane Doe, head of sales,") or on the line
 * under a name that fills its own line, as in a letter's signature.
 */
import { lowerBound } from '../../scan/lower-bound.js';
import { G } from '../gazetteer.js';
import { occupationOf } from '../job-title.js';
import {
  F_ALL_UPPER,
  F_FIRST_UPPER,
  F_HAS_DIGIT,
  F_NEWLINE_BEFORE,
  F_WORD,
  hashWord,
  WordSet,
} from '../tokenizer.js';
import { ADDRESS, JOB_TITLE, PERSON, type RuleContext, type TokenSpan } from './context.js';
import { AND, charAt, COMMA, OF, possessiveLength, THE } from './words.js';

/** Words before a job title in apposition to a name ("Jane Doe, the site manager,"). */
const TITLE_DETERMINER = new WordSet(['the', 'a', 'an', 'our', 'their', 'his', 'her', 'its', 'your', 'my']);

/** Most words of a job title ("Liquid waste treatment plant and system operator"). */
const MAX_TITLE_WORDS = 7;

/** Most words after the "of" or "for" of a job title ("head of human resources"). */
const MAX_TITLE_COMPLEMENT = 3;

/** Punctuation that ends a job title in apposition. */
const TITLE_END = ',.;:)!?';

const FOR = hashWord('for');

const A = hashWord('a');

const AN = hashWord('an');

/** The margin of a job title (a confidence of 0.68). */
const TITLE_MARGIN = 2;

/**
 * Job titles next to a person's name: in apposition ("Matthew Reumer, the Civil drafter, said",
 * "Jane Doe, head of sales,") or alone on the line under a name that fills its own line, as in
 * a letter's signature ("Dr Jane Smith\nConsultant Cardiologist"). The phrase must end in a word
 * that heads a job title (`occupationOf`); an agent noun alone ("installer") needs an article, a
 * second word or lower case, so "Smith, Baker and Taylor" stays a list of names. Only looked at
 * after a person span, so it costs nothing on text without names.
 */
export function jobTitles(ctx: RuleContext, spans: TokenSpan[]): void {
  const { tokens } = ctx;
  const count = spans.length;
  for (let k = 0; k < count; k++) {
    const person = spans[k]!;
    if (person.tag !== PERSON) continue;
    const ownLine = person.first === 0 || (tokens.flags[person.first]! & F_NEWLINE_BEFORE) !== 0;
    // "Michael Brandt\nSenior software engineer": the tagger ran the name on into the title under it.
    const wrap = ownLine ? lineBreakIn(ctx, person) : -1;
    const next = wrap > 0 ? wrap : person.last + 1;
    if (next + 1 >= tokens.count) continue;
    const flags = tokens.flags[next]!;
    let title: TokenSpan | undefined;
    if (!(flags & (F_WORD | F_NEWLINE_BEFORE)) && charAt(ctx, next) === ',')
      title = jobTitle(ctx, next + 1, false);
    else if (flags & F_NEWLINE_BEFORE && ownLine) title = jobTitle(ctx, next, true);
    if (!title) continue;
    const last = person.last;
    person.last = next - 1;
    if (blocksTitle(spans, count, title, tokens.hash[title.first - 1] !== COMMA)) person.last = last;
    else spans.push(title);
  }
  if (spans.length === count) return;
  // A title replaces the organisations and places the tagger read inside it ("the Platemaker").
  spans.sort((a, b) => a.first - b.first || (a.tag === JOB_TITLE ? -1 : b.tag === JOB_TITLE ? 1 : 0));
  let kept = 0;
  let titleEnd = -1;
  for (const span of spans) {
    if (span.first <= titleEnd) continue;
    if (span.tag === JOB_TITLE) titleEnd = span.last;
    spans[kept++] = span;
  }
  spans.length = kept;
}

/** The first token of `span` after its first that starts a line, or -1. */
function lineBreakIn(ctx: RuleContext, span: TokenSpan): number {
  const { tokens } = ctx;
  for (let i = span.first + 1; i <= span.last; i++) if (tokens.flags[i]! & F_NEWLINE_BEFORE) return i;
  return -1;
}

/**
 * The job title starting at token `first`, if the words there form one: an optional article,
 * up to `MAX_TITLE_WORDS` words without digits ("and", "of", "for" inside), ended by punctuation
 * or the line's end (`line`: by the line's end only), headed by an occupation.
 */
function jobTitle(ctx: RuleContext, first: number, line: boolean): TokenSpan | undefined {
  const { tokens, gaz } = ctx;
  const determiner =
    !line && TITLE_DETERMINER.has(tokens.hash[first]!) && (tokens.flags[first]! & F_WORD) !== 0;
  const start = determiner ? first + 1 : first;
  let last = -1;
  let head = -1;
  let complement = 0;
  for (let i = start; i < tokens.count && (i === start || !(tokens.flags[i]! & F_NEWLINE_BEFORE)); i++) {
    const flags = tokens.flags[i]!;
    if (!(flags & F_WORD)) {
      if (line || !TITLE_END.includes(charAt(ctx, i))) return undefined;
      break;
    }
    if (flags & F_HAS_DIGIT || possessiveLength(ctx, i) || i - start >= MAX_TITLE_WORDS) return undefined;
    const hash = tokens.hash[i]!;
    if (gaz[i]! & G.function) {
      const of = hash === OF || hash === FOR;
      // "head of the department": an article may follow "of".
      if (i === start || (!of && hash !== AND && !(hash === THE && tokens.hash[i - 1] === OF)))
        return undefined;
      if (of && head < 0) head = i - 1;
    } else if (head >= 0) complement++;
    last = i;
  }
  if (last < 0 || gaz[last]! & G.function || complement > MAX_TITLE_COMPLEMENT) return undefined;
  if (head < 0) head = last;
  const occupation = occupationOf(ctx.text, tokens.start[head]!, tokens.end[head]!, tokens.hash[head]);
  if (occupation === undefined) return undefined;
  const capital = (tokens.flags[head]! & (F_FIRST_UPPER | F_ALL_UPPER)) !== 0;
  // "Smith, Baker and Taylor", "Ann, Mason": a capitalised name is a name unless an article says otherwise.
  if (!determiner && capital && gaz[head]! & (G.first | G.last) && last === head) return undefined;
  if (occupation === 'agent' && !determiner && last === start && capital) return undefined;
  // "represented by Mr C. Whomersley, a lawyer": one word after "a" describes the person's trade.
  if (last === start && (tokens.hash[first] === A || tokens.hash[first] === AN)) return undefined;
  return { tag: JOB_TITLE, first: start, last, margin: TITLE_MARGIN };
}

/**
 * True when a span among `spans[0, count)` keeps `title` from being one: a person or address in
 * it, a span running out of it, or, unless an article or the line says it is a title (`marked`),
 * any span in it ("Rand Mcnally, Parsons Brinckerhoff and Social Explorer" lists organisations).
 */
function blocksTitle(spans: readonly TokenSpan[], count: number, title: TokenSpan, marked: boolean): boolean {
  for (
    let k = lowerBound(count, (i) => spans[i]!.last < title.first);
    k < count && spans[k]!.first <= title.last;
    k++
  ) {
    const span = spans[k]!;
    if (
      !marked ||
      span.tag === PERSON ||
      span.tag === ADDRESS ||
      span.first < title.first ||
      span.last > title.last
    )
      return true;
  }
  return false;
}
