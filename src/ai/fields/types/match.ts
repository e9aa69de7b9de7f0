import type { FieldCheck, FieldSpec, FieldValue } from '../spec.js';

/** A value of a field's type found in a stretch of text, normalised, with the checks it passed. */
export interface ValueMatch {
  /** Offsets of the value in the text searched (`end` exclusive). */
  readonly start: number;
  readonly end: number;
  readonly value: FieldValue;
  readonly checks: readonly FieldCheck[];
  /** How unambiguous the reading is, in [0, 1]: an ambiguous day/month order or a bare integer as money score lower. */
  readonly quality: number;
}

/** Finds every value of one type in a text; the text is one line (or one label's neighbourhood) of a document. */
export type ValueFinder = (text: string, spec: FieldSpec) => ValueMatch[];

/** A passed (or failed) check, as results list them. */
export const check = (name: string, passed = true): FieldCheck => ({ name, passed });
