import { TRIGGERS } from '../scan/triggers.js';
import type { Finding, Recognizer } from '../types.js';
import { guarded } from '../scan/guard.js';
import { patternRecognizer } from './pattern.js';

const MONTH =
  '(?:Jan(?:uary|\\.)?|Feb(?:ruary|\\.)?|Mar(?:ch|\\.)?|Apr(?:il|\\.)?|May|June?|July?|Aug(?:ust|\\.)?|Sep(?:tember|t\\.?|\\.)?|Oct(?:ober|\\.)?|Nov(?:ember|\\.)?|Dec(?:ember|\\.)?)';
const DAY = '(?:0?[1-9]|[12]\\d|3[01])(?:st|nd|rd|th)?';
const YEAR = '(?:1[6-9]\\d\\d|20\\d\\d)';
const TIME =
  '(?:[01]?\\d|2[0-3]):[0-5]\\d(?::[0-5]\\d(?:\\.\\d{1,6})?)?(?:\\s?[AaPp]\\.?[Mm]\\.?)?(?:\\s?(?:Z|UTC|GMT|[+-]\\d\\d:?\\d\\d))?';
const WEEKDAY = '(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day';
/**
 * A week day written before a date, in full or abbreviated ("Fri 12/03/2021", "Wed. 5 June"),
 * with an optional comma and "the" ("Wednesday the 5th of June 2019"): one date, one span.
 */
const WEEKDAY_BEFORE =
  '(?:(?:(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day|(?:Mon|Tue|Tues|Wed|Thu|Thur|Thurs|Fri|Sat|Sun)\\.?),?\\s(?:the\\s)?)?';

/** A date of a list before the year it shares: "10 May", "July". */
const DATE_WITHOUT_YEAR = `(?:${DAY}\\s+)?${MONTH}`;
const SEASON = '(?:spring|summer|autumn|winter)';

/** True when day, month and year form a real calendar date. */
export function isCalendarDate(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  const days = [
    31,
    year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28,
    31,
    30,
    31,
    30,
    31,
    31,
    30,
    31,
    30,
    31,
  ];
  return day <= days[month - 1]!;
}

/** Numeric dates must be real dates in at least one of the usual orders (Y-M-D, M/D/Y, D/M/Y). */
function isNumericDate(value: string): boolean {
  const parts = value
    .split(/[^\d]+/)
    .filter(Boolean)
    .slice(0, 3)
    .map(Number) as [number, number, number];
  if (parts.length < 3) return true;
  const [a, b, c] = parts;
  const year = (y: number) => (y < 100 ? 2000 + y : y);
  if (a > 999) return isCalendarDate(a, b, c);
  return isCalendarDate(year(c), a, b) || isCalendarDate(year(c), b, a);
}

const numericDate = patternRecognizer({
  name: 'date-numeric',
  entity: 'DATE_TIME',
  patterns: [
    {
      regex: new RegExp(
        `(?<![\\p{N}.:/-])${YEAR}-(?:0?[1-9]|1[0-2])-(?:0?[1-9]|[12]\\d|3[01])(?:[T ]${TIME})?(?![\\p{N}]|[/-]\\d)`,
        'u',
      ),
      score: 0.75,
    },
    {
      regex: new RegExp(
        `(?<![\\p{N}.:/-])${WEEKDAY_BEFORE}\\d{1,2}([/.-])\\d{1,2}\\1(?:${YEAR}|\\d{2})(?:,?\\s${TIME})?(?![\\p{N}]|[/.-]\\d)`,
        'u',
      ),
      score: 0.6,
    },
    {
      regex: new RegExp(
        `(?<![\\p{N}.:/-])${YEAR}/(?:0?[1-9]|1[0-2])/(?:0?[1-9]|[12]\\d|3[01])(?![\\p{N}]|/\\d)`,
        'u',
      ),
      score: 0.6,
    },
  ],
  validator: isNumericDate,
  context: ['date', 'born', 'birth', 'dob', 'on', 'since', 'until', 'admitted', 'discharged', 'visit'],
});

