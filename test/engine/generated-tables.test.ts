/**
 * The engine's generated tables (regex facts, the gazetteers' hash table) are what the patterns
 * and word lists give now: a pattern or gazetteer change without `npm run generate:engine-tables`
 * fails here, and loading the engine reads no pattern's syntax tree while they are current.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { EVERYDAY, G, gazetteerBits } from '../../src/engine/ner/gazetteer.js';
import { hashWord } from '../../src/engine/ner/tokenizer.js';
import { patternRecognizer } from '../../src/engine/recognizers/pattern.js';
import { readRegexFacts, regexFacts, regexFactsReadAtRunTime } from '../../src/engine/scan/regex-facts.js';
import { builtInPatterns, engineTables, REGENERATE_COMMAND } from '../../scripts/engine/tables-source.js';
import { repoUrl } from '../repo-paths.js';

// Read before anything below builds a recognizer: what loading the built-in ones cost.
const readWhileLoading = regexFactsReadAtRunTime();

describe('generated engine tables', () => {
  it('match what the patterns and gazetteers give now', () => {
    for (const table of engineTables()) {
      const committed = readFileSync(repoUrl(table.path), 'utf8');
      assert.ok(committed === table.text, `${table.path} is stale: run \`${REGENERATE_COMMAND}\``);
    }
  });

  it('spare loading the built-in recognizers every syntax-tree read', () => {
    assert.ok(builtInPatterns().length > 100, 'the built-in patterns are found');
    assert.equal(
      readWhileLoading,
      0,
      `built-in patterns missing from the regex-facts table: run \`${REGENERATE_COMMAND}\``,
    );
  });

  it('give each built-in pattern the facts its syntax tree gives', () => {
    for (const regex of builtInPatterns())
      assert.deepEqual(regexFacts(regex), readRegexFacts(regex), String(regex));
  });

  it('leave a pattern they do not hold to be read at run time', () => {
    const before = regexFactsReadAtRunTime();
    const regex = /EMP-\d{6}\/\d{2}/;
    assert.deepEqual(regexFacts(regex), {
      requiredChars: '/',
      requiredWords: ['EMP-'],
      minDigits: 8,
      maxMatchLength: 13,
      minDigitRun: 6,
      minCapitalRun: 6,
      minLetterDigitPair: 0,
      // The six digits between "-" and "/" are a whole run.
      digitRunLengths: 1 << 5,
    });
    const recognizer = patternRecognizer({
      name: 'emp',
      entity: 'EMPLOYEE_ID',
      patterns: [{ regex, score: 0.6 }],
    });
    assert.equal(regexFactsReadAtRunTime(), before + 2);
    assert.deepEqual(recognizer.patterns, [regex]);
    assert.equal(recognizer.minDigits, 8);
    assert.deepEqual(
      recognizer.find('id EMP-123456/78.', { start: 0, end: 17 }).map((f) => [f.start, f.end]),
      [[3, 16]],
    );
  });

  it('hold the gazetteers and the everyday words by hash', () => {
    assert.ok(gazetteerBits(hashWord('Paris')) & G.city);
    assert.ok(gazetteerBits(hashWord('the')) & G.function);
    assert.ok(gazetteerBits(hashWord('van')) & G.connector);
    assert.equal(gazetteerBits(hashWord('qzxwvkj')), 0);
    assert.ok(EVERYDAY.has(hashWord('house')));
    assert.ok(!EVERYDAY.has(hashWord('qzxwvkj')));
  });
});
