import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createAnalyzer } from '../../src/engine/analyze.js';

const run = createAnalyzer({ threshold: 0 });
const SIZE = 100_000;

/** Inputs shaped to make backtracking regular expressions explode. A hang times the test out. */
const ADVERSARIAL: Record<string, string> = {
  digits: '1'.repeat(SIZE),
  'digit-dash': '1-'.repeat(SIZE / 2),
  'digit-space': '1 '.repeat(SIZE / 2),
  'digit-dot': '1.'.repeat(SIZE / 2),
  'alnum pairs': 'A1'.repeat(SIZE / 2),
  'at signs': 'a@'.repeat(SIZE / 2),
  'dotted words': 'a.'.repeat(SIZE / 2),
  'hex colons': 'a:'.repeat(SIZE / 2),
  'double colons': ':'.repeat(SIZE),
  'capitals': 'A'.repeat(SIZE),
  'capitalised words': 'Aa '.repeat(SIZE / 3),
  'pem headers': '-----BEGIN PRIVATE KEY-----'.repeat(SIZE / 27),
  'jwt-like': 'eyJ'.repeat(SIZE / 3),
  'url-like': 'http://a'.repeat(SIZE / 8),
  'email local part': 'a.'.repeat(SIZE / 2 - 10) + '@example',
  'mixed': '12 March 1984 +1 (212) 555-0199 '.repeat(SIZE / 32),
  'whitespace': ' '.repeat(SIZE),
  'newlines': '\n'.repeat(SIZE),
  'password assignments': 'password='.repeat(SIZE / 9),
};

for (const [name, text] of Object.entries(ADVERSARIAL)) {
  test(`100 KB adversarial input finishes: ${name}`, { timeout: 20_000 }, () => {
    const found = run(text);
    assert.ok(Array.isArray(found));
  });
}
