// A pattern is skipped on a window that lacks a character every match holds
// (src/engine/scan/required-char.ts). The character must be read soundly from the pattern, and
// must match nothing but itself under any flags a recognizer uses.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CASELESS_PUNCTUATION, requiredChars } from '../../src/engine/scan/required-char.js';
import fc from 'fast-check';

describe('requiredChars', () => {
  it('finds punctuation matched in every alternative, outside optional parts', () => {
    assert.equal(requiredChars(/\d{4,6}\/\d{2}/), '/');
    assert.equal(requiredChars(/(?:\d{3}-\d{2}|\d{2}-\d{3})-\d{4}/), '-');
    assert.equal(requiredChars(/[.]\d+/), '.');
    assert.equal(requiredChars(/a@b|c@d/), '@');
    // One of several: a class of punctuation, or an alternation of different characters.
    assert.equal(requiredChars(/\d{1,2}([/.-])\d{1,2}\1\d{2}/), '/-.');
    assert.equal(requiredChars(/\d:\d|\d-\d/), ':-');
    // Several: the rarest in prose.
    assert.equal(requiredChars(/\d+\.\d+\/\d+/), '/');
  });
  it('reports nothing when a match may lack the character', () => {
    assert.equal(requiredChars(/\d{3}-\d{2}-\d{4}|\d{9}/), undefined);
    assert.equal(requiredChars(/\d{3}-?\d{4}/), undefined);
    assert.equal(requiredChars(/(?:-\d)*\d/), undefined);
    assert.equal(requiredChars(/(?=\d\/)\d/), undefined);
    assert.equal(requiredChars(/[-/a]\d/), undefined);
    assert.equal(requiredChars(/\d:\d|\d\d/), undefined);
    assert.equal(requiredChars(/[^-]\d/), undefined);
    assert.equal(requiredChars(/x\d/), undefined);
  });
  it('reports only characters that match nothing else, with or without the i and u flags', () => {
    const others: string[] = [];
    for (const char of CASELESS_PUNCTUATION) {
      const escaped = `\\x${char.charCodeAt(0).toString(16).padStart(2, '0')}`;
      for (const flags of ['i', 'iu']) {
        const regex = new RegExp(`^${escaped}$`, flags);
        for (let point = 0; point <= 0x10ffff; point++)
          if (
            point !== char.charCodeAt(0) &&
            !(point >= 0xd800 && point <= 0xdfff) &&
            regex.test(String.fromCodePoint(point))
          )
            others.push(`${char}/${flags}: U+${point.toString(16)}`);
      }
    }
    assert.deepEqual(others, []);
  });
  it('names a character that every match holds (property, on generated texts)', () => {
    const patterns = [
      /(?<![\p{N}/.-])\d{1,3}\/(?:\d{2}|\d{4})(?![\p{N}]|\/\d)/gu,
      /(?:\d{3}-\d{2}|\d{2}-\d{3})-?\d{4}/g,
      /\d{2}(?:[.:]\d{2}){0,2}:\d{2}/g,
      /(?:a|b)(?:-c)+\.?d/gi,
      /\d+(?:\/\d+)*\.\d/g,
      /\d{1,2}([/.-])\d{1,2}\1\d{2}/g,
      /\d:\d|\d-\d|\d[./]\d/g,
    ];
    fc.assert(
      fc.property(
        fc
          .array(fc.constantFrom(...'0123456789abcdABCD-/.: '.split('')), { maxLength: 60 })
          .map((c) => c.join('')),
        (text) => {
          for (const regex of patterns) {
            const chars = requiredChars(regex);
            if (chars === undefined) continue;
            regex.lastIndex = 0;
            for (const match of text.matchAll(regex))
              assert.ok(
                [...chars].some((c) => match[0].includes(c)),
                `${regex} ${match[0]}`,
              );
          }
        },
      ),
      { numRuns: 2000 },
    );
    assert.deepEqual(
      patterns.map((regex) => requiredChars(regex)),
      ['/', '-', ':', '-', '.', '/-.', '/:-.'],
    );
  });
});
