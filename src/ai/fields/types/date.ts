import { isRealDate } from '../../../engine/validators/national-checksums.js';
import type { FieldSpec } from '../spec.js';
import { check, type ValueMatch } from './match.js';
import { repairNumbers } from './ocr-confusions.js';

const MONTHS: Readonly<Record<string, number>> = {
  jan: 1,
  january: 1,
  feb: 2,
  february: 2,
  mar: 3,
  march: 3,
  apr: 4,
  april: 4,
  may: 5,
  jun: 6,
  june: 6,
  jul: 7,
  july: 7,
  aug: 8,
  august: 8,
  sep: 9,
  sept: 9,
  september: 9,
  oct: 10,
  october: 10,
  nov: 11,
  november: 11,
  dec: 12,
  december: 12,
};
const MONTH =
  '(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\\.?';
// OCR splits "25/12/2018" as "25/12/ 2018" or "25 /12/2018"; a separator may carry a space either side.
const SEP = '\\s?([/.\\-])\\s?';
// Not glued to letters either: "HC03-7-15" is a product code, not a date.
const NUMERIC = new RegExp(
  `(?<![\\p{L}\\d.,/-])(\\d{1,4})${SEP}(\\d{1,2})\\s?\\2\\s?(\\d{2,4})(?![\\d/-]|[.,]\\d)`,
  'gu',
);
const DAY_MONTH_NAME = new RegExp(
  `(?<![\\w])(\\d{1,2})(?:st|nd|rd|th)?[\\s\\-/.]{0,2}${MONTH}[\\s\\-/.,]{0,3}(\\d{4}|\\d{2})(?!\\d)`,
  'gi',
);
const MONTH_NAME_DAY = new RegExp(
  `(?<![\\w])${MONTH}[\\s\\-/.]{0,2}(\\d{1,2})(?:st|nd|rd|th)?,?[\\s\\-/.]{1,3}(\\d{4})(?!\\d)`,
  'gi',
);
const TIME =
  /(?<![\d:])([01]?\d|2[0-3])\s?:\s?([0-5]\d)(?:\s?:\s?([0-5]\d))?(?:\s?([ap])\.?m\.?)?(?![\d:])/gi;