const wordDate = patternRecognizer({
  name: 'date-words',
  entity: 'DATE_TIME',
  patterns: [
    {
      regex: guarded(
        '[MTWFS]|\\d\\d?(?:st|nd|rd|th)?\\s',
        new RegExp(
          `(?<![\\p{L}\\p{N}])${WEEKDAY_BEFORE}${DAY}(?:\\s+of)?\\s+${MONTH}(?:,?\\s+${YEAR})?(?![\\p{L}\\p{N}])`,
          'u',
        ),
      ),
      score: 0.7,
    },
    {
      regex: guarded(
        '[MTWFSJAOND]',
        new RegExp(
          `(?<![\\p{L}\\p{N}])${WEEKDAY_BEFORE}${MONTH}\\s+${DAY}(?:,?\\s+${YEAR})?(?![\\p{L}\\p{N}])`,
          'u',
        ),
      ),
      score: 0.65,
    },
    {
      regex: guarded(
        '[JFMASOND]',
        new RegExp(`(?<![\\p{L}\\p{N}])${MONTH},?\\s+${YEAR}(?![\\p{L}\\p{N}])`, 'u'),
      ),
      score: 0.65,
    },
    // Ranges: "11-13 May 1994", "28 April and 4 May 1993", "between 1980 and 1981".
    {
      regex: guarded(
        '\\d\\d?(?:st|nd|rd|th)?[\\s\\-–]',
        new RegExp(
          `(?<![\\p{L}\\p{N}])${DAY}(?:\\s?[-–]\\s?|\\s(?:and|to)\\s)${DAY}\\s+${MONTH}(?:,?\\s+${YEAR})?(?![\\p{L}\\p{N}])`,
          'u',
        ),
      ),
      score: 0.7,
    },
    {
      regex: guarded(
        '\\d\\d?(?:st|nd|rd|th)?\\s',
        new RegExp(
          `(?<![\\p{L}\\p{N}])${DAY}\\s+${MONTH}(?:\\s?[-–]\\s?|\\s(?:and|to|until)\\s)${DAY}\\s+${MONTH}(?:,?\\s+${YEAR})?(?![\\p{L}\\p{N}])`,
          'u',
        ),
      ),
      score: 0.7,
    },
    // A list of dates sharing its last date's year: "3 June, on 9 August and on 14 October 2002",
    // "March and October 2003". The year belongs to every item, so the list is one date. Items
    // that each hold their year ("1 July 2005 and 20 January 2006") are dates of their own.
    {
      regex: guarded(
        '[JFMASOND]|\\d',
        new RegExp(
          `(?<![\\p{L}\\p{N}])(?:${DATE_WITHOUT_YEAR}(?:,\\s(?:and\\s)?|\\s(?:and|to|until)\\s|\\s?/\\s?)(?:on\\s|in\\s)?)+(?:${DAY}\\s+)?${MONTH},?\\s+${YEAR}(?![\\p{L}\\p{N}])`,
          'u',
        ),
      ),
      score: 0.6,
    },
    // A period from one date to another: "1971 to 1988", "12 April 1991 to 3 May 1996".
    {
      regex: guarded(
        '[JFMASOND]|\\d',
        new RegExp(
          `(?<![\\p{L}\\p{N}])(?:${DAY}\\s+)?(?:${MONTH}\\s+)?${YEAR}\\sto\\s(?:${DAY}\\s+)?(?:${MONTH}\\s+)?${YEAR}(?![\\p{L}\\p{N}])`,
          'u',
        ),
      ),
      score: 0.6,
    },
    // A part of a month or a season: "the beginning of June 2011", "spring and summer of 2008".
    {
      regex: new RegExp(
        `(?<![\\p{L}\\p{N}])(?:(?:beginning|end|middle|start)\\sof\\s${MONTH}|${SEASON}(?:\\sand\\s${SEASON})?\\sof)\\s${YEAR}(?![\\p{L}\\p{N}])`,
        'u',
      ),
      score: 0.6,
    },
    {
      regex: new RegExp(
        `(?<![\\p{L}\\p{N}])(?:[Bb]etween|from)\\s${YEAR}\\s(?:and|to)\\s${YEAR}(?![\\p{L}\\p{N}])`,
        'u',
      ),
      score: 0.6,
    },
    // "between 15 March 1985 and 10 March 1989", "Between November 2001 and May 2002": a period
    // is one date, words between included.
    {
      regex: new RegExp(
        `(?<![\\p{L}\\p{N}])(?:[Bb]etween|from)\\s(?:${DAY}\\s+)?${MONTH}\\s+${YEAR}\\s(?:and|to|until)\\s(?:${DAY}\\s+)?${MONTH}\\s+${YEAR}(?![\\p{L}\\p{N}])`,
        'u',
      ),
      score: 0.7,
    },
    {
      regex: guarded('\\d\\d?:', new RegExp(`(?<![\\p{L}\\p{N}:])${TIME}(?![\\p{N}]|:\\d)`, 'u')),
      score: 0.45,
    },
  ],
  context: [
    'date',
    'born',
    'birth',
    'dob',
    'since',
    'admitted',
    'discharged',
    'visit',
    'appointment',
    'deceased',
    'died',
  ],
});

/**
 * A year on its own ("born in 1949", "in the first half of 1993"). Four digits are often something
 * else (an amount, a statute, a page), so it sits at the threshold and negative context pushes it
 * below. A decade ("the 1990s") dates no one and is left out.
 */
