// A pattern is skipped on a window that lacks a character every match holds
// (src/engine/scan/required-char.ts). The character must be read soundly from the pattern, and
// must match nothing but itself under any flags a recognizer uses.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CASELESS_PUNCTUATION, requiredChar } from '../../src/engine/scan/required-char.js';
import fc from 'fast-check';

describe('requiredChar', () => {
  it('finds punctuation matched in every alternative, outside optional parts', () => {
    assert.equal(requiredChar(/\d{4,6}\/\d{2}/), '/');
    assert.equal(requiredChar(/(?:\d{3}-\d{2}|\d{2}-\d{3})-\d{4}/), '-');
    assert.equal(requiredChar(/[.]\d+/), '.');
    assert.equal(requiredChar(/a@b|c@d/), '@');
    // Several: the rarest in prose.
    assert.equal(requiredChar(/\d+\.\d+\/\d+/), '/');
  });
  it('reports nothing when a match may lack the character', () => {
    assert.equal(requiredChar(/\d{3}-\d{2}-\d{4}|\d{9}/), undefined);
    assert.equal(requiredChar(/\d{3}-?\d{4}/), undefined);
    assert.equal(requiredChar(/(?:-\d)*\d/), undefined);
    assert.equal(requiredChar(/(?=\d\/)\d/), undefined);
    assert.equal(requiredChar(/[-/]\d/), undefined);
    assert.equal(requiredChar(/[^-]\d/), undefined);
    assert.equal(requiredChar(/x\d/), undefined);
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
    ];
    fc.assert(
      fc.property(
        fc
          .array(fc.constantFrom(...'0123456789abcdABCD-/.: '.split('')), { maxLength: 60 })
          .map((c) => c.join('')),
        (text) => {
          for (const regex of patterns) {
            const char = requiredChar(regex);
            if (char === undefined) continue;
            regex.lastIndex = 0;
            for (const match of text.matchAll(regex))
              assert.ok(match[0].includes(char), `${regex} ${match[0]}`);
          }
        },
      ),
      { numRuns: 2000 },
    );
    assert.deepEqual(
      patterns.map((regex) => requiredChar(regex)),
      ['/', '-', ':', '-', '.'],
    );
  });
});
