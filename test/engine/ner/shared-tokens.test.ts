// The address grammar reads its regions from the tagger's tokens of the whole text
// (`copyTokens`, src/engine/ner/tokenizer.ts) instead of tokenizing them again: the tokens copied
// must be the ones `tokenize` writes for the region, and the addresses found the same.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { findAddresses, Parser } from '../../../src/engine/ner/address.js';
import {
  copyTokens,
  TokenBuffer,
  tokenize,
  WHOLE_TEXT_TOKENS,
  type WholeTextTokens,
} from '../../../src/engine/ner/tokenizer.js';
import { NER_RECOGNIZER } from '../../../src/engine/ner/recognizer.js';
import { STREET_ADDRESS_RECOGNIZER } from '../../../src/engine/ner/address.js';
import { Scratch } from '../../../src/engine/scratch.js';

/** Pieces of addresses and the characters the tokenizer treats apart (joiners, marks, spaces). */
const PIECES = [
  '12',
  '4022',
  'B',
  'Oakridge',
  'Lane',
  'Main',
  'St.',
  'Apt.',
  'Suite',
  '#',
  'Box',
  'PO',
  'Dallas',
  'TX',
  'Leeds',
  'LS1',
  '4AP',
  'straße',
  'ul.',
  'Karpacka',
  'O’Neil',
  "'",
  '-',
  '‐',
  ',',
  '.',
  '(',
  ')',
  ':',
  'é',
  'e\u0301',
  'İ',
  '東京',
  '\u{1d400}',
  ' ',
  '  ',
  '\t',
  '\u00a0',
  '\u3000',
  '\n',
  '\n\n',
  '\r\n',
  '\u2028',
  '\u0000',
];
const texts = fc.array(fc.constantFrom(...PIECES), { maxLength: 60 }).map((parts) => parts.join(''));

function wholeTokens(text: string): WholeTextTokens {
  const tokens = new TokenBuffer();
  tokenize(text, 0, text.length, tokens);
  const whole = WHOLE_TEXT_TOKENS.create();
  Object.assign(whole, {
    text,
    count: tokens.count,
    start: tokens.start,
    end: tokens.end,
    hash: tokens.hash,
    flags: tokens.flags,
  });
  return whole;
}

function tokensOf(buffer: TokenBuffer): number[][] {
  const rows: number[][] = [];
  for (let i = 0; i < buffer.count; i++)
    rows.push([buffer.start[i]!, buffer.end[i]!, buffer.hash[i]!, buffer.flags[i]!]);
  return rows;
}

test('tokens copied from the whole text equal the region tokenized, whenever a copy is made', () => {
  let copied = 0;
  fc.assert(
    fc.property(texts, fc.nat(), fc.nat(), (text, a, b) => {
      const from = a % (text.length + 1);
      const to = from + (b % (text.length - from + 1));
      const expected = new TokenBuffer();
      tokenize(text, from, to, expected);
      const out = new TokenBuffer();
      if (!copyTokens(wholeTokens(text), text, from, to, out)) return;
      copied++;
      assert.deepEqual(tokensOf(out), tokensOf(expected), JSON.stringify([text, from, to]));
    }),
    { numRuns: 5000 },
  );
  assert.ok(copied > 1000, `only ${copied} regions were copied`);
});

test('a region cut inside a token, or another text, is tokenized afresh', () => {
  const text = 'ABC123 Main St';
  const whole = wholeTokens(text);
  assert.equal(copyTokens(whole, text, 3, text.length, new TokenBuffer()), false);
  assert.equal(copyTokens(whole, text, 0, 5, new TokenBuffer()), false);
  assert.equal(copyTokens(whole, 'ABC124 Main St', 0, 14, new TokenBuffer()), false);
  assert.equal(copyTokens(whole, text, 6, text.length, new TokenBuffer()), true);
});

test('the addresses found from the tagger tokens equal those found tokenizing each region', () => {
  fc.assert(
    fc.property(texts, (text) => {
      const fresh = findAddresses(text, 0, text.length, new Parser());
      const shared = findAddresses(text, 0, text.length, new Parser(), wholeTokens(text));
      assert.deepEqual(shared, fresh, JSON.stringify(text));
    }),
    { numRuns: 3000 },
  );
});

test('a long text with many regions reads the same addresses either way', () => {
  const line = (n: number) => `Visit ${n}: ship to ${n} Oakridge Lane, Apt. ${n % 90}\nDallas TX 4${n}. `;
  const text = Array.from({ length: 200 }, (_, n) => line(n)).join(' '.repeat(130));
  const fresh = findAddresses(text, 0, text.length, new Parser());
  assert.ok(fresh.length >= 200);
  assert.deepEqual(findAddresses(text, 0, text.length, new Parser(), wholeTokens(text)), fresh);
  // As analyze runs them: the tagger records its tokens in the analyzer's scratch, then the
  // address recognizer reads them; a fresh scratch makes it tokenize every region.
  const window = { start: 0, end: text.length };
  const scratch = new Scratch();
  NER_RECOGNIZER.find(text, window, scratch);
  assert.equal(scratch.of(WHOLE_TEXT_TOKENS).text, text);
  assert.deepEqual(
    STREET_ADDRESS_RECOGNIZER.find(text, window, scratch),
    STREET_ADDRESS_RECOGNIZER.find(text, window, new Scratch()),
  );
});