const year = patternRecognizer({
  name: 'date-year',
  entity: 'DATE_TIME',
  patterns: [
    {
      regex: new RegExp(
        `(?<![\\p{L}\\p{N}/.:-])(?:(?:early|mid|late)[\\s-]|(?:first|second|third|fourth|last)\\s(?:half|quarter)\\sof\\s)?${YEAR}(?![\\p{L}\\p{N}]|[/.,:-]\\d|\\s?(?:%|percent|EUR|USD|GBP|euros?|dollars?|pounds?|km|kg|m\\b))`,
        'u',
      ),
      score: 0.45,
    },
  ],
  context: ['born', 'birth', 'in', 'since', 'until', 'year', 'during'],
  negativeContext: ['article', 'section', 'page', 'isbn', 'act', 'rule', 'regulation'],
});

const NUMBER_WORD =
  '(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|several|a few)';

/** A number in words with its units: "twenty-four", "thirty one". */
const COMPOUND_NUMBER_WORD =
  '(?:(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)[\\s-](?:one|two|three|four|five|six|seven|eight|nine))';

/**
 * One length of time: "14 years", "twenty-four years", "three and a half months". Two
 * joined by "and" are one duration ("three years and nine months"), and the possessive of
 * "two years' imprisonment" belongs to it.
 */
const DURATION = `(?:\\d{1,3}|${COMPOUND_NUMBER_WORD}|${NUMBER_WORD})(?:[\\s-]and[\\s-]a[\\s-]half)?\\s(?:hours?|days?|weeks?|months?|years?)`;

/**
 * Durations ("sentenced to 14 years", "a stay of three months"): a sentence length or a stay can
 * single a person out, so they are reported near such words. Alone they sit below the threshold:
 * "follow up in 2 months" says nothing about anyone.
 */
const duration = patternRecognizer({
  name: 'date-duration',
  entity: 'DATE_TIME',
  patterns: [
    // First-character look-ahead (digits and the initials of the number words) before the
    // look-behind: the engine skips ahead to candidates instead of testing the look-behind everywhere.
    {
      regex: new RegExp(
        `(?=[\\dotfsena])(?<![\\p{L}\\p{N},.])${DURATION}(?:,?\\sand\\s${DURATION})?(?:['’]s?)?(?![\\p{L}\\p{N}]|[\\s-]old)`,
        'iu',
      ),
      score: 0.35,
    },
  ],
  context: [
    'sentenced',
    'sentence',
    'imprisonment',
    'detention',
    'custody',
    'within',
    'lasted',
    'period',
    'for',
    'served',
    'term',
    'stay',
    'admitted',
    'hospitali',
    'remand',
    'probation',
    'suspended',
  ],
  trigger: TRIGGERS.calendarWord,
});

/**
 * Week days and month names alone carry little; they are reported near date context only. So are
 * "this month" or "last year": relative to a date the text rarely states ("the card expires this
 * month").
 */
const namedDay = patternRecognizer({
  name: 'date-names',
  entity: 'DATE_TIME',
  patterns: [
    // The week days' initials first, so the look-behind runs only there.
    { regex: new RegExp(`(?=[mtwfs])(?<![\\p{L}\\p{N}])${WEEKDAY}(?![\\p{L}\\p{N}])`, 'iu'), score: 0.55 },
    { regex: /\b(?:this|next|last)\s(?:week|month|year)\b/i, score: 0.35 },
    {
      regex:
        /(?<![\p{L}\p{N}])(?:January|February|March|April|June|July|August|September|October|November|December)(?![\p{L}\p{N}])/u,
      score: 0.35,
    },
    { regex: /(?<![\p{L}\p{N}])(?:today|tomorrow|yesterday|tonight)(?![\p{L}\p{N}])/iu, score: 0.3 },
  ],
  context: ['on', 'in', 'date', 'since', 'until', 'born', 'meet', 'appointment'],
  trigger: TRIGGERS.calendarWord,
});

/**
 * A feast or a national day by its name ("on All Saints’ Day", "the Newroz celebrations", "at
 * Christmas"): it fixes a date as surely as the date written out, so it is one. Capitalised names
 * only; "Easter Island" is a place.
 */
const FEAST =
  "(?:All Saints|All Souls)[’']? Day|Christmas(?: Day| Eve)?|Easter(?: Sunday| Monday)?(?! Island)|Good Friday|Whit (?:Sunday|Monday)|Pentecost|Ascension Day|New Year[’']s (?:Day|Eve)|Ramadan|(?:Kurban|Ramazan|Şeker) Bayram[ıi]?|Eid al-(?:Fitr|Adha)|Newroz|Nowruz|Nevruz|Yom Kippur|Rosh Hashanah|Passover|Hanukkah|Diwali|Midsummer(?: Eve| Day)?|Boxing Day|Armistice Day|Remembrance Day|Bastille Day|Thanksgiving(?: Day)?";

