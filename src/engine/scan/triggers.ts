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
  digit: { kind: 'digitRun', id: 'digit', minRun: 1, margin: 16 },
  /**
   * Labels of health identifiers that are only reported after their label (licence, medical
   * record and health-plan numbers). One scan serves the three recognizers; the window reaches
   * 48 characters either side: the words before the label and the value after it.
   */
  healthLabel: {
    kind: 'pattern',
    id: 'healthLabel',
    pattern:
      /licen[cs]e|MR(?:N|#| No)|medical record|patient (?:id|no)|chart|member id|subscriber id|policy|insurance id|health plan|group (?:number|no)/gi,
    margin: 48,
  },
  /** The word "age" ("aged 65", "at the age of 39", "aged sixty three"): ages after their label. */
  ageWord: { kind: 'pattern', id: 'ageWord', pattern: /\bage/gi, margin: 40 },
  /**
   * Calendar words: units of time ("14 years", "24 hours"), week days and "today" (all end in "day"), month
   * names, "tomorrow", "tonight". The window reaches back over a number in words before a unit.
   */
  calendarWord: {
    kind: 'pattern',
    id: 'calendarWord',
    pattern:
      /hour|day|week|month|year|january|february|march|april|june|july|august|september|october|november|december|tomorrow|tonight/gi,
    margin: 40,
  },
  /** An at sign: e-mail addresses and some handles. */
  at: { kind: 'pattern', id: 'at', pattern: /@/g, margin: 256 },
  /**
   * Two hex pairs between colons or dashes (":BB:CC:"), or a dotted hex quad (".4567."): every
   * MAC address has one. A phone number ("212-555-1234") has no such run, so it opens no window.
   * The scan starts at the separator, which is rarer than a hex letter, so it stays cheap.
   */
  macGroups: {
    kind: 'pattern',
    id: 'macGroups',
    pattern: /[:-][0-9A-Fa-f]{2}[:-][0-9A-Fa-f]{2}[:-]|\.[0-9A-Fa-f]{4}\./g,
    margin: 24,
  },
  /** Two colons around at most four hex digits: every IPv6 address has such a run. */
  ipv6Groups: { kind: 'pattern', id: 'ipv6Groups', pattern: /:[0-9A-Fa-f]{0,4}:/g, margin: 48 },
  /** Currency symbols, codes and words: amounts of money. */
  money: {
    kind: 'pattern',
    id: 'money',
    pattern:
      /[$€£¥₹]|\b(?:USD|EUR|GBP|CHF|JPY|CNY|INR|AUD|CAD|SGD|SEK|NOK|DKK|PLN|CZK|HUF|RON|BGN|TRY|TRL|YTL|RUB|UAH|ZAR|BRL|MXN|NZD|HKD|ISK|HRK|RSD|MKD|BAM|GEL|AMD|AZN|MDL|ILS|ATS|DEM|FRF|ITL|ESP|NLG|BEF|LUF|GRD|PTE|FIM|IEP|CYP|MTL|SIT|SKK|EEK|LVL|LTL)\b|\b(?:dollar|euro|pound|franc|yen|rupee|lira|liras|lire|kronor|kroner|krona|zloty|forint|rouble|ruble|cent|schilling|mark|drachma|escudo|peseta|guilder|dinar|kuna|tolar|shekel|hryvnia)/gi,
    margin: 40,
  },
  /** Secret material: key prefixes, PEM armour, credential assignments. */
  secret: {
    kind: 'pattern',
    id: 'secret',
    pattern:
      /-----BEGIN|AKIA|ASIA|gh[pousr]_|github_pat_|xox[abposr]-|[sr]k_live|sk-|AIza|eyJ|SG\.|glpat-|npm_|(?:password|passwd|pwd|secret|token|api[_-]?key)["']?\s{0,3}[:=]/gi,
    margin: 8192,
  },
} as const satisfies Record<string, Trigger>;

/** Run lengths that digit-run triggers are rounded down to, so recognizers share windows. */
const RUN_BUCKETS = [1, 4, 6, 10] as const;
/** Margins are rounded up to a multiple of this, for the same reason. */
const MARGIN_STEP = 16;
/** Characters of context beyond the longest match, for look-behinds and look-aheads. */
const LOOKAROUND_SLACK = 8;

const digitRunTriggers = new Map<string, Trigger>();

/**
 * The trigger for a recognizer whose every match holds a run of at least `minRun` consecutive
 * digits and spans at most `maxLength` characters: windows reach from each such run as far as a
 * match can, so nothing is missed, and text whose digit runs are all shorter is never scanned.
 *
 * @example
 * ```ts
 * digitRunTrigger(9, 22); // { kind: 'digitRun', id: 'digits8+32', minRun: 8, margin: 32 }
 * ```
 */
export function digitRunTrigger(minRun: number, maxLength: number): Trigger {
  const run = RUN_BUCKETS.filter((bucket) => bucket <= minRun).at(-1) ?? 1;
  const margin = Math.max(
    TRIGGERS.digit.margin,
    Math.ceil((maxLength + LOOKAROUND_SLACK) / MARGIN_STEP) * MARGIN_STEP,
  );
  const id = `digits${run}+${margin}`;
  let trigger = digitRunTriggers.get(id);
  if (trigger === undefined) {
    trigger = { kind: 'digitRun', id, minRun: run, margin };
    digitRunTriggers.set(id, trigger);
  }
  return trigger;
}
