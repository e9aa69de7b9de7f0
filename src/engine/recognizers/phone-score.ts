import { Metadata, parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';

/**
 * Regions tried when a number has no country code; Presidio uses a similar list. A number valid
 * in any of them scores the same, so the order changes no verdict, only the cost: Germany's open
 * numbering plan validates nearly every grouped run of seven or more digits (every such candidate
 * in the evaluation texts), so it comes first and most candidates take one parse instead of up to
 * three; Great Britain and the United States follow, then the rest.
 */
export const PHONE_REGIONS: readonly CountryCode[] = [
  'DE',
  'GB',
  'US',
  'FR',
  'NL',
  'IT',
  'ES',
  'IN',
  'AU',
  'CA',
  'BR',
  'IL',
  'IE',
  'BE',
  'CH',
  'AT',
  'SE',
  'DK',
  'NO',
  'FI',
  'PL',
  'PT',
  'SG',
  'NZ',
  'ZA',
  'MX',
  'TR',
  'PH',
];

/**
 * The score of a grouped phone candidate `main` (its extension removed): 0.85 when valid with its
 * `+`/`00` country code (0.5 when merely possible, else 0.2); without one, 0.7 when valid in any
 * of {@link PHONE_REGIONS}, else 0.4 with eight digits or more and 0.3 below. Keeps nothing
 * between calls.
 *
 * @example
 * ```ts
 * validatedPhoneScore('+44 20 7946 0958'); // 0.85
 * validatedPhoneScore('(212) 555-0123'); // 0.7
 * ```
 */
export function validatedPhoneScore(main: string): number {
  if (/^(?:\+|00)/.test(main)) {
    const parsed = parsePhoneNumberFromString(main.replace(/^00/, '+'));
    if (parsed?.isValid()) return 0.85;
    return parsed?.isPossible() ? 0.5 : 0.2;
  }
  const german = germanVerdict(main);
  if (german === true) return 0.7;
  for (const region of PHONE_REGIONS)
    if ((region !== 'DE' || german === undefined) && parsePhoneNumberFromString(main, region)?.isValid())
      return 0.7;
  // Grouped digits that no region validates: a phone-like shape at the threshold when long enough.
  return main.replace(/\D/g, '').length >= 8 ? 0.4 : 0.3;
}

/**
 * What libphonenumber-js's metadata says of Germany's numbering plan, as `germanVerdict` relies on
 * it (see there); read through the `Metadata` class, whose plan accessors the typings leave out.
 */
interface GermanPlan {
  callingCode(): string;
  IDDPrefix(): string;
  nationalPrefixForParsing(): string | undefined;
  nationalPrefixTransformRule(): string | undefined;
  nationalNumberPattern(): string;
  possibleLengths(): readonly number[] | undefined;
}

/**
 * Germany's national number pattern, compiled once, with its shortest possible length; undefined when the metadata no longer has the shape `germanVerdict` follows (another
 * trunk or call prefix, a second country on +49, per-type patterns), and then every verdict comes
 * from libphonenumber-js.
 */
const GERMANY = ((): { pattern: RegExp; shortest: number } | undefined => {
  const metadata = new Metadata() as unknown as {
    selectNumberingPlan(country: string): void;
    numberingPlan?: Partial<GermanPlan>;
    hasTypes?(): boolean;
    getCountryCodesForCallingCode?(code: string): readonly string[] | undefined;
  };
  metadata.selectNumberingPlan('DE');
  const plan = metadata.numberingPlan;
  const lengths = plan?.possibleLengths?.();
  const countries = metadata.getCountryCodesForCallingCode?.('49');
  if (
    plan?.callingCode?.() !== '49' ||
    plan.IDDPrefix?.() !== '00' ||
    plan.nationalPrefixForParsing?.() !== '0' ||
    plan.nationalPrefixTransformRule?.() !== undefined ||
    metadata.hasTypes?.() !== false ||
    countries?.length !== 1 ||
    countries[0] !== 'DE' ||
    lengths === undefined ||
    lengths.length === 0
  )
    return undefined;
  // Every length from the shortest to the longest is possible, so only a run shorter than the
  // shortest fails the library's length check (a longer one counts as possible there).
  for (let k = 1; k < lengths.length; k++) if (lengths[k] !== lengths[k - 1]! + 1) return undefined;
  const source = plan.nationalNumberPattern?.();
  if (typeof source !== 'string') return undefined;
  return { pattern: new RegExp(`^(?:${source})$`), shortest: lengths[0]! };
})();

/** ASCII digits with the separators a phone candidate may hold (no tab: libphonenumber rejects it). */
const GROUPED_DIGITS = /^[\d .()-]+$/;

/**
 * Whether `parsePhoneNumberFromString(main, 'DE')?.isValid()` is true, computed with a pattern
 * compiled once; undefined when `main` is outside the inputs this follows the library exactly on.
 *
 * Why: libphonenumber-js builds a `new RegExp` from metadata strings on every check, and V8 drops
 * those from its compilation cache at garbage collection, so inside a full analysis each candidate
 * cost tens of microseconds of regex compilation; Germany comes first in {@link PHONE_REGIONS} and
 * validates nearly every candidate, so this one check carries nearly all of that cost.
 *
 * The library's steps for such input, with the default country DE: the text holds only digits and
 * `' .()-'`, so it is a viable number without an extension or RFC 3966 parts, and parsing keeps its
 * digits. Those starting with "00" (the call prefix) or "49" (the country code without a plus) take
 * other branches and are left to the library. Otherwise the trunk prefix "0" is removed unless the
 * whole run matches the national pattern and the rest does not, or the rest is shorter than the
 * shortest possible length; the result must hold 2 to 17 digits and match the national pattern
 * (the minimal metadata has no per-type patterns). `test/engine/phone-score.test.ts` compares the
 * verdicts with the library's on generated candidates and every candidate of the evaluation texts.
 */
export function germanVerdict(main: string): boolean | undefined {
  if (GERMANY === undefined || main.length > 250 || !GROUPED_DIGITS.test(main)) return undefined;
  let digits = '';
  for (let i = 0; i < main.length; i++) {
    const code = main.charCodeAt(i);
    if (code >= 0x30 && code <= 0x39) digits += main[i];
  }
  // Fewer than three digits are not a viable number; the library says so by another path.
  if (digits.length < 3 || digits.startsWith('00') || digits.startsWith('49')) return undefined;
  const { pattern, shortest } = GERMANY;
  let national = digits;
  if (digits.startsWith('0')) {
    const rest = digits.slice(1);
    const keepPrefix = (pattern.test(digits) && !pattern.test(rest)) || rest.length < shortest;
    if (!keepPrefix) national = rest;
  }
  return national.length >= 2 && national.length <= 17 && pattern.test(national);
}
