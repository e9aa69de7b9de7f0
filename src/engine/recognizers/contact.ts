import { regexFacts } from '../scan/regex-facts.js';
import { TRIGGERS } from '../scan/triggers.js';
import { isSpaceCode } from '../scan/windows.js';
import type { Finding, Recognizer, TextWindow, Trigger } from '../types.js';
import { patternRecognizer } from './pattern.js';
import { validatedPhoneScore } from './phone-score.js';

/**
 * E-mail addresses (RFC 5322 dot-atom local part, host with a letter TLD). The look-behind makes
 * every attempt start at the beginning of a local part, which keeps the scan linear.
 */
const email = patternRecognizer({
  name: 'email',
  entity: 'EMAIL_ADDRESS',
  patterns: [
    {
      regex:
        /(?<![\p{L}\p{N}._%+'-])[\p{L}\p{N}._%+'-]{1,64}@[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,62}[\p{L}\p{N}])?(?:\.[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,62}[\p{L}\p{N}])?)*\.\p{L}{2,24}(?![\p{L}\p{N}-])/u,
      score: 1,
    },
  ],
  validator: (value) => !value.startsWith('.') && !value.includes('..') && !/\.@/.test(value),
  context: ['email', 'e-mail', 'mail', 'contact'],
  trigger: TRIGGERS.at,
});

const TLD =
  'com|org|net|edu|gov|mil|int|info|biz|io|ai|co|app|dev|uk|de|fr|it|es|nl|be|ch|at|se|no|dk|fi|pl|cz|sk|hu|ro|bg|gr|pt|ie|lu|ee|lv|lt|si|hr|cy|mt|is|ru|ua|tr|il|in|cn|jp|kr|au|nz|ca|us|mx|br|ar|cl|za|sg|hk|tw|my|th|vn|id|ph|tn|ma|eg|ng|ke|eu|me|tv|ly|online|site|shop|xyz|health|bank|law|cloud|tech';

/**
 * Where a URL can be: a scheme's `://`, `www.`, or a dot before a known TLD that ends the host.
 * Every match of the URL patterns holds one. The margin reaches over a long path after the hit
 * (the patterns allow 2048 characters) and over the labels of a host before it.
 */
const URL_SHAPE: Trigger = {
  kind: 'pattern',
  id: 'urlShape',
  pattern: new RegExp(`:\\/\\/|www\\.|[^\\s.]\\.(?:${TLD})(?![\\p{L}\\p{N}-])`, 'giu'),
  margin: 2064,
};

