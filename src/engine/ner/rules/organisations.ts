/**
 * Organisations: names ending in a legal form or a body word ("Viasat AB", "Child Poverty Action
 * Group"), a name before an institution word ("Catterick garrison"), an organisation's article
 * and bracketed name, and lists of organisations split at their last "and".
 */
import { EVERYDAY, G } from '../gazetteer.js';
import {
  F_ALL_UPPER,
  F_FIRST_UPPER,
  F_HAS_DIGIT,
  F_NEWLINE_BEFORE,
  F_WORD,
  hashWord,
  WordSet,
} from '../tokenizer.js';
import { LOCATION, ORGANIZATION, RULE_MARGIN, type RuleContext, type TokenSpan } from './context.js';
import { AND, charAt, isNameWord, OF, sentenceInitial, THE } from './words.js';

/**
 * "Logixdata LLC, Social Health Insights and Sigfig": the last "and" of an organisation span ends
 * a list of organisations when the span also holds a comma and an item of two or more words (a
 * firm name of the form "A, B and C" has one word per item), or when the span itself follows
 * another organisation and a comma ("Uber, Importio and Futureadvisor" tagged as two spans), or
 * follows any other span and a comma and has an item of two or more words ("Flightstats,
 * Transunion and Impaq International" with "Flightstats" read as a person).
 * Cuts `span` before that "and" and returns the organisation after it.
 */
export function splitOrganisationList(
  ctx: RuleContext,
  spans: readonly TokenSpan[],
  k: number,
): TokenSpan | undefined {
  const span = spans[k]!;
  const { tokens } = ctx;
  let and = -1;
  let comma = false;
  let longItem = false;
  // "The Jones, Mitchell and Williams" is still a firm name.
  let itemStart = tokens.hash[span.first] === THE ? span.first + 1 : span.first;
  for (let i = span.first; i <= span.last + 1; i++) {
    const isAnd = i <= span.last && tokens.hash[i] === AND && (tokens.flags[i]! & F_WORD) !== 0;
    const isComma = i <= span.last && !(tokens.flags[i]! & F_WORD) && charAt(ctx, i) === ',';
    if (!isAnd && !isComma && i <= span.last) continue;
    if (i - itemStart > 1) longItem = true;
    if (isAnd) and = i;
    if (isComma) comma = true;
    itemStart = i + 1;
  }
  if (and <= span.first || and >= span.last) return undefined;
  const previous = spans[k - 1];
  const afterItem =
    previous !== undefined && previous.last === span.first - 2 && charAt(ctx, span.first - 1) === ',';
  const afterOrganisation = afterItem && previous.tag === ORGANIZATION;
  if (!(afterOrganisation || ((comma || afterItem) && longItem))) return undefined;
  const rest: TokenSpan = { tag: ORGANIZATION, first: and + 1, last: span.last, margin: span.margin };
  span.last = and - 1;
  return rest;
}

/** Most capitalised words of a list item read as an organisation by `organisationListItems`. */
const MAX_ITEM_WORDS = 3;

/**
 * "Qado Energy Inc., Carfax and Keychain Logistics Corp.": a capitalised item the tagger left out
 * between two organisations of one list (after a comma, before a comma or "and") is an
 * organisation too. Runs on the sorted spans after overlaps are resolved.
 */
