/**
 * What every span rule reads: the tokens of one slice of text, their gazetteer bits and the
 * tagger's tags, and the span shape the rules edit. A rule is a function of this context and of
 * the spans it is given; it keeps nothing between calls.
 */
import { beginTag } from '../tags.js';
import type { TokenBuffer } from '../tokenizer.js';

/** One slice of text as the rules see it, built once per slice by `ner/recognizer.ts`. */
export interface RuleContext {
  /** The whole text; token offsets index into it. */
  readonly text: string;
  readonly tokens: TokenBuffer;
  /** Gazetteer membership bits per token (`G` of `ner/gazetteer.ts`). */
  readonly gaz: Int32Array;
  /** The tagger's tag per token (0: outside any entity). */
  readonly tags: Int8Array;
  /** Tokens followed by a comma or "and", noted while the tagged spans are read (`noteListOrPlace`). */
  readonly listStarts: number[];
  /** Capitalised tokens followed by "of", noted while the tagged spans are read (`noteListOrPlace`). */
  readonly placeStarts: number[];
}

/** A tagged span in token indices, before the rules adjust it. */
export interface TokenSpan {
  tag: number;
  first: number;
  last: number;
  margin: number;
  /** Built by a rule from explicit evidence (a legal form); wins over a tagger span it overlaps. */
  rule?: boolean;
}

export const PERSON = beginTag('PERSON');
export const LOCATION = beginTag('LOCATION');
export const ORGANIZATION = beginTag('ORGANIZATION');
export const ADDRESS = beginTag('STREET_ADDRESS');
export const NRP = beginTag('NRP');

/** The tag of a job title found by `jobTitles`: a rule's type, not one of the tagger's. */
export const JOB_TITLE = -1;

/** The margin of a name found by `untaggedWord` (a confidence of 0.6). */
export const LOWER_NAME_MARGIN = 1;

/** The margin of a span built by a rule from explicit evidence (a legal form, a firm's name). */
export const RULE_MARGIN = 8;
