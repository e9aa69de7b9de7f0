// `validatedPhoneScore` tries its regions in the order that costs the fewest parses; a number valid
// in any region scores the same, so the order must change no verdict. Its verdicts are compared with
// the definition, the regions tried in reverse, on every phone candidate in the evaluation texts
// and on 30,000 generated candidates of varied shapes. `germanVerdict`, the fast path for the first
// region, is compared with the library's own verdict for Germany.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { PHONE_CANDIDATE } from '../../src/engine/recognizers/contact.js';
import {
  germanVerdict,
  PHONE_REGIONS,
  validatedPhoneScore,
} from '../../src/engine/recognizers/phone-score.js';
import { EVAL_URL } from '../repo-paths.js';

/**
 * The verdict for a number without a country code by its definition (0.7 when valid in any of the
 * regions, else by its length), trying the regions in reverse: the order must change nothing.
 */
function byDefinition(main: string): number {
  const reversed = [...PHONE_REGIONS].reverse();
  if (reversed.some((region) => parsePhoneNumberFromString(main, region)?.isValid() === true)) return 0.7;
  return main.replace(/\D/g, '').length >= 8 ? 0.4 : 0.3;
}

/** The candidate with its extension removed, as the phone recognizer passes it. */
function mainPart(value: string): string {
  return value.replace(/\s?(?:x|ext\.?|extension)\s?\d+$/i, '');
}

/** Compares the verdicts of the candidates without a country code (that branch did not change). */
function assertSameVerdicts(mains: Iterable<string>): number {
  let compared = 0;
  for (const main of mains) {
    if (/^(?:\+|00)/.test(main)) continue;
    // The message names no value: a mismatch is found again by running the definition by hand.
    assert.equal(validatedPhoneScore(main), byDefinition(main), `verdict ${compared} differs`);
    compared++;
  }
  return compared;
}

test('each region is tried once', () => {
  assert.equal(new Set(PHONE_REGIONS).size, PHONE_REGIONS.length);
});

/** Every file of the evaluation data that holds text, and the strings inside its JSON. */
function evalTexts(dir: string): string[] {
  const texts: string[] = [];
  const strings = (value: unknown): void => {
    if (typeof value === 'string') texts.push(value);
    else if (Array.isArray(value)) value.forEach(strings);
    else if (value && typeof value === 'object') Object.values(value).forEach(strings);
  };
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) texts.push(...evalTexts(path));
    else if (/\.(?:txt|md|csv|tsv|json|jsonl)$/.test(name)) {
      const raw = readFileSync(path, 'utf8');
      texts.push(raw);
      if (name.endsWith('.json')) strings(JSON.parse(raw));
      if (name.endsWith('.jsonl'))
        for (const line of raw.split('\n')) if (line.trim()) strings(JSON.parse(line));
    }
  }
  return texts;
}

test('every phone candidate in the evaluation texts gets the verdict its definition gives', (t) => {
  if (!existsSync(EVAL_URL)) {
    t.skip('../shared/eval is absent (set VEIL_EVAL_DIR to the evaluation data)');
    return;
  }
  const candidate = new RegExp(PHONE_CANDIDATE.source, PHONE_CANDIDATE.flags);
  const mains = new Set<string>();
  for (const text of evalTexts(fileURLToPath(EVAL_URL)))
    for (const match of text.matchAll(candidate)) mains.add(mainPart(match[0]));
  const compared = assertSameVerdicts(mains);
  assert.ok(compared > 1000, `only ${compared} candidates in the evaluation texts`);
});

/** A seeded generator (mulberry32), so a failure repeats. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let x = Math.imul(state ^ (state >>> 15), 1 | state);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

/** Prefixes that steer the parser: trunk prefixes, international call prefixes, country codes. */
const LEADS = [
  '',
  '',
  '',
  '0',
  '1',
  '00',
  '011',
  '0011',
  '000',
  '8',
  '9',
  '44',
  '49',
  '33',
  '91',
  '61',
  '+1 ',
  '+44 ',
  '+49 ',
  '00 49 ',
  '+',
  '001 ',
];
const SEPARATORS = [' ', '-', '.', '', ' - ', '\t'];

/** A candidate of a shape the phone pattern can match: groups of digits, maybe an area code. */
function generatedCandidate(next: () => number): string {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const digits = (count: number): string =>
    Array.from({ length: count }, () => String(Math.floor(next() * 10))).join('');
  const separator = pick(SEPARATORS);
  let value = pick(LEADS);
  if (next() < 0.25) value += `(${digits(1 + Math.floor(next() * 5))}) `;
  const groups = 1 + Math.floor(next() * 5);
  for (let g = 0; g < groups; g++) value += (g > 0 ? separator : '') + digits(2 + Math.floor(next() * 4));
  return value;
}

test('30,000 generated candidates get the verdict their definition gives', () => {
  const next = random(0x5eed);
  const mains = new Set<string>();
  while (mains.size < 30_000) {
    const main = generatedCandidate(next);
    const digitCount = main.replace(/\D/g, '').length;
    if (digitCount >= 7 && digitCount <= 15 && !/^(?:\+|00)/.test(main)) mains.add(main);
  }
  assert.equal(assertSameVerdicts(mains), 30_000);
});

/** The library's own verdict for Germany, which `germanVerdict` must give whenever it gives one. */
const libraryGerman = (main: string): boolean => parsePhoneNumberFromString(main, 'DE')?.isValid() === true;

test("germanVerdict gives libphonenumber's verdict for Germany on 60,000 generated candidates", () => {
  const next = random(0xde49);
  let answered = 0;
  let valid = 0;
  let invalid = 0;
  for (let k = 0; k < 60_000; k++) {
    // Half of them with a trunk prefix, where the rule for dropping it is exercised.
    const main = (next() < 0.5 ? '0' : '') + generatedCandidate(next);
    const fast = germanVerdict(main);
    if (fast === undefined) continue;
    answered++;
    if (fast) valid++;
    else invalid++;
    assert.equal(fast, libraryGerman(main), `candidate ${k} differs`);
  }
  // The fast path must answer most candidates, valid and invalid ones alike, or it proves nothing.
  assert.ok(answered > 20_000, `answered only ${answered}`);
  assert.ok(valid > 10_000 && invalid > 1_000, `valid ${valid}, invalid ${invalid}`);
});

test('germanVerdict leaves the shapes it does not follow to the library', () => {
  // Call prefix, country code without a plus, a tab, a plus, letters, too few digits.
  for (const main of [
    '0049 30 1234567',
    '49 30 1234567',
    '030\t1234567',
    '+49 30 1234567',
    '030 CALL',
    '1-2',
  ])
    assert.equal(germanVerdict(main), undefined, main);
  // A trunk prefix is dropped ("030 …" is Berlin), a run that is too short after it is not.
  assert.equal(germanVerdict('030 1234567'), true);
  assert.equal(germanVerdict('(212) 555-0123'), true);
  assert.equal(germanVerdict('0123'), libraryGerman('0123'));
});
