import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createAnalyzer } from '../../src/engine/analyze.js';

const run = createAnalyzer({ threshold: 0 });
const SIZE = 100_000;
/**
 * Each input must finish within this, measured: the bodies are synchronous, so the test runner's
 * timeout cannot stop them and a slowdown would otherwise pass. The slowest input takes 0.3-1.4 s
 * on the shared two-core machine under a load of 19 (well under 0.5 s idle); a backtracking blow-up
 * is orders of magnitude, a tenfold slowdown of the heavier inputs fails. Not a speed target:
 * `npm run bench:detect` measures speed.
 */
const BUDGET_MS = 5000;
run('warm up the recognizers before timing');

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
  capitals: 'A'.repeat(SIZE),
  'capitalised words': 'Aa '.repeat(SIZE / 3),
  'a defined acronym used everywhere': 'the Industrial Appeal Board (“IAB”) ' + 'IAB Aa '.repeat(SIZE / 7),
  'pem headers': '-----BEGIN PRIVATE KEY-----'.repeat(SIZE / 27),
  'jwt-like': 'eyJ'.repeat(SIZE / 3),
  'url-like': 'http://a'.repeat(SIZE / 8),
  'email local part': 'a.'.repeat(SIZE / 2 - 10) + '@example',
  mixed: '12 March 1984 +1 (212) 555-0199 '.repeat(SIZE / 32),
  whitespace: ' '.repeat(SIZE),
  newlines: '\n'.repeat(SIZE),
  'password assignments': 'password='.repeat(SIZE / 9),
};

for (const [name, text] of Object.entries(ADVERSARIAL)) {
  test(`100 KB adversarial input finishes within ${BUDGET_MS} ms: ${name}`, { timeout: 20_000 }, () => {
    const started = performance.now();
    const found = run(text);
    const elapsed = performance.now() - started;
    assert.ok(Array.isArray(found));
    assert.ok(elapsed < BUDGET_MS, `${name}: ${Math.round(elapsed)} ms, budget ${BUDGET_MS} ms`);
  });
}
