import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  addErrors,
  levelCounts,
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

describe('levelCounts', () => {
  // "Dr. Ann Lee at 18 Main Street, Springfield": a titled name and an address, each with parts.
  const person = {
    start: 0,
    end: 11,
    parts: [
      { start: 0, end: 3 },
      { start: 4, end: 11 },
    ],
  };
  const address = {
    start: 15,
    end: 42,
    parts: [
      { start: 15, end: 29 },
      { start: 31, end: 42 },
    ],
  };

  it('scores each finding as its parts in the headline, and whole as reported', () => {
    // The gold splits the title from the name but keeps the address whole.
    const gold = [
      { start: 0, end: 3 },
      { start: 4, end: 11 },
      { start: 15, end: 42 },
    ];
    assert.deepEqual(levelCounts(gold, [person, address], 0.9), {
      whole: { tp: 1, pred: 2 },
      parts: { tp: 2, pred: 4 },
      oracle: { tp: 3, pred: 3 },
    });
  });

  it('scores a finding without parts as its whole span at every level', () => {
    const email = { start: 50, end: 70 };
    const counts = levelCounts([{ start: 50, end: 70 }], [email], 0.9);
    assert.deepEqual(counts, {
      whole: { tp: 1, pred: 1 },
      parts: { tp: 1, pred: 1 },
      oracle: { tp: 1, pred: 1 },
    });
  });

  it('never matches a gold span to parts of two findings', () => {
    // The gold span runs across the end of one finding and the start of the next.
    const gold = [{ start: 4, end: 20 }];
    const first = { start: 0, end: 11, parts: [{ start: 4, end: 11 }] };
    const second = { start: 12, end: 20, parts: [{ start: 12, end: 20 }] };
    assert.deepEqual(levelCounts(gold, [first, second], 0.9).oracle, { tp: 0, pred: 2 });
  });
});
