import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { characterDoubts } from '../../src/documents/ocr/ctc-doubt.js';
import { lexiconCorrected, numbersCorrected } from '../../src/documents/ocr/ctc-lexicon.js';
import { ctcWords } from '../../src/documents/ocr/paddle-decode.js';
import { ctcClasses } from './ctc-lines.js';

const { classes, line } = ctcClasses(['U', '1', '3', '/', 'E', 'B', 'G', 'e', '8', 'O', '0', 'A', 'N']);

/**
 * Steps reading `text`, each character in one step followed by a blank one (so a repeated character
 * stays two), sure of each unless `unsure` gives its probabilities.
 */
function reading(text: string, unsure: Record<number, Record<string, number>> = {}) {
  return line([...text].flatMap((char, k) => [unsure[k] ?? { [char]: 1 }, { '': 1 }]));
}

const round = (doubts: number[][]): number[][] => doubts.map((d) => d.map((x) => Math.round(x * 100) / 100));

describe('how doubtful each letter and digit of a reading is', () => {
  test('a letter of a code the model also saw as another letter: its probability; sure ones and marks 0', () => {
    // `U13/EG` where the print says `U13/BG`: the E read at 0.81, a B at 0.12, an e (the same letter) at 0.05.
    const ctc = reading('U13/EG', { 4: { E: 0.81, B: 0.12, e: 0.05, '/': 0.02 } });
    const read = ctcWords(ctc.probabilities, ctc.steps, classes);
    assert.deepEqual(read[0]!.text, 'U13/EG');
    assert.ok(read[0]!.confidence > 0.96, 'the mean confidence hides the doubtful letter');
    assert.deepEqual(round(characterDoubts(read, read, ctc, null)), [[0, 0, 0, 0, 0.12, 0]]);
  });

  test('a letter in a digit run counts only where letters and digits mix (a code), not in a number', () => {
    // `8100` read with its 0 seen a little as an O: numbersCorrected puts a lone O among digits right.
    const number = reading('8100', { 2: { '0': 0.6, O: 0.4 } });
    const numberRead = ctcWords(number.probabilities, number.steps, classes);
    assert.deepEqual(round(characterDoubts(numberRead, numberRead, number, null)), [[0, 0, 0, 0]]);
    // `B10` (a code): a 0 seen as an O could be either, and no correction decides it.
    const code = reading('B10', { 2: { '0': 0.6, O: 0.4 } });
    const codeRead = ctcWords(code.probabilities, code.steps, classes);
    assert.deepEqual(round(characterDoubts(codeRead, codeRead, code, null)), [[0, 0, 0.4]]);
  });

  test("a lexicon word's letters and a corrected character are not doubted", () => {
    const ctc = reading('BANG', { 1: { A: 0.7, E: 0.3 } });
    const read = ctcWords(ctc.probabilities, ctc.steps, classes);
    assert.deepEqual(round(characterDoubts(read, read, ctc, null)), [[0, 0.3, 0, 0]]);
    assert.deepEqual(round(characterDoubts(read, read, ctc, new Set(['BANG']))), [[0, 0, 0, 0]]);
    // `81O0` read with a lone letter in a number: the correction's digit is not doubted.
    const number = reading('81O0', { 2: { O: 0.55, '0': 0.45 } });
    const numberRead = ctcWords(number.probabilities, number.steps, classes);
    const corrected = numbersCorrected(numberRead, number, { below: 0.9, margin: 3 });
    assert.equal(corrected[0]!.text, '8100');
    assert.deepEqual(round(characterDoubts(numberRead, corrected, number, null)), [[0, 0, 0, 0]]);
  });

  test('a word a correction made longer or shorter is not doubted', () => {
    const ctc = reading('BAN', { 1: { A: 0.5, '': 0.3, E: 0.2 } });
    const read = ctcWords(ctc.probabilities, ctc.steps, classes);
    const corrected = lexiconCorrected(read, ctc, new Set(['BN']), { below: 0.95, margin: 3 });
    assert.equal(corrected[0]!.text, 'BN');
    assert.deepEqual(characterDoubts(read, corrected, ctc, null), [[0, 0]]);
  });
});
