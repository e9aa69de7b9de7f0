import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyze, anonymize, anonymizeVerified, deanonymize, InMemoryTokenVault } from '../src/index.js';

test('the package entry offers analyze and anonymize together, with no server', async () => {
  const text = 'Mail jane.doe@example.org';
  const { text: safe, items } = await anonymize(text, analyze(text), { default: { operator: 'replace' } });
  assert.equal(safe, 'Mail <EMAIL_ADDRESS_1>');
  assert.deepEqual(
    items.map((i) => [i.type, i.operator]),
    [['EMAIL_ADDRESS', 'replace']],
  );
  assert.equal(typeof anonymizeVerified, 'function');
  assert.equal(typeof deanonymize, 'function');
  assert.equal(typeof InMemoryTokenVault, 'function');
});
