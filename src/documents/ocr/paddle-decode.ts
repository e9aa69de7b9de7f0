/** One character of a decoded line: its text, the time steps it spans (inclusive), its probability. */
export interface DecodedChar {
  readonly text: string;
  readonly first: number;
  readonly last: number;
  readonly probability: number;
}

/** One word of a decoded line: its text, its span in the model's time steps, and a confidence. */
export interface DecodedWord {
  readonly text: string;
  /** First and last time step of its characters (inclusive). */
  readonly first: number;
  readonly last: number;
  /** Mean probability of its characters, in [0, 1]. */
  readonly confidence: number;
  readonly chars: readonly DecodedChar[];
}

/**
 * The recognition model's classes: index 0 is CTC's blank, then the dictionary's characters, then
 * a space (PaddleOCR's `use_space_char`). Classes whose text is not Latin script (the Chinese
 * model's dictionary is mostly CJK) are left out of decoding: Veil reads Latin-script documents,
 * and a Latin reading of a smudge is likelier right than a Han one. Full-width forms are folded
 * to their ASCII twins (NFKC).
 */
export interface Classes {
  readonly text: readonly string[];
  /** Class indices decoding may choose (blank included). */
  readonly allowed: Int32Array;
  readonly space: number;
}

/**
 * The classes of a PaddleOCR dictionary file (one character a line).
 *
 * @example
 * ```ts
 * const classes = dictionaryClasses(readFileSync(keysPath, 'utf8'));
 * ```
 */
export function dictionaryClasses(dictionary: string): Classes {
  const keys = dictionary.split('\n');
  if (keys.at(-1) === '') keys.pop();
  const text = ['', ...keys.map((k) => k.replace(/\r$/, '').normalize('NFKC')), ' '];
  const allowed: number[] = [];
  text.forEach((t, i) => {
    if (i === 0 || /^[\p{Script=Latin}\p{N}\p{P}\p{S} ]$/u.test(t)) allowed.push(i);
  });
  return { text, allowed: Int32Array.from(allowed), space: text.length - 1 };
}

/**
 * Greedy CTC decoding of one line's class probabilities (`steps` × `classes.text.length`, row by
 * row) into words split at spaces, and also between two characters `apart(before, after)` says
 * are apart (the Chinese-English model often reads no space between English words: the caller
 * looks at the image between them).
 *
 * @example
 * ```ts
 * ctcWords(output.data as Float32Array, output.dims[1], classes); // [{ text: 'TOTAL', first: 2, last: 11, … }]
 * ```
 */
export function ctcWords(
  probabilities: Float32Array,
  steps: number,
  classes: Classes,
  apart: (before: DecodedChar, after: DecodedChar) => boolean = () => false,
): DecodedWord[] {
  const width = classes.text.length;
  const words: DecodedWord[] = [];
  let chars: DecodedChar[] = [];
  const close = (): void => {
    if (chars.length === 0) return;
    words.push({
      text: chars.map((c) => c.text).join(''),
      first: chars[0]!.first,
      last: chars.at(-1)!.last,
      confidence: chars.reduce((sum, c) => sum + c.probability, 0) / chars.length,
      chars,
    });
    chars = [];
  };
  let previous = 0;
  for (let t = 0; t < steps; t++) {
    const row = t * width;
    let best = 0;
    let bestP = -1;
    for (const c of classes.allowed) {
      const p = probabilities[row + c]!;
      if (p > bestP) {
        bestP = p;
        best = c;
      }
    }
    if (best === classes.space) close();
    else if (best !== 0 && best === previous && chars.length > 0) {
      const last = chars.at(-1)!;
      chars[chars.length - 1] = { ...last, last: t };
    } else if (best !== 0) {
      const char = { text: classes.text[best]!, first: t, last: t, probability: bestP };
      if (chars.length > 0 && apart(chars.at(-1)!, char)) close();
      chars.push(char);
    }
    previous = best;
  }
  close();
  return words;
}
