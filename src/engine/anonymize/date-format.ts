/**
 * Reading and writing dates in the layout they were written in, so a shifted date looks like the
 * original (`3/5/2024`, `2024-03-05`, `Tuesday, March 5th, 2024`, `05-MAR-2024 14:30`) and the
 * shift reverses to exactly the original text.
 *
 * A layout is a string of field tokens in braces and the literal separators between them, for
 * example `{M1}/{D1}/{Y}` or `{Wd:Ft}, {Mon:Ft} {Do}, {Y}`. It holds no values, so an anonymisation
 * item can carry it.
 */

const MONTHS = [
  'january',
  'february',
  'march',
  'april',
  'may',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
];
const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];
const DAY_MS = 86_400_000;
const MIN_YEAR = 1000;
const MAX_YEAR = 9999;

// A time of day after the date stays as it is: a day shift does not move it.
const TIME_SUFFIX =
  /(?:T|,?\s+)\d{1,2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:\s?[AaPp]\.?[Mm]\.?)?(?:\s?(?:Z|[+-]\d{2}:?\d{2}|UTC|GMT))?$/;
const RUN = /\d+|\p{L}+|[^\d\p{L}]+/gu;
const LITERAL = /^[ ,./-]+$/;

export interface CalendarDate {
  readonly year: number;
  readonly month: number;
  readonly day: number;
}

export interface ParsedDate {
  readonly date: CalendarDate;
  readonly layout: string;
  /** A time of day that followed the date, kept verbatim. */
  readonly time: string;
}

type Case = 't' | 'u' | 'l';

function caseOf(word: string): Case | undefined {
  if (word === word.toUpperCase() && word.length > 1) return 'u';
  if (word === word.toLowerCase()) return 'l';
  if (word === word[0]!.toUpperCase() + word.slice(1).toLowerCase()) return 't';
  return undefined;
}

function withCase(word: string, c: string): string {
  if (c === 'u') return word.toUpperCase();
  if (c === 't') return word[0]!.toUpperCase() + word.slice(1);
  return word;
}

/** A month or weekday name (full, or its first three letters) and how it was written. */
function nameIndex(word: string, names: readonly string[]): { index: number; style: string } | undefined {
  const c = caseOf(word);
  if (!c) return undefined;
  const lower = word.toLowerCase();
  const full = names.indexOf(lower);
  if (full >= 0) return { index: full, style: `F${c}` };
  if (lower.length === 3) {
    const abbr = names.findIndex((n) => n.slice(0, 3) === lower);
    if (abbr >= 0) return { index: abbr, style: `A${c}` };
  }
  return undefined;
}

function ordinal(day: number): string {
  if (day % 100 >= 11 && day % 100 <= 13) return 'th';
  return ['th', 'st', 'nd', 'rd'][day % 10] ?? 'th';
}

