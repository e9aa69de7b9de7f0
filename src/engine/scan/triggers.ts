import type { Trigger } from '../types.js';

/**
 * The shared pre-scans. Most identifiers need a digit, so one pass over the text finds every
 * region where a digit occurs and all numeric recognizers look only there.
 */
export const TRIGGERS = {
  all: { kind: 'all' },
  /**
   * Any digit. Every identifier has digits spread through it, so the margin only has to cover a
   * letter prefix or suffix and the letter groups between digits (an IBAN's bank code).
   */
  digit: { kind: 'pattern', id: 'digit', pattern: /\d+/g, margin: 16 },
  /** Digits after a label ("medical record number: 4455") or before a unit ("pounds sterling"). */
  labelledDigit: { kind: 'pattern', id: 'labelledDigit', pattern: /\d+/g, margin: 40 },
  /** An at sign: e-mail addresses and some handles. */
  at: { kind: 'pattern', id: 'at', pattern: /@/g, margin: 256 },
  /**
   * A dot inside a token (not a sentence end), or a URL scheme: host names and URLs. Plain
   * negated classes keep this pre-scan as cheap as a scan for a literal.
   */
  dotted: { kind: 'pattern', id: 'dotted', pattern: /[^\s.]\.[^\s\d.,;:!?)\]'"]|:\/\//g, margin: 512 },
  /** Hex groups joined by colons, dashes or dots: MAC and IPv6 addresses. */
  // The scan starts at the separator, which is rarer than a hex letter, so it stays cheap.
  hexColon: { kind: 'pattern', id: 'hexColon', pattern: /[:.-][0-9A-Fa-f]{1,4}[:.-]|::/g, margin: 48 },
  /** Secret material: key prefixes, PEM armour, credential assignments. */
  /** Currency symbols, codes and words: amounts of money. */
  money: {
    kind: 'pattern',
    id: 'money',
    pattern: /[$€£¥₹]|\b(?:USD|EUR|GBP|CHF|JPY|CNY|INR|AUD|CAD|SGD|SEK|NOK|DKK|PLN|CZK|HUF|RON|BGN|TRY|TRL|RUB|UAH|ZAR|BRL|MXN|NZD|HKD)\b|\b(?:dollar|euro|pound|franc|yen|rupee|lira|liras|kronor|kroner|krona|zloty|forint|rouble|ruble|cent)/gi,
    margin: 40,
  },
  secret: {
    kind: 'pattern',
    id: 'secret',
    pattern: /-----BEGIN|AKIA|ASIA|gh[pousr]_|github_pat_|xox[abposr]-|[sr]k_live|sk-|AIza|eyJ|SG\.|glpat-|npm_|(?:password|passwd|pwd|secret|token|api[_-]?key)["']?\s{0,3}[:=]/gi,
    margin: 8192,
  },
} as const satisfies Record<string, Trigger>;
