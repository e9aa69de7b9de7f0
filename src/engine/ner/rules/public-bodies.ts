/**
 * A country's own public bodies named without a place: "the Court of Cassation", "the Turkish
 * Government", "the Supreme Administrative Court", "Republic of Turkey", "Ministry of Defence". There
 * is one of each per country, so the name says nothing about a person: de-identification guidelines
 * (TAB's among them) leave them unmasked. A body named with a place ("the Kayseri Administrative
 * Court", "Wronki Prison") locates its case and is kept.
 */
import { EVERYDAY, G } from '../gazetteer.js';
import { F_ALL_UPPER, F_FIRST_UPPER, F_HAS_DIGIT, F_WORD, WordSet } from '../tokenizer.js';
import { ORGANIZATION, type RuleContext, type TokenSpan } from './context.js';

/** Words naming a state body that exists once per country. */
const BODY = new WordSet([
  'court',
  'courts',
  'tribunal',
  'government',
  'ministry',
  'republic',
  'parliament',
  'prosecutor',
]);

/**
 * Words of courts' and ministries' names that name no place but are missing from the everyday
 * word list (a British spelling, a legal term).
 */
const INSTITUTIONAL = new WordSet([
  'cassation',
  'assize',
  'assizes',
  'directorate',
  'gendarmerie',
  'defence',
  'inland',
  'martial',
]);

/**
 * Drops organisation spans that name a national public body (see the module comment): a body
 * word, and otherwise only everyday or institutional words, function words, countries and
 * nationalities. A city, or a word in no list (most places are), keeps the span.
 *
 * @example
 * ```ts
 * // "appealed to the Court of Cassation" → the span "Court of Cassation" is dropped;
 * // "appealed to the Kayseri Administrative Court" → kept.
 * dropNationalBodies(ctx, spans);
 * ```
 */
export function dropNationalBodies(ctx: RuleContext, spans: TokenSpan[]): void {
  let kept = 0;
  for (const span of spans) if (!(span.tag === ORGANIZATION && nationalBody(ctx, span))) spans[kept++] = span;
  spans.length = kept;
}

function nationalBody(ctx: RuleContext, span: TokenSpan): boolean {
  const { tokens, gaz } = ctx;
  // "Kayseri" + "Administrative Court" tagged as a place and a body: the place locates the body.
  if (span.first > 0 && placeLike(ctx, span.first - 1)) return false;
  let body = false;
  for (let i = span.first; i <= span.last; i++) {
    const flags = tokens.flags[i]!;
    if (!(flags & F_WORD) || gaz[i]! & (G.function | G.connector)) continue;
    if (flags & F_HAS_DIGIT || !(flags & (F_FIRST_UPPER | F_ALL_UPPER)) || placeLike(ctx, i)) return false;
    if (BODY.has(tokens.hash[i]!)) body = true;
  }
  return body;
}

/**
 * A capitalised word that may name a place below a country: a city that is no everyday word, or
 * a word in no list at all (most places are). Countries and nationalities name the state itself
 * (the country gazetteer holds cities too, so a city wins).
 */
function placeLike(ctx: RuleContext, i: number): boolean {
  const flags = ctx.tokens.flags[i]!;
  const bits = ctx.gaz[i]!;
  if (!(flags & F_WORD) || !(flags & (F_FIRST_UPPER | F_ALL_UPPER)) || bits & G.function) return false;
  const hash = ctx.tokens.hash[i]!;
  if (EVERYDAY.has(hash) || INSTITUTIONAL.has(hash) || BODY.has(hash)) return false;
  return (bits & G.city) !== 0 || !(bits & (G.country | G.nrp));
}
