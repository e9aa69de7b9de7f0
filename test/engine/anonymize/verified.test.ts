import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createAnalyzer } from '../../../src/engine/analyze.js';
import { anonymizeVerified, residualFindings } from '../../../src/engine/anonymize/index.js';
import type { AnonymizedItem } from '../../../src/engine/anonymize/index.js';
import type { Finding } from '../../../src/engine/types.js';

const REPLACE = { default: { operator: 'replace' as const } };

function finding(start: number, end: number, type = 'PERSON'): Finding {
  return { type, start, end, score: 1, recognizer: 'test' };
}

function item(start: number, end: number, type = 'PERSON'): AnonymizedItem {
  return { type, start, end, operator: 'replace' };
}

/** Every item's offsets slice out what the operator wrote. */
function assertItemsSlice(text: string, items: readonly AnonymizedItem[]): void {
  for (const i of items)
    assert.match(text.slice(i.start, i.end), new RegExp(`^<${i.type}_\\d+>$`), JSON.stringify(i));
}

describe('residualFindings', () => {
  it('drops findings inside what an operator wrote and keeps only the outside parts of those reaching into it', () => {
    // "<PERSON_1> Smith, <PERSON_2>": a tagger reading the tag and the surname as one name.
    const items = [item(0, 10), item(18, 28)];
    assert.deepEqual(residualFindings([finding(0, 16), finding(18, 28), finding(20, 24)], items), [
      finding(10, 16),
    ]);
    assert.deepEqual(residualFindings([finding(5, 25)], items), [finding(10, 18)]);
    assert.deepEqual(residualFindings([finding(30, 34)], items), [finding(30, 34)]);
  });
});

describe('anonymizeVerified', () => {
  const analyze = createAnalyzer({ entities: ['EMAIL_ADDRESS', 'US_SSN'] });

  it('returns the plain anonymisation when the re-analysed output holds nothing new', async () => {
    const text = 'mail ann@example.org, ssn 536-22-8172';
    const done = await anonymizeVerified(text, analyze, REPLACE);
    assert.equal(done.text, 'mail <EMAIL_ADDRESS_1>, ssn <US_SSN_1>');
    assertItemsSlice(done.text, done.items);
  });

  it('anonymises what the given findings missed in a second pass, numbering on and keeping every offset exact', async () => {
    const text = 'from ann@example.org to bob@example.org, cc ann@example.org';
    // Findings computed earlier (a stored artifact) that missed the second address.
    const stale = [finding(5, 20, 'EMAIL_ADDRESS'), finding(44, 59, 'EMAIL_ADDRESS')];
    const done = await anonymizeVerified(text, analyze, REPLACE, {}, stale);
    assert.equal(done.text, 'from <EMAIL_ADDRESS_1> to <EMAIL_ADDRESS_2>, cc <EMAIL_ADDRESS_1>');
    assert.equal(done.items.length, 3);
    assertItemsSlice(done.text, done.items);
  });

  it('refuses with VEIL_RESIDUAL_PII, naming no value, when a second pass still leaves something', async () => {
    // A context-sensitive tagger that finds one more name each time its neighbour is replaced.
    const names = ['Zebulon', 'Ottilie', 'Leopold'];
    const oneMoreEachCall = (t: string): Finding[] => {
      const name = names.find((n) => t.includes(n));
      return name === undefined ? [] : [finding(t.indexOf(name), t.indexOf(name) + name.length)];
    };
    await assert.rejects(
      anonymizeVerified(`${names.join(' met ')}.`, oneMoreEachCall, REPLACE),
      (e: unknown) => {
        const error = e as { code?: string; message: string };
        return error.code === 'VEIL_RESIDUAL_PII' && names.every((n) => !error.message.includes(n));
      },
    );
    // Two names: the second pass catches the one the first left.
    const two = await anonymizeVerified('Zebulon met Ottilie.', oneMoreEachCall, REPLACE);
    assert.equal(two.text, '<PERSON_1> met <PERSON_2>.');
  });
});