/** A two-digit year read as within 2000-2069, else 1970-1999: receipts and forms are recent, birth dates older. */
export function fullYear(digits: string): number {
  const n = Number(digits);
  if (digits.length === 4) return n;
  return n < 70 ? 2000 + n : 1900 + n;
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** An ISO 8601 calendar date, when the parts make a real one in 1000-2999. */
export function isoDate(year: number, month: number, day: number): string | null {
  if (year < 1000 || year > 2999 || !isRealDate(year, month, day)) return null;
  return `${pad(year, 4)}-${pad(month)}-${pad(day)}`;
}

interface DateReading {
  readonly iso: string;
  /** False when day and month could be swapped and the preferred order decided. */
  readonly unambiguous: boolean;
}

/** Reads a numeric date `a sep b sep c` in the preferred order, falling back to the orders the numbers allow. */
function readNumeric(a: string, b: string, c: string, order: FieldSpec['order']): DateReading | null {
  if (a.length === 4) {
    const iso = isoDate(Number(a), Number(b), Number(c));
    return iso ? { iso, unambiguous: true } : null;
  }
  if (a.length > 2 || (c.length !== 2 && c.length !== 4)) return null;
  const year = fullYear(c);
  const dmy = isoDate(year, Number(b), Number(a));
  const mdy = isoDate(year, Number(a), Number(b));
  if (dmy && mdy) return { iso: order === 'mdy' ? mdy : dmy, unambiguous: dmy === mdy };
  const iso = dmy ?? mdy;
  return iso ? { iso, unambiguous: true } : null;
}

function dateMatch(start: number, end: number, reading: DateReading, yearDigits: number): ValueMatch {
  const checks = [check('format:date'), check('calendar'), check('order', reading.unambiguous)];
  // A two-digit year or an order settled only by preference is a slightly weaker reading.
  const quality = (reading.unambiguous ? 1 : 0.9) * (yearDigits === 4 ? 1 : 0.95);
  return { start, end, value: reading.iso, checks, quality };
}

/**
 * Every calendar date in a text, as `YYYY-MM-DD`: numeric in day/month/year, month/day/year and
 * year/month/day order (separators `/`, `.`, `-`), and with month names (`12 Jan 2019`,
 * `January 12, 2019`, `12-JAN-19`). A day/month order the numbers leave open follows the spec's
 * `order` (day first by default).
 *
 * @example
 * ```ts
 * findDates('DATE: 25/12/2018 8:13:39 PM', spec)[0].value; // '2018-12-25'
 * ```
 */
export function findDates(printed: string, spec: FieldSpec): ValueMatch[] {
  const found: ValueMatch[] = [];
  const text = repairNumbers(printed);
  for (const m of text.matchAll(NUMERIC)) {
    const reading = readNumeric(m[1]!, m[3]!, m[4]!, spec.order);
    if (reading)
      found.push(dateMatch(m.index, m.index + m[0].length, reading, m[1]!.length === 4 ? 4 : m[4]!.length));
  }
  for (const m of text.matchAll(DAY_MONTH_NAME)) {
    const iso = isoDate(fullYear(m[3]!), MONTHS[m[2]!.toLowerCase()] ?? 0, Number(m[1]));
    if (iso) found.push(dateMatch(m.index, m.index + m[0].length, { iso, unambiguous: true }, m[3]!.length));
  }
  for (const m of text.matchAll(MONTH_NAME_DAY)) {
    const iso = isoDate(Number(m[3]), MONTHS[m[1]!.toLowerCase()] ?? 0, Number(m[2]));
    if (iso) found.push(dateMatch(m.index, m.index + m[0].length, { iso, unambiguous: true }, 4));
  }
  // A date printed with a time of day is a transaction's date; a bare one may be a code or a batch number.
  return found
    .map((m) => {
      TIME.lastIndex = m.end;
      const t = TIME.exec(text);
      const timed = t !== null && t.index - m.end <= 4;
      return timed
        ? { ...m, checks: [...m.checks, check('time_follows')] }
        : { ...m, quality: m.quality * 0.95 };
    })
    .map((m) =>
      printed.slice(m.start, m.end) === text.slice(m.start, m.end)
        ? m
        : { ...m, quality: m.quality * 0.9, checks: [...m.checks, check('ocr_repaired')] },
    )
    .sort((x, y) => x.start - y.start);
}

/**
 * Every date followed by a time of day (within a few characters), as `YYYY-MM-DDTHH:MM:SS`;
 * 12-hour times with AM/PM are converted.
 *
 * @example
 * ```ts
 * findDateTimes('25/12/2018 8:13:39 PM', spec)[0].value; // '2018-12-25T20:13:39'
 * ```
 */
export function findDateTimes(text: string, spec: FieldSpec): ValueMatch[] {
  const found: ValueMatch[] = [];
  for (const date of findDates(text, spec)) {
    if (!date.checks.some((c) => c.name === 'time_follows')) continue;
    TIME.lastIndex = date.end;
    const t = TIME.exec(text);
    if (!t || t.index - date.end > 4) continue;
    let hour = Number(t[1]);
    const meridiem = t[4]?.toLowerCase();
    if (meridiem && (hour < 1 || hour > 12)) continue;
    if (meridiem === 'p' && hour < 12) hour += 12;
    if (meridiem === 'a' && hour === 12) hour = 0;
    const value = `${date.value as string}T${pad(hour)}:${t[2]}:${t[3] ?? '00'}`;
    found.push({
      ...date,
      end: t.index + t[0].length,
      value,
      checks: [...date.checks, check('format:time')],
    });
  }
  return found;
}