const HOST_LABEL = /^[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?$/u;
const DOTTED_NUMBER = /^\d+(?:\.\d+)+$/;
const IPV4_HOST = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

/**
 * Whether a URL candidate has a host a resolver could look up: labels of letters, digits and
 * inner hyphens ("https://.com" and "https://-bad-.com" have none), or a valid IPv4 address when
 * the host is all dotted numbers ("http://300.1.1.1/" is not), or a bracketed IPv6 address. A bare
 * dotted number ("1.2.3") is never a URL.
 *
 * @example
 * ```ts
 * isPlausibleUrl('https://example.org/a'); // true
 * isPlausibleUrl('http://300.1.1.1/x'); // false
 * ```
 */
export function isPlausibleUrl(value: string): boolean {
  if (DOTTED_NUMBER.test(value)) return false;
  const afterScheme = value.replace(/^[a-z]+:\/\//i, '');
  const authority = afterScheme.split(/[/?#]/, 1)[0]!.replace(/^[^@]*@/, '');
  if (authority.startsWith('[')) return /^\[[0-9A-Fa-f:.]+\](?::\d{1,5})?$/.test(authority);
  const host = authority.replace(/:\d{1,5}$/, '');
  if (DOTTED_NUMBER.test(host)) return IPV4_HOST.test(host);
  return host.length > 0 && host.split('.').every((label) => HOST_LABEL.test(label));
}

/**
 * URLs with a scheme or `www.`, and bare host names ending in a common TLD. The value stops
 * before trailing punctuation that usually ends the sentence, not the URL.
 */
const url = patternRecognizer({
  name: 'url',
  entity: 'URL',
  patterns: [
    {
      regex:
        /(?<![\p{L}\p{N}])(?:https?|ftp|sftp|file):\/\/[^\s<>"'`]{1,2048}?(?=[.,;:!?)\]]*(?:[\s<>"'`]|$))/iu,
      score: 0.9,
    },
    { regex: /(?<![\p{L}\p{N}.@/-])www\.[^\s<>"'`]{1,2048}?(?=[.,;:!?)\]]*(?:[\s<>"'`]|$))/iu, score: 0.8 },
    {
      regex: new RegExp(
        `(?<![\\p{L}\\p{N}.@/-])(?:[\\p{L}\\p{N}](?:[\\p{L}\\p{N}-]{0,62}[\\p{L}\\p{N}])?\\.){1,4}(?:${TLD})(?:\\/[^\\s<>"'\`]{0,2048}?)?(?=[.,;:!?)\\]]*(?:[\\s<>"'\`]|$))`,
        'iu',
      ),
      score: 0.5,
    },
  ],
  validator: isPlausibleUrl,
  context: ['url', 'website', 'site', 'link', 'domain', 'web'],
  trigger: URL_SHAPE,
});

/**
 * Phone-number candidates: an optional `+CC` or `00CC`, an optional area code in parentheses,
 * then two to five groups of digits on one line, and an optional extension. Each group starts with a digit,
 * so there is one way to read the separators and the scan stays linear.
 */
export const PHONE_CANDIDATE =
  /(?<![\p{L}\p{N}+/.-])(?:(?:\+|00)\d{1,3}[ \t.-]?)?(?:\(\d{1,5}\)[ \t.-]?)?\d{2,5}(?:[ \t.-]\d{2,5}|\d{0,8}){0,5}(?:[ \t]?(?:x|ext\.?|extension)[ \t]?\d{1,6})?(?![\p{L}\p{N}]|[.-]\d)/giu;

/** The fewest digits a reported phone number holds (before any extension). */
const PHONE_MIN_DIGITS = 6;

/**
 * SSN-shaped (3-2-4) and date-shaped (d/m/y, y-m-d) strings are read as those, never as phones;
 * four dotted groups of one to three digits are an IP address, a malformed one ("999.999.999.999")
 * or a version, never a phone.
 */
const NOT_A_PHONE = /^(?:\d{3}-\d{2}-\d{4}|\d{1,4}([-./])\d{1,2}\1\d{1,4}|\d{1,3}(?:\.\d{1,3}){3})$/;

/**
 * Phone numbers. Candidates are validated with libphonenumber-js against a list of regions;
 * a number valid in one scores 0.7 (0.85 with a `+` country code), a merely well-shaped one 0.3
 * so that context words ("phone", "tel", "call") are needed to report it.
 */
const phone: Recognizer = {
  name: 'phone',
  entities: ['PHONE_NUMBER'],
  context: [
    'phone',
    'telephone',
    'tel',
    'cell',
    'mobile',
    'call',
    'fax',
    'number',
    'contact',
    'reach',
    'text me',
    'whatsapp',
    'telefon',
    'cep',
  ],
  negativeContext: ['invoice', 'order', 'account', 'sku', 'serial', 'isbn', 'ref'],
  trigger: TRIGGERS.digit,
  // `find` reports nothing with fewer than six digits before an extension.
  minDigits: PHONE_MIN_DIGITS,
  maxLength: regexFacts(PHONE_CANDIDATE).maxMatchLength,
  find(text: string, window: TextWindow): Finding[] {
    const slice = text.slice(window.start, window.end);
    const found: Finding[] = [];
    // Verdicts for this call only: the same strings (dates, amounts, ids) recur throughout a text.
    const verdicts = new Map<string, number>();
    PHONE_CANDIDATE.lastIndex = 0;
    for (let match = PHONE_CANDIDATE.exec(slice); match !== null; match = PHONE_CANDIDATE.exec(slice)) {
      const value = match[0];
      const digits = asciiDigits(value);
      const main = withoutExtension(value);
      const mainDigits = main === value ? digits : asciiDigits(main);
      if (mainDigits < PHONE_MIN_DIGITS || mainDigits > 15 || digits > 21) continue;
      if (NOT_A_PHONE.test(value)) continue;
      // A bare run of digits with no separators is more often an id than a phone number.
      const hasStructure = holdsPhoneSeparator(value);
      // Six-digit local numbers exist ("33 93 31") but need a context word such as "call".
      const score = mainDigits < 7 ? (hasStructure ? 0.1 : 0) : phoneScore(main, hasStructure, verdicts);
      if (score === 0) continue;
      found.push({
        type: 'PHONE_NUMBER',
        start: window.start + match.index,
        end: window.start + match.index + value.length,
        score,
        recognizer: 'phone',
      });
    }
    return found;
  },
};

/**
 * The number of ASCII digits in `value` (what `value.replace(/\D/g, '').length` counts). Phone
 * candidates are the most frequent of all candidates, so their checks are loops, not regex calls.
 */
export function asciiDigits(value: string): number {
  let count = 0;
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code >= 0x30 && code <= 0x39) count++;
  }
  return count;
}

/** A trailing extension ("x 12", "ext. 4567"); every form holds an `x`. */
const EXTENSION = /\s?(?:x|ext\.?|extension)\s?\d+$/i;

/** `value` without a trailing extension (itself when it has none). */
export function withoutExtension(value: string): string {
  return value.includes('x') || value.includes('X') ? value.replace(EXTENSION, '') : value;
}

/** True when `value` holds whitespace or one of `().+-` (what `/[\s().+-]/` tests). */
export function holdsPhoneSeparator(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (
      code === 0x28 ||
      code === 0x29 ||
      code === 0x2e ||
      code === 0x2b ||
      code === 0x2d ||
      isSpaceCode(code)
    )
      return true;
  }
  return false;
}

/**
 * The score of a phone candidate whose extension is removed (`main`); `verdicts` memoises the
 * validation within one call.
 */
function phoneScore(main: string, hasStructure: boolean, verdicts: Map<string, number>): number {
  // A bare run of digits is a phone number only next to a word like "phone"; validating it
  // against every region would cost more than it could change.
  if (!hasStructure) return 0.2;
  let score = verdicts.get(main);
  if (score === undefined) {
    score = validatedPhoneScore(main);
    verdicts.set(main, score);
  }
  return score;
}

/** E-mail, URL and phone recognizers. */
export const CONTACT_RECOGNIZERS: readonly Recognizer[] = [email, url, phone];
