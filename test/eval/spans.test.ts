import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mergeAdjacent, tokenCounts } from '../../scripts/eval/spans.js';

describe('tokenCounts', () => {
  it('marks a whitespace token as PII when any span touches it', () => {
    // "Doe," is one token: the gold span ends before the comma, the prediction covers "J" only.
    const text = 'call Jane Doe, now';
    assert.deepEqual(tokenCounts(text, [{ start: 5, end: 13 }], [{ start: 5, end: 6 }]), {
      tp: 1,
      predicted: 1,
      gold: 2,
    });
  });

  it('credits one predicted span over an address the gold splits in three', () => {
    const text = 'at 18 Main Street, Springfield today';
    const gold = [
      { start: 3, end: 5 },
      { start: 6, end: 17 },
      { start: 19, end: 30 },
    ];
    assert.deepEqual(tokenCounts(text, gold, [{ start: 3, end: 30 }]), { tp: 4, predicted: 4, gold: 4 });
  });

  it('counts predicted tokens outside gold as false positives', () => {
    assert.deepEqual(tokenCounts('a b c', [], [{ start: 0, end: 5 }]), { tp: 0, predicted: 3, gold: 0 });
  });
});

describe('mergeAdjacent', () => {
  it('merges spans separated only by a comma and a space', () => {
    assert.deepEqual(
      mergeAdjacent('18, Main', [
        { start: 0, end: 2 },
        { start: 4, end: 8 },
      ]),
      [{ start: 0, end: 8 }],
    );
  });
});
