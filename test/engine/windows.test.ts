// Windows are snapped outward to whitespace (src/engine/scan/windows.ts) with a character-code
// test instead of a `\s` regex call per character; the two must agree on every UTF-16 code unit.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isSpaceCode, windowsFor } from '../../src/engine/scan/windows.js';
import fc from 'fast-check';
import { TRIGGERS } from '../../src/engine/scan/triggers.js';
import { textRuns } from '../../src/engine/scan/text-runs.js';
import type { TextWindow, Trigger } from '../../src/engine/types.js';

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

/**
 * The windows as the class the accumulation replaced computed them: each hit widened by the
 * margin and merged with the open stretch as it came, each stretch snapped outward to white space
 * (at most `margin` further), then touching windows merged. The specification the loop must keep.
 */
function referenceWindows(text: string, trigger: Trigger): TextWindow[] {
  if (trigger.kind === 'all') return text.length === 0 ? [] : [{ start: 0, end: text.length }];
  const { margin } = trigger;
  const hits: [number, number][] = [];
  if (trigger.kind === 'digitRun') {
    for (const m of text.matchAll(/[0-9]+/g))
      if (m[0].length >= trigger.minRun) hits.push([m.index, m.index + m[0].length]);
  } else {
    const pattern = new RegExp(trigger.pattern.source, trigger.pattern.flags.replace('g', '') + 'g');
    for (const m of text.matchAll(pattern)) hits.push([m.index, m.index + m[0].length]);
  }
  const snap = (start: number, end: number): TextWindow => {
    let s = start;
    while (s > 0 && s > start - margin && !/\s/.test(text[s - 1]!)) s--;
    let e = end;
    while (e < text.length && e < end + margin && !/\s/.test(text[e]!)) e++;
    return { start: s, end: e };
  };
  const found: TextWindow[] = [];
  let open: [number, number] | undefined;
  for (const [hitStart, hitEnd] of hits) {
    if (open && hitStart - margin <= open[1]) {
      open[1] = Math.max(open[1], Math.min(text.length, hitEnd + margin));
      continue;
    }
    if (open) found.push(snap(open[0], open[1]));
    open = [Math.max(0, hitStart - margin), Math.min(text.length, hitEnd + margin)];
  }
  if (open) found.push(snap(open[0], open[1]));
  const merged: TextWindow[] = [];
  for (const window of found) {
    const last = merged[merged.length - 1];
    if (last && window.start <= last.end)
      merged[merged.length - 1] = { start: last.start, end: Math.max(last.end, window.end) };
    else merged.push(window);
  }
  return merged;
}

const PIECES = [
  '1',
  '12',
  '12345',
  '123456789',
  ' ',
  '  ',
  '\n',
  '\u00a0',
  'a',
  'word',
  'x'.repeat(30),
  '@',
  '://',
  'www.',
  '-',
];

test('windows from plain hit arrays equal the windows the hit-by-hit class built', () => {
  const triggers: Trigger[] = [
    TRIGGERS.digit,
    { kind: 'digitRun', id: 'd5', minRun: 5, margin: 3 },
    { kind: 'digitRun', id: 'd2', minRun: 2, margin: 40 },
    { kind: 'pattern', id: 'at', pattern: /@/g, margin: 8 },
    { kind: 'pattern', id: 'url', pattern: /:\/\/|www\./g, margin: 0 },
  ];
  fc.assert(
    fc.property(
      fc.array(fc.constantFrom(...PIECES), { maxLength: 60 }).map((parts) => parts.join('')),
      fc.constantFrom(...triggers),
      fc.boolean(),
      (text, trigger, withRuns) => {
        const runs = withRuns && trigger.kind === 'digitRun' ? textRuns(text).digitRuns : undefined;
        assert.deepEqual(
          windowsFor(text, trigger, runs),
          referenceWindows(text, trigger),
          JSON.stringify(text),
        );
      },
    ),
    { numRuns: 3000 },
  );
});