const feastDay = patternRecognizer({
  name: 'date-feasts',
  entity: 'DATE_TIME',
  patterns: [{ regex: new RegExp(`(?<![\\p{L}\\p{N}])(?:${FEAST})(?![\\p{L}\\p{N}])`, 'u'), score: 0.6 }],
  // The names themselves open the windows: most texts hold none, and then nothing is scanned.
  trigger: {
    kind: 'pattern',
    id: 'feastName',
    pattern:
      /Saints|Souls|Christmas|Easter|Good Friday|Whit |Pentecost|Ascension|New Year|Ramadan|Bayram|Eid al-|Newroz|Nowruz|Nevruz|Yom Kippur|Rosh Hashanah|Passover|Hanukkah|Diwali|Midsummer|Boxing Day|Armistice|Remembrance Day|Bastille|Thanksgiving/g,
    margin: 16,
  },
});

/** An age in words, "seven" to "one hundred and ten" ("aged sixty-three", "aged sixty three"). */
const AGE_WORDS =
  '(?:(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:[\\s-](?:one|two|three|four|five|six|seven|eight|nine))?|seven|eight|nine|ten|eleven|twelve|(?:thir|four|fif|six|seven|eigh|nine)teen|(?:a|one) hundred(?: and (?:one|two|three|four|five|six|seven|eight|nine|ten))?)';

const age = patternRecognizer({
  name: 'age',
  entity: 'AGE',
  patterns: [
    {
      regex:
        /(?<![\p{L}\p{N}])(?:1[01]\d|\d{1,2})(?=[\s-](?:years?|yrs?)[\s-]old\b|[\s-]year[\s-]old\b|\s?y\/?o\b)/iu,
      score: 0.85,
    },
  ],
});

/** An age after its label: "aged 65", "age: 65", "at the age of 39", "his age is 49", "aged sixty three". */
const labelledAge = patternRecognizer({
  name: 'age-labelled',
  entity: 'AGE',
  patterns: [
    {
      regex: new RegExp(
        `\\bage(?:d|:|\\sof|\\sis|\\swas)?\\s((?:1[01]\\d|\\d{1,2}|${AGE_WORDS})(?:\\syears(?:\\sold)?)?)(?![\\p{L}\\p{N}])`,
        'iu',
      ),
      score: 0.8,
      group: 1,
    },
    // "at the age of 39", when something happened to a person: the phrase is the age. A threshold
    // ("from the age of 60", "a retirement age of 68") keeps the number alone.
    {
      regex: new RegExp(
        `\\bat\\sthe\\s(age\\sof\\s(?:1[01]\\d|\\d{1,2}|${AGE_WORDS})(?:\\syears(?:\\sold)?)?)(?![\\p{L}\\p{N}])`,
        'iu',
      ),
      score: 0.8,
      group: 1,
    },
  ],
  trigger: TRIGGERS.ageWord,
});

/** A week day at the start of a date, with what joins it to the date: "Fri ", "Wed., ", "Wednesday the ". */
const LEADING_WEEKDAY = new RegExp(
  `^((?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day|(?:Mon|Tue|Tues|Wed|Thu|Thur|Thurs|Fri|Sat|Sun)\\.?),?\\s(?:the\\s)?`,
  'u',
);

/**
 * A date written with its week day, "Friday, 5 June 2020", is one finding whose parts are the
 * week day ("Friday") and the date ("5 June 2020"); any other finding is returned as it is.
 *
 * @example
 * ```ts
 * weekdayParts('Friday, 5 June 2020', { type: 'DATE_TIME', start: 0, end: 19, score: 0.7, recognizer: 'date-words' }).parts;
 * // [{ type: 'WEEKDAY', start: 0, end: 6 }, { type: 'DATE', start: 8, end: 19 }]
 * ```
 */
export function weekdayParts(text: string, finding: Finding): Finding {
  const match = LEADING_WEEKDAY.exec(text.slice(finding.start, finding.end));
  if (match === null || finding.start + match[0].length >= finding.end) return finding;
  return {
    ...finding,
    parts: [
      { type: 'WEEKDAY', start: finding.start, end: finding.start + match[1]!.length },
      { type: 'DATE', start: finding.start + match[0].length, end: finding.end },
    ],
  };
}

/** The recognizer, its findings that open with a week day given their parts. */
function withWeekdayParts(recognizer: Recognizer): Recognizer {
  return {
    ...recognizer,
    find: (text, window, scratch) => recognizer.find(text, window, scratch).map((f) => weekdayParts(text, f)),
  };
}

/** Dates, times and ages. */
export const DATETIME_RECOGNIZERS: readonly Recognizer[] = [
  withWeekdayParts(numericDate),
  withWeekdayParts(wordDate),
  year,
  duration,
  namedDay,
  feastDay,
  age,
  labelledAge,
];
