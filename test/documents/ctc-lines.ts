/**
 * Hand-written recognition output for the CTC decoding tests: a dictionary of a few characters
 * and lines of class probabilities over it, step by step.
 */
import { dictionaryClasses } from '../../src/documents/ocr/paddle-decode.js';

/**
 * Classes for `characters` (0 is the blank, then the characters, then the space) and a builder of
 * lines over them: one map per step from a character to its probability, '' for the blank.
 *
 * @example
 * ```ts
 * const { classes, line } = ctcClasses(['A', 'N']);
 * const ctc = line([{ A: 0.9, '': 0.1 }, { '': 1 }, { N: 1 }]);
 * ```
 */
export function ctcClasses(characters: readonly string[]) {
  const classes = dictionaryClasses(characters.join('\n'));
  const at = (char: string): number => classes.text.indexOf(char);
  const line = (steps: Record<string, number>[]) => {
    const width = classes.text.length;
    const probabilities = new Float32Array(steps.length * width);
    steps.forEach((row, t) => {
      for (const [char, p] of Object.entries(row))
        probabilities[t * width + (char === '' ? 0 : at(char))] = p;
    });
    return { probabilities, steps: steps.length, classes };
  };
  return { classes, at, line };
}
