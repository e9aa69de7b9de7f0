import type { CtcLine } from './ctc-lexicon.js';
import type { Classes, DecodedChar, DecodedWord } from './paddle-decode.js';

/** Whether a class is a letter, a digit, or neither, and its letter without case. */
interface ClassKind {
  readonly kind: 'letter' | 'digit' | null;
  readonly folded: string;
}

const kindsOf = new WeakMap<Classes, ClassKind[]>();

function classKinds(classes: Classes): ClassKind[] {
  let kinds = kindsOf.get(classes);
  if (kinds === undefined) {
    kinds = classes.text.map((text) => ({ kind: kindOf(text), folded: text.toUpperCase() }));
    kindsOf.set(classes, kinds);
  }
  return kinds;
}

function kindOf(text: string): 'letter' | 'digit' | null {
  if (/^\p{L}$/u.test(text)) return 'letter';
  if (/^\p{N}$/u.test(text)) return 'digit';
  return null;
}

/**
 * For each character of each of a line's final words, how likely the recognition model found it
 * to be another letter or digit: the probability it gave, at the step where it was surest of the
 * character, to every letter or digit that is not the character in either case. The characters a
 * reading can get wrong without any later check noticing are the ones counted; the others are 0:
 *
 * - punctuation and spaces (a field's value is compared letters and digits first);
 * - characters a correction replaced, and the letters of a run that is a lexicon word: the model's
 *   alternatives there were weighed against the lexicon (`ctc-lexicon.ts`), and a misread that
 *   lands on another lexicon word is rare;
 * - a digit's letter alternatives in a run of digits, and a letter's digit alternatives in a run
 *   of letters (`81100` seen a little as `8110O`, `CO` as `C0`): a letter among digits or a digit
 *   among letters is what `numbersCorrected` and `lettersCorrected` put right, so only
 *   a run that mixes the two (`U13`, `115G`), a code, keeps them.
 *
 * Each word's list has one entry per character of its text (UTF-16 units), or is all zeros when
 * a correction changed the word's length. `read` are the words as greedy decoding gave them,
 * `final` the same words after the corrections (index for index, as the corrections map them).
 *
 * @example
 * ```ts
 * characterDoubts(read, final, line, ADDRESS_LEXICON); // [[0, 0, 0, 0, 0.17, 0.01]] for 'U13/EG'
 * ```
 */
export function characterDoubts(
  read: readonly DecodedWord[],
  final: readonly DecodedWord[],
  line: CtcLine,
  lexicon: ReadonlySet<string> | null,
): number[][] {
  return final.map((word, i) => {
    const before = read[i];
    const doubts = new Array<number>(word.text.length).fill(0);
    if (before === undefined || before.text.length !== word.text.length) return doubts;
    const chars = charsAt(before);
    if (chars === undefined) return doubts;
    const checked = new Array<boolean>(word.text.length).fill(false);
    for (let k = 0; k < word.text.length; k++) if (word.text[k] !== before.text[k]) checked[k] = true;
    if (lexicon)
      for (const run of word.text.matchAll(/\p{L}+/gu))
        if (lexicon.has(run[0].toUpperCase()))
          for (let k = run.index; k < run.index + run[0].length; k++) checked[k] = true;
    for (const run of word.text.matchAll(/[\p{L}\p{N}]+/gu)) {
      const mixed = /\p{L}/u.test(run[0]) && /\p{N}/u.test(run[0]);
      for (let k = run.index; k < run.index + run[0].length; k++)
        if (!checked[k]) doubts[k] = otherReadings(chars[k]!, line, mixed);
    }
    return doubts;
  });
}

/** The decoded character behind each UTF-16 unit of a word's text, or nothing when one spans several. */
function charsAt(word: DecodedWord): DecodedChar[] | undefined {
  const out: DecodedChar[] = [];
  for (const char of word.chars) {
    if (char.text.length !== 1) return undefined;
    out.push(char);
  }
  return out;
}

/**
 * The probability of the letters and digits other than `char` (either case) at the step where the
 * model gave `char` the most; letters for a digit and digits for a letter only in a `mixed` run.
 */
function otherReadings(char: DecodedChar, line: CtcLine, mixed: boolean): number {
  const kinds = classKinds(line.classes);
  const own = kindOf(char.text);
  const folded = char.text.toUpperCase();
  const width = line.classes.text.length;
  const probabilities = line.probabilities;
  let peak = char.first;
  let peakP = -1;
  for (let t = char.first; t <= char.last; t++) {
    let p = 0;
    for (const c of line.classes.allowed) if (kinds[c]!.folded === folded) p += probabilities[t * width + c]!;
    if (p > peakP) [peak, peakP] = [t, p];
  }
  let other = 0;
  for (const c of line.classes.allowed) {
    const { kind, folded: f } = kinds[c]!;
    if (kind === null || f === folded || (kind !== own && !mixed)) continue;
    other += probabilities[peak * width + c]!;
  }
  return other;
}