function isReal(date: CalendarDate): boolean {
  const { year, month, day } = date;
  if (!(year >= MIN_YEAR && year <= MAX_YEAR && month >= 1 && month <= 12 && day >= 1)) return false;
  return day <= new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function weekdayOf(date: CalendarDate): number {
  return new Date(Date.UTC(date.year, date.month - 1, date.day)).getUTCDay();
}

/** Adds `days` to a date; undefined when the result leaves the four-digit years. */
export function addDays(date: CalendarDate, days: number): CalendarDate | undefined {
  const t = new Date(Date.UTC(date.year, date.month - 1, date.day) + days * DAY_MS);
  const out = { year: t.getUTCFullYear(), month: t.getUTCMonth() + 1, day: t.getUTCDate() };
  return isReal(out) ? out : undefined;
}

/** Chooses zero padding for a month or day: a two-digit field of 10 or more says nothing, so it follows the other field. */
function padStyles(month: string, day: string): [string, string] {
  const evident = (s: string): string | undefined =>
    s.length === 1 ? '1' : s.startsWith('0') ? '2' : undefined;
  const m = evident(month);
  const d = evident(day);
  return [m ?? d ?? '2', d ?? m ?? '2'];
}

/**
 * Reads a date written in one of the common English layouts. `order` settles numeric dates whose
 * first two fields could be either (03/05/2024); the other order is tried when the first gives no
 * real date. Returns undefined for anything it cannot read exactly.
 *
 * @example
 * ```ts
 * parseDate('Tuesday, March 5th, 2024', 'mdy');
 * // { date: { year: 2024, month: 3, day: 5 }, layout: '{Wd:Ft}, {Mon:Ft} {Do}, {Y}', time: '' }
 * ```
 */
export function parseDate(value: string, order: 'mdy' | 'dmy'): ParsedDate | undefined {
  const timeMatch = TIME_SUFFIX.exec(value);
  const time = timeMatch ? timeMatch[0] : '';
  const body = value.slice(0, value.length - time.length);
  const runs = body.match(RUN) ?? [];
  const layout: string[] = [];
  const numbers: { text: string; slot: number }[] = [];
  let month: number | undefined;
  let weekday: number | undefined;
  for (let i = 0; i < runs.length; i += 1) {
    const run = runs[i]!;
    if (/^\d/.test(run)) {
      numbers.push({ text: run, slot: layout.length });
      layout.push('');
      const next = runs[i + 1];
      if (next !== undefined && /^(st|nd|rd|th)$/.test(next)) {
        layout[layout.length - 1] = `#${next}`;
        i += 1;
      }
    } else if (/^\p{L}/u.test(run)) {
      const m = nameIndex(run, MONTHS);
      const w = m ? undefined : nameIndex(run, WEEKDAYS);
      if (m && month === undefined) {
        month = m.index + 1;
        layout.push(`{Mon:${m.style}}`);
      } else if (w && weekday === undefined) {
        weekday = w.index;
        layout.push(`{Wd:${w.style}}`);
      } else return undefined;
    } else if (LITERAL.test(run)) layout.push(run);
    else return undefined;
  }

  let date: CalendarDate | undefined;
  const fieldAt = (slot: number, token: string): void => {
    const marker = layout[slot]!;
    if (marker.startsWith('#')) {
      layout[slot] = token === 'D' ? '{Do}' : '\u0000';
      return;
    }
    layout[slot] = `{${token}}`;
  };
  if (month === undefined && numbers.length === 3) {
    const [a, b, c] = numbers as [(typeof numbers)[0], (typeof numbers)[0], (typeof numbers)[0]];
    if (numbers.some((n) => layout[n.slot] !== '')) return undefined;
    let roles: ['Y' | 'M' | 'D', 'Y' | 'M' | 'D', 'Y' | 'M' | 'D'] | undefined;
    const make = (r: ['Y' | 'M' | 'D', 'Y' | 'M' | 'D', 'Y' | 'M' | 'D']): CalendarDate => {
      const get = (k: 'Y' | 'M' | 'D'): number => Number(numbers[r.indexOf(k)]!.text);
      return { year: get('Y'), month: get('M'), day: get('D') };
    };
    if (a.text.length === 4 && b.text.length <= 2 && c.text.length <= 2) roles = ['Y', 'M', 'D'];
    else if (c.text.length === 4 && a.text.length <= 2 && b.text.length <= 2) {
      const first: ['M' | 'D', 'M' | 'D', 'Y'] = order === 'mdy' ? ['M', 'D', 'Y'] : ['D', 'M', 'Y'];
      const second: ['M' | 'D', 'M' | 'D', 'Y'] = order === 'mdy' ? ['D', 'M', 'Y'] : ['M', 'D', 'Y'];
      roles = isReal(make(first)) ? first : second;
    } else return undefined;
    date = make(roles);
    const monthText = numbers[roles.indexOf('M')]!.text;
    const dayText = numbers[roles.indexOf('D')]!.text;
    const [mPad, dPad] = padStyles(monthText, dayText);
    roles.forEach((role, i) =>
      fieldAt(numbers[i]!.slot, role === 'Y' ? 'Y' : role === 'M' ? `M${mPad}` : `D${dPad}`),
    );
  } else if (month !== undefined && numbers.length === 2) {
    const yearAt = numbers.findIndex((n) => n.text.length === 4);
    const dayAt = 1 - yearAt;
    const year = numbers[yearAt];
    const day = numbers[dayAt];
    if (yearAt < 0 || !year || !day || day.text.length > 2 || layout[year.slot] !== '') return undefined;
    date = { year: Number(year.text), month, day: Number(day.text) };
    fieldAt(year.slot, 'Y');
    const suffix = layout[day.slot]!;
    if (suffix.startsWith('#')) {
      // An ordinal must be the right one and unpadded, or the reversal would not be exact.
      if (day.text.startsWith('0') || suffix.slice(1) !== ordinal(date.day)) return undefined;
      fieldAt(day.slot, 'D');
    } else fieldAt(day.slot, day.text.length === 1 ? 'D1' : day.text.startsWith('0') ? 'D2' : 'D1');
  } else return undefined;

  if (!isReal(date) || layout.includes('\u0000')) return undefined;
  if (weekday !== undefined && weekday !== weekdayOf(date)) return undefined;
  return { date, layout: layout.join(''), time };
}

/**
 * Writes a date in a layout produced by `parseDate`.
 *
 * @example
 * ```ts
 * formatDate({ year: 2024, month: 4, day: 14 }, '{M1}/{D1}/{Y}'); // '4/14/2024'
 * ```
 */
export function formatDate(date: CalendarDate, layout: string): string {
  return layout.replace(/\{([^}]+)\}/g, (_all, token: string) => {
    if (token === 'Y') return String(date.year);
    if (token === 'M1') return String(date.month);
    if (token === 'M2') return String(date.month).padStart(2, '0');
    if (token === 'D1') return String(date.day);
    if (token === 'D2') return String(date.day).padStart(2, '0');
    if (token === 'Do') return `${date.day}${ordinal(date.day)}`;
    const [kind, style = 'Ft'] = token.split(':');
    const name = kind === 'Mon' ? MONTHS[date.month - 1]! : WEEKDAYS[weekdayOf(date)]!;
    return withCase(style.startsWith('A') ? name.slice(0, 3) : name, style.slice(1));
  });
}

