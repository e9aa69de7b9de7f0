import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  addErrors,
  matchCount,
  mergeAdjacent,
  tokenCounts,
  type ErrorTally,
} from '../../scripts/eval/spans.js';

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

describe('addErrors', () => {
  const tallyOf = (
    text: string,
    gold: { start: number; end: number; type: string }[],
    predicted: typeof gold,
  ) => {
    const tally = new Map<string, ErrorTally>();
    const confusions = new Map<string, number>();
    addErrors(text, gold, predicted, tally, confusions);
    return { tally: Object.fromEntries(tally), confusions: Object.fromEntries(confusions) };
  };

  it('names a title the prediction adds on the left', () => {
    const text = 'ask Dr. Ann Lee';
    assert.deepEqual(
      tallyOf(text, [{ start: 8, end: 15, type: 'PERSON' }], [{ start: 4, end: 15, type: 'PERSON' }]),
      {
        tally: { 'boundary PERSON +L title': { fn: 1, fp: 1 } },
        confusions: {},
      },
    );
  });

  it('charges one whole prediction once for the gold parts it covers', () => {
    const text = 'at 18 Main Street, Springfield';
    const gold = [
      { start: 3, end: 17, type: 'ADDRESS' },
      { start: 19, end: 30, type: 'LOCATION' },
    ];
    assert.deepEqual(tallyOf(text, gold, [{ start: 3, end: 30, type: 'STREET_ADDRESS' }]).tally, {
      'gold in parts, predicted whole ADDRESS': { fn: 1, fp: 1 },
      'gold in parts, predicted whole LOCATION': { fn: 1, fp: 0 },
    });
  });

  it('tells misses and false alarms apart, and counts type confusions of matches', () => {
    const text = 'Ann met Bob in Rome';
    const gold = [
      { start: 0, end: 3, type: 'PERSON' },
      { start: 8, end: 11, type: 'PERSON' },
    ];
    const predicted = [
      { start: 0, end: 3, type: 'LOCATION' },
      { start: 15, end: 19, type: 'LOCATION' },
    ];
    assert.equal(matchCount(gold, predicted, 0.9), 1);
    assert.deepEqual(tallyOf(text, gold, predicted), {
      tally: { 'missed PERSON': { fn: 1, fp: 0 }, 'false alarm LOCATION': { fn: 0, fp: 1 } },
      confusions: { 'PERSON -> LOCATION': 1 },
    });
  });
});