export function organisationListItems(ctx: RuleContext, spans: TokenSpan[]): void {
  const { tokens } = ctx;
  const found: TokenSpan[] = [];
  for (let k = 0; k + 1 < spans.length; k++) {
    const a = spans[k]!;
    const b = spans[k + 1]!;
    if (a.tag !== ORGANIZATION || b.tag !== ORGANIZATION) continue;
    // a "," item ("," | "and" | ", and") b
    const first = a.last + 2;
    if (first >= b.first || charAt(ctx, a.last + 1) !== ',' || tokens.flags[a.last + 1]! & F_WORD) continue;
    let last = first;
    while (last + 1 < b.first && last - first + 1 < MAX_ITEM_WORDS && isNameWord(ctx, last + 1)) last++;
    let gap = last + 1;
    if (gap < b.first && !(tokens.flags[gap]! & F_WORD) && charAt(ctx, gap) === ',') gap++;
    if (gap < b.first && tokens.hash[gap] === AND && tokens.flags[gap]! & F_WORD) gap++;
    if (gap !== b.first || gap === last + 1) continue;
    let names = true;
    for (let i = first; i <= last && names; i++)
      names = isNameWord(ctx, i) && !(tokens.flags[i]! & F_NEWLINE_BEFORE);
    if (names) found.push({ tag: ORGANIZATION, first, last, margin: Math.min(a.margin, b.margin) });
  }
  if (found.length === 0) return;
  spans.push(...found);
  spans.sort((x, y) => x.first - y.first);
}

/** Lower-case words that make the name before them an institution: "the Beyoğlu court", "British army". */
const INSTITUTION = new WordSet([
  'court',
  'army',
  'garrison',
  'police',
  'navy',
  'council',
  'municipality',
  'hospital',
  'prison',
  'university',
  'ministry',
  'government',
  'parliament',
  'tribunal',
  'gendarmerie',
  'prosecutor',
]);

/** Legal forms that end a company name ("Viasat AB", "Viasat Broadcasting UK Ltd"). */
const LEGAL_FORM = new WordSet([
  'ab',
  'ag',
  'asa',
  'aps',
  'bv',
  'gmbh',
  'inc',
  'llc',
  'llp',
  'ltd',
  'limited',
  'plc',
  'sa',
  'sarl',
  'sas',
  'spa',
  'srl',
  'nv',
  'oy',
  'kg',
  'ohg',
  'pty',
  'corp',
  'corporation',
  'lda',
  'ltda',
  'sro',
  'kft',
  'zrt',
]);

/**
 * Words that end a company's name after a brand ("Ceiba Solutions", "Amida Technology Solutions"),
 * with at least one word before them that is no everyday word ("Software Solutions" is no name).
 */
const COMPANY = new WordSet([
  'solutions',
  'technologies',
  'systems',
  'labs',
  'consulting',
  'analytics',
  'logistics',
  'software',
  'networks',
  'industries',
  'enterprises',
  'holdings',
  'ventures',
]);

/** True when a word of `[first, end)` is no everyday word: a brand ("Ceiba"). */
function hasBrandWord(ctx: RuleContext, first: number, end: number): boolean {
  for (let i = first; i < end; i++) if (!EVERYDAY.has(ctx.tokens.hash[i]!)) return true;
  return false;
}

/** Words that end the name of a body ("Child Poverty Action Group", "Data Protection Authority"). */
const BODY = new WordSet([
  'group',
  'association',
  'foundation',
  'society',
  'committee',
  'commission',
  'authority',
  'agency',
  'institute',
  'trust',
  'federation',
  'union',
  'council',
  'board',
  'centre',
  'center',
  'bank',
  'hospital',
  'clinic',
  'university',
  'college',
  'partners',
  'associates',
]);

/** Fewest capitalised words before a body word for a name found by rule. */
const MIN_BODY_WORDS = 2;

/** A name followed by a lower-case institution word is that institution ("Catterick garrison"). */
export function institution(ctx: RuleContext, span: TokenSpan): void {
  const { tokens } = ctx;
  const next = span.last + 1;
  if (next < tokens.count && !(tokens.flags[next]! & F_FIRST_UPPER) && INSTITUTION.has(tokens.hash[next]!)) {
    span.last = next;
    span.tag = ORGANIZATION;
  }
}

/**
 * An organisation takes a capitalised "The" before it ("works for The Home Depot", "The Swedish
 * Government") and a name in brackets right after it, often its name in the original language
 * ("Supreme Court (Högsta domstolen)", "Dev-Yol (Revolutionary Way)").
 */
