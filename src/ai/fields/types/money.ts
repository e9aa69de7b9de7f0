import type { FieldSpec, Money } from '../spec.js';
import { check, type ValueMatch } from './match.js';
import { repairNumbers } from './ocr-confusions.js';

/** Currency marks printed beside amounts, to ISO 4217 codes. `$` alone is read as USD only when no other mark says otherwise. */
const CURRENCY_MARKS: Readonly<Record<string, string>> = {
  rm: 'MYR',
  myr: 'MYR',
  $: 'USD',
  us$: 'USD',
  usd: 'USD',
  '€': 'EUR',
  eur: 'EUR',
  '£': 'GBP',
  gbp: 'GBP',
  s$: 'SGD',
  sgd: 'SGD',
  a$: 'AUD',
  aud: 'AUD',
  c$: 'CAD',
  cad: 'CAD',
  '¥': 'JPY',
  jpy: 'JPY',
  '₹': 'INR',
  inr: 'INR',
  rs: 'INR',
  chf: 'CHF',
  sek: 'SEK',
  nok: 'NOK',
  dkk: 'DKK',
  pln: 'PLN',
  czk: 'CZK',
  huf: 'HUF',
  zar: 'ZAR',
  nzd: 'NZD',
  hkd: 'HKD',
  hk$: 'HKD',
  idr: 'IDR',
  rp: 'IDR',
  thb: 'THB',
  '฿': 'THB',
  php: 'PHP',
  '₱': 'PHP',
  cny: 'CNY',
  rmb: 'CNY',
  krw: 'KRW',
  '₩': 'KRW',
  brl: 'BRL',
  r$: 'BRL',
  mxn: 'MXN',
};
const MARK =
  '(us\\$|s\\$|a\\$|c\\$|hk\\$|r\\$|\\$|€|£|¥|₹|฿|₱|₩|(?<![a-z])(?:rm|myr|usd|eur|gbp|sgd|aud|cad|jpy|inr|rs|chf|sek|nok|dkk|pln|czk|huf|zar|nzd|hkd|idr|rp|thb|php|cny|rmb|krw|brl|mxn)(?![a-z]))';
// Digits with optional thousands groups (`,` `.` `'` or a thin space) and an optional decimal part.
const AMOUNT =
  "(-)?(\\d{1,3}(?:[,.' \\u202f]\\d{3})+(?:[.,]\\d{1,2})?|\\d+(?:[.,](?: (?=\\d{2}(?![\\d.,])))?\\d{1,2})?)";
const MONEY = new RegExp(`(?:${MARK}\\s?\\.?\\s?)?${AMOUNT}(?:\\s?${MARK})?(?![\\d%])(?![.,]\\d)`, 'gi');

/**
 * The decimal string of a printed amount: thousands separators dropped, the decimal mark made `.`.
 * A single `,` or `.` followed by exactly three digits is a thousands separator (`1,250`); followed
 * by one or two digits it is the decimal mark (`12,50`).
 *
 * @example
 * ```ts
 * normaliseAmount('1.234,56'); // '1234.56'
 * normaliseAmount('1,250');    // '1250'
 * ```
 */
export function normaliseAmount(printed: string): string | null {
  const text = printed.replace(/[\s\u202f']/g, '');
  const negative = text.startsWith('-');
  const body = negative ? text.slice(1) : text;
  const last = Math.max(body.lastIndexOf('.'), body.lastIndexOf(','));
  let whole = body;
  let fraction = '';
  if (last >= 0 && body.length - last - 1 <= 2) {
    whole = body.slice(0, last);
    fraction = body.slice(last + 1);
  }
  if (/[.,]\d{0,2}$/.test(whole) && whole.length > 0 && !/^\d{1,3}([.,]\d{3})*$/.test(whole)) return null;
  const digits = whole.replace(/[.,]/g, '');
  if (!/^\d+$/.test(digits) || (fraction && !/^\d{1,2}$/.test(fraction))) return null;
  const trimmed = digits.replace(/^0+(?=\d)/, '');
  return `${negative ? '-' : ''}${trimmed}${fraction ? `.${fraction}` : ''}`;
}

/**
 * Every amount of money in a text, as `{ amount, currency }`: the amount a decimal string (never a
 * float), the currency an ISO 4217 code from the mark printed before or after it (`RM`, `MYR`,
 * `$`, `€`, `£`), or null. A bare integer is a weak reading (it may be a quantity).
 *
 * @example
 * ```ts
 * findMoney('TOTAL RM 1,234.50', spec)[0].value; // { amount: '1234.50', currency: 'MYR' }
 * ```
 */
export function findMoney(text: string, _spec: FieldSpec): ValueMatch[] {
  const found: ValueMatch[] = [];
  const read = repairNumbers(text);
  for (const m of read.matchAll(MONEY)) {
    const amount = normaliseAmount(`${m[2] ?? ''}${m[3]!}`);
    if (amount === null) continue;
    const mark = (m[1] ?? m[4])?.toLowerCase();
    const currency = mark ? (CURRENCY_MARKS[mark] ?? null) : null;
    const decimals = /[.,]\s?\d{2}$/.test(m[3]!);
    const value: Money = { amount, currency };
    const repaired =
      read.slice(m.index, m.index + m[0].length) !== text.slice(m.index, m.index + m[0].length);
    const checks = [
      check('format:money'),
      check('decimals', decimals),
      check('currency', currency !== null),
      ...(repaired ? [check('ocr_repaired')] : []),
    ];
    const quality = (decimals ? (currency ? 1 : 0.95) : currency ? 0.85 : 0.5) * (repaired ? 0.9 : 1);
    found.push({ start: m.index, end: m.index + m[0].length, value, checks, quality });
  }
  return found;
}

const NUMBER = /(?<![\w.,])(-)?(\d{1,3}(?:[,.' ]\d{3})+(?:[.,]\d+)?|\d+(?:[.,]\d+)?)(?![\w]|[.,]\d)/g;

/**
 * Every number in a text, as a JavaScript number (thousands separators understood as for money).
 *
 * @example
 * ```ts
 * findNumbers('weight 1,250.5 kg', spec)[0].value; // 1250.5
 * ```
 */
export function findNumbers(text: string, _spec: FieldSpec): ValueMatch[] {
  const found: ValueMatch[] = [];
  for (const m of text.matchAll(NUMBER)) {
    const digits = m[2]!;
    // More than two decimals: the decimal mark is the last `.` or `,`, which normaliseAmount does not take.
    const long = /^(\d+)[.,](\d{3,})$/.test(digits) && !/^\d{1,3}[.,]\d{3}$/.test(digits);
    const decimal = long ? digits.replace(',', '.') : normaliseAmount(digits);
    if (decimal === null) continue;
    const value = Number(`${m[1] ?? ''}${decimal}`);
    if (!Number.isFinite(value)) continue;
    found.push({
      start: m.index,
      end: m.index + m[0].length,
      value,
      checks: [check('format:number')],
      quality: 1,
    });
  }
  return found;
}

/**
 * Every whole number in a text (safe integers only).
 *
 * @example
 * ```ts
 * findIntegers('Qty: 1,200', spec)[0].value; // 1200
 * ```
 */
export function findIntegers(text: string, spec: FieldSpec): ValueMatch[] {
  return findNumbers(text, spec)
    .filter((m) => Number.isSafeInteger(m.value))
    .map((m) => ({ ...m, checks: [check('format:integer')] }));
}
