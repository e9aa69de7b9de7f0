import type { FieldSpec } from '../spec.js';
import { check, type ValueMatch } from './match.js';

/** Text with runs of spaces collapsed and label punctuation (`:`, `-`, `#`) trimmed from the ends. */
export function cleanText(text: string): string {
  return text
    .replace(/\s+/g, ' ')
    .replace(/^[\s:;#=\-–—|.,]+/, '')
    .replace(/[\s:;#=\-–—|,]+$/, '')
    .trim();
}

function wholeText(text: string, checks: ValueMatch['checks'], quality: number): ValueMatch[] {
  const value = cleanText(text);
  if (value.length === 0) return [];
  const start = text.indexOf(value.slice(0, 1));
  return [{ start: Math.max(0, start), end: text.length, value, checks, quality }];
}

/**
 * A free-text value: the whole text, cleaned. Free text has no format to check, so the reading is
 * only as good as the letters and digits in it.
 *
 * @example
 * ```ts
 * findStrings(': ACME TRADING ', spec)[0].value; // 'ACME TRADING'
 * ```
 */
export function findStrings(text: string, _spec: FieldSpec): ValueMatch[] {
  const clean = cleanText(text);
  const alnum = clean.replace(/[^\p{L}\p{N}]/gu, '').length;
  return wholeText(
    text,
    [check('format:text', alnum > 0)],
    alnum === 0 ? 0 : alnum / clean.length >= 0.6 ? 1 : 0.7,
  );
}

const NAME = /^[\p{L}][\p{L}'’.\-]*(?:\s+[\p{L}][\p{L}'’.\-]*){0,5}$/u;

/**
 * A person's name: one to six words of letters (apostrophes, hyphens, initials allowed).
 *
 * @example
 * ```ts
 * findNames('Name: Jane Doe', spec); // a match of 'Name: Jane Doe' cleaned: use on the text after a label
 * ```
 */
export function findNames(text: string, _spec: FieldSpec): ValueMatch[] {
  const clean = cleanText(text);
  const ok = NAME.test(clean) && /\s/.test(clean);
  return wholeText(text, [check('format:name', ok)], ok ? 1 : 0.5);
}

const ADDRESS_CUES =
  /\b(\d{4,6}|street|st|road|rd|avenue|ave|lane|ln|drive|dr|jalan|jln|taman|lot|no|suite|floor|flat|apt|po box|strasse|straße|rue|via|calle)\b/i;

/**
 * A postal address: free text with a house number, postcode or street word somewhere in it.
 *
 * @example
 * ```ts
 * findAddresses('12 Baker Street, London NW1 6XE', spec)[0].value; // '12 Baker Street, London NW1 6XE'
 * ```
 */
export function findAddresses(text: string, _spec: FieldSpec): ValueMatch[] {
  const ok = /\d/.test(text) || ADDRESS_CUES.test(text);
  return wholeText(text, [check('format:address', ok)], ok ? 1 : 0.6);
}
