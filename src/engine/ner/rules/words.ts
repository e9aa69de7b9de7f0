/** Word tests and word hashes several rule families share. */
import { EVERYDAY, G } from '../gazetteer.js';
import {
  F_ALL_UPPER,
  F_FIRST_UPPER,
  F_JOINED,
  F_NEWLINE_BEFORE,
  F_WORD,
  hashWord,
  WordSet,
} from '../tokenizer.js';
import type { RuleContext } from './context.js';

export const AND = hashWord('and');
export const OR = hashWord('or');
export const OF = hashWord('of');
export const THE = hashWord('the');
/** Punctuation tokens carry the hash of their character, so one compare finds a comma. */
export const COMMA = hashWord(',');

/** Prepositions after which a name is more likely a place. */
export const PLACE_PREPOSITION = new WordSet(['in', 'to', 'from', 'near', 'into', 'at']);

/** Lower-case words before a noun that make a capitalised one a common noun ("the Tribunal", "his Commanding Officer"). */
export const DETERMINER = new WordSet([
  'the',
  'a',
  'an',
  'his',
  'her',
  'its',
  'their',
  'our',
  'your',
  'my',
  'this',
  'that',
]);

/** The first character of token `i` (the whole token, for punctuation). */
export function charAt(ctx: RuleContext, i: number): string {
  return ctx.text.charAt(ctx.tokens.start[i]!);
}

const APOSTROPHE = 39;
const RIGHT_QUOTE = 0x2019;

/** 2 when token `i` ends in a possessive "'s", else 0. */
export function possessiveLength(ctx: RuleContext, i: number): number {
  const { tokens } = ctx;
  if (!(tokens.flags[i]! & F_JOINED)) return 0;
  const end = tokens.end[i]!;
  if (end - tokens.start[i]! < 4) return 0;
  const s = ctx.text.charCodeAt(end - 1) | 32;
  const mark = ctx.text.charCodeAt(end - 2);
  return s === 115 && (mark === APOSTROPHE || mark === RIGHT_QUOTE) ? 2 : 0;
}

/** "Obligations", "Regulations": the plural of an everyday word. */
export function everydayPlural(ctx: RuleContext, i: number): boolean {
  const { tokens } = ctx;
  const end = tokens.end[i]!;
  return (
    (ctx.text.charCodeAt(end - 1) | 32) === 115 &&
    EVERYDAY.has(hashWord(ctx.text.slice(tokens.start[i]!, end - 1)))
  );
}

/** A capitalised word that is no function word, month or week day. */
export function isNameWord(ctx: RuleContext, i: number): boolean {
  const flags = ctx.tokens.flags[i]!;
  return (
    (flags & F_WORD) !== 0 &&
    (flags & (F_FIRST_UPPER | F_ALL_UPPER)) !== 0 &&
    !(ctx.gaz[i]! & (G.function | G.month | G.weekday))
  );
}

/** True when token `i` starts a sentence or a line (its capital comes from its position). */
export function sentenceInitial(ctx: RuleContext, i: number): boolean {
  const { tokens } = ctx;
  if (i === 0 || tokens.flags[i]! & F_NEWLINE_BEFORE) return true;
  const previous = i - 1;
  return !(tokens.flags[previous]! & F_WORD) && '.!?:;"“”•*'.includes(charAt(ctx, previous));
}