/**
 * Reads a date written by `formatDate` in `layout` (a layout carried by an anonymisation item).
 *
 * @example
 * ```ts
 * parseWithLayout('4/14/2024', '{M1}/{D1}/{Y}'); // { date: { year: 2024, month: 4, day: 14 }, time: '' }
 * ```
 */
export function parseWithLayout(
  value: string,
  layout: string,
): { date: CalendarDate; time: string } | undefined {
  const fields: string[] = [];
  const source = layout.replace(/\{([^}]+)\}|[^{]+/g, (all, token: string | undefined) => {
    if (token === undefined) return all.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    fields.push(token);
    if (token === 'Y') return '(\\d{4})';
    if (token === 'Do') return '(\\d{1,2})(?:st|nd|rd|th)';
    if (/^[MD][12]$/.test(token)) return '(\\d{1,2})';
    return '(\\p{L}+)';
  });
  const match = new RegExp(`^${source}`, 'u').exec(value);
  if (!match) return undefined;
  let year = 0;
  let month = 0;
  let day = 0;
  fields.forEach((token, i) => {
    const text = match[i + 1]!;
    if (token === 'Y') year = Number(text);
    else if (token.startsWith('M') && !token.startsWith('Mon')) month = Number(text);
    else if (token.startsWith('D')) day = Number(text);
    else if (token.startsWith('Mon')) month = (nameIndex(text, MONTHS)?.index ?? -1) + 1;
  });
  const date = { year, month, day };
  if (!isReal(date)) return undefined;
  return { date, time: value.slice(match[0].length) };
}
