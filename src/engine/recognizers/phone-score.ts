import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';

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
  for (const region of PHONE_REGIONS) if (parsePhoneNumberFromString(main, region)?.isValid()) return 0.7;
  // Grouped digits that no region validates: a phone-like shape at the threshold when long enough.
  return main.replace(/\D/g, '').length >= 8 ? 0.4 : 0.3;
}