export function organisationEdges(ctx: RuleContext, span: TokenSpan): void {
  const { tokens } = ctx;
  // At a sentence start the capital says nothing ("The Social Explorer office is"), except before
  // a nationality: "The Swedish Government" is a title whose article belongs to it.
  const the = span.first - 1;
  if (
    the >= 0 &&
    tokens.hash[the] === THE &&
    tokens.flags[the]! & F_FIRST_UPPER &&
    (!sentenceInitial(ctx, the) || ctx.gaz[span.first]! & G.nrp)
  )
    span.first--;
  let open = -1;
  for (let i = span.first; i <= span.last; i++)
    if (charAt(ctx, i) === '(' && !(tokens.flags[i]! & F_WORD)) open = i;
  if (open < 0 && span.last + 1 < tokens.count && charAt(ctx, span.last + 1) === '(') open = span.last + 1;
  if (open < 0) return;
  // "(“the Government”)", "(see paragraph 16 below)": a defined term or a remark, not a name.
  let words = 0;
  let named = false;
  for (let i = open + 1; i < Math.min(tokens.count, open + 9); i++) {
    if (tokens.flags[i]! & F_NEWLINE_BEFORE) return;
    if (tokens.flags[i]! & F_WORD) named ||= words++ === 0 ? opensName(ctx, i) : namesSomething(ctx, i);
    if (!(tokens.flags[i]! & F_WORD) && charAt(ctx, i) === ')') {
      if (i > open + 1 && named) span.last = i;
      return;
    }
  }
}

/**
 * Brackets after an organisation hold a name when their first word has a capital ("(Revolutionary
 * Way)", "(TRL)") or any word is in no everyday or function word list: a name ("(the Kurdistan
 * Workers' Party)") or a name in its own language ("(yargıtay)"). "(“the Government”)" and "(see
 * paragraph 16 below)" hold none.
 */
function opensName(ctx: RuleContext, i: number): boolean {
  return (ctx.tokens.flags[i]! & (F_FIRST_UPPER | F_ALL_UPPER)) !== 0 || namesSomething(ctx, i);
}

function namesSomething(ctx: RuleContext, i: number): boolean {
  const { tokens } = ctx;
  return !(tokens.flags[i]! & F_HAS_DIGIT || ctx.gaz[i]! & G.function || EVERYDAY.has(tokens.hash[i]!));
}

/**
 * Company and body names that end in a legal form, a body word or a company word ("Viasat AB",
 * "Child Poverty Action Group", "Ceiba Solutions"), found by rule: up to four capitalised words
 * before it, two at least before a body word, a brand among them before a company word.
 */
export function legalForms(ctx: RuleContext, spans: TokenSpan[]): void {
  const { tokens } = ctx;
  for (let i = 1; i < tokens.count; i++) {
    const flags = tokens.flags[i]!;
    if (!(flags & F_WORD) || !(flags & (F_FIRST_UPPER | F_ALL_UPPER))) continue;
    const legal = LEGAL_FORM.has(tokens.hash[i]!);
    // Every body word is in the organisation-suffix list, a cheaper test than the set.
    const body = !legal && (ctx.gaz[i]! & G.orgSuffix) !== 0 && BODY.has(tokens.hash[i]!);
    const company = !legal && !body && COMPANY.has(tokens.hash[i]!);
    if (!legal && !body && !company) continue;
    let first = i;
    while (
      first > 0 &&
      i - first < 4 &&
      isNameWord(ctx, first - 1) &&
      !(tokens.flags[first]! & F_NEWLINE_BEFORE)
    )
      first--;
    // "Working Group" may be any group; "Child Poverty Action Group" is one.
    if (
      first === i ||
      (body && i - first < MIN_BODY_WORDS) ||
      (body && sentenceInitial(ctx, first) && i - first === MIN_BODY_WORDS) ||
      (company && !hasBrandWord(ctx, first, i))
    )
      continue;
    let last = i;
    if (i + 1 < tokens.count && charAt(ctx, i + 1) === '.' && tokens.start[i + 1] === tokens.end[i])
      last = i + 1;
    // A legal form or a brand's company word is explicit evidence that wins over the tagger; a
    // body word is weaker, and a longer span of the tagger ("Hamburg Appeals Board for
    // Physicians") keeps its words.
    spans.push({ tag: ORGANIZATION, first, last, margin: RULE_MARGIN, rule: !body });
  }
}

