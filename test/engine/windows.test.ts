// Windows are snapped outward to whitespace (src/engine/scan/windows.ts) with a character-code
// test instead of a `\s` regex call per character; the two must agree on every UTF-16 code unit.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isSpaceCode, windowsFor } from '../../src/engine/scan/windows.js';
import { TRIGGERS } from '../../src/engine/scan/triggers.js';

test('isSpaceCode agrees with \\s on every code unit', () => {
  const differ: number[] = [];
  for (let code = 0; code <= 0xffff; code++)
    if (isSpaceCode(code) !== /\s/.test(String.fromCharCode(code))) differ.push(code);
  assert.deepEqual(differ, []);
});

test('windows snap outward to any white space, a no-break space and an ideographic space included', () => {
  const text = `word\u00a0${'x'.repeat(20)}1${'y'.repeat(20)}\u3000tail`;
  assert.deepEqual(windowsFor(text, TRIGGERS.digit), [{ start: 5, end: 46 }]);
});