/** Words that name a part of a body: "the Third Chamber of the Bursa Regional Court". */
const BODY_PART = new WordSet([
  'chamber',
  'division',
  'section',
  'department',
  'directorate',
  'office',
  'group',
  'committee',
  'branch',
  'unit',
  'bureau',
  'registry',
  'panel',
]);

/** Words that end a court's name, which a seat or a level can follow. */
const COURT = new WordSet(['court', 'tribunal']);

const IN = hashWord('in');
const FIRST = hashWord('first');
const INSTANCE = hashWord('instance');
const FIRST_INSTANCE = hashWord('first-instance');

/**
 * A body and the part of it that acts are one organisation, and so is a court with its level or
 * its seat: "Third Chamber" + "of the" + "Bursa Regional Court", "Antalya Civil Court" + "of
 * First-instance", "District Court" + "in" + "Kielce". The part alone or the court
 * alone is a name many bodies share; with the rest it names one. Runs on the sorted spans after
 * overlaps are resolved; a span that the longer one now covers is dropped.
 */
export function joinOrganisationParts(ctx: RuleContext, spans: TokenSpan[]): void {
  const { tokens } = ctx;
  let kept = 0;
  for (const span of spans) {
    const previous = kept > 0 ? spans[kept - 1]! : undefined;
    if (previous && span.first <= previous.last) continue;
    if (previous && previous.tag === ORGANIZATION && partOf(ctx, previous, span)) {
      previous.last = span.last;
      previous.margin = Math.min(previous.margin, span.margin);
      continue;
    }
    spans[kept++] = span;
    if (span.tag !== ORGANIZATION || !COURT.has(tokens.hash[span.last]!)) continue;
    // "of First instance", "of First-instance" (one token), "of First - instance".
    // A capital says the level is part of the name; "of first-instance" in lower case describes it.
    let i = span.last + 1;
    if (tokens.hash[i] !== OF || !(tokens.flags[i + 1]! & F_FIRST_UPPER)) continue;
    if (tokens.hash[i + 1] === FIRST_INSTANCE && !(tokens.flags[i + 1]! & F_NEWLINE_BEFORE)) {
      span.last = i + 1;
      continue;
    }
    if (tokens.hash[i + 1] !== FIRST) continue;
    i += 2;
    if (i < tokens.count && !(tokens.flags[i]! & F_WORD) && charAt(ctx, i) === '-') i++;
    if (i < tokens.count && tokens.hash[i] === INSTANCE && !(tokens.flags[i]! & F_NEWLINE_BEFORE))
      span.last = i;
  }
  spans.length = kept;
}

/** True when `next` is the body `span` is part of, or the seat of the court `span` names. */
function partOf(ctx: RuleContext, span: TokenSpan, next: TokenSpan): boolean {
  const { tokens } = ctx;
  const gap = next.first - span.last - 1;
  const head = tokens.hash[span.last]!;
  const at = span.last + 1;
  if (tokens.flags[next.first]! & F_NEWLINE_BEFORE) return false;
  if (next.tag === ORGANIZATION && BODY_PART.has(head))
    return (
      (gap === 1 && tokens.hash[at] === OF) ||
      (gap === 2 && tokens.hash[at] === OF && tokens.hash[at + 1] === THE)
    );
  return next.tag === LOCATION && COURT.has(head) && gap === 1 && tokens.hash[at] === IN;
}
