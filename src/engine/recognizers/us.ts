import type { Recognizer } from '../types.js';
import { compact } from '../validators/checksums.js';
import { guarded } from '../scan/guard.js';
import { patternRecognizer } from './pattern.js';

/**
 * True when a nine-digit string can be a Social Security number: the area is not 000, 666 or
 * 900–999, the group is not 00 and the serial is not 0000 (SSA rules since 2011), and it is not
 * a run of one digit or an advertised sample such as 123-45-6789.
 *
 * @example
 * ```ts
 * isPlausibleSsn('536-22-1245'); // true
 * ```
 */
export function isPlausibleSsn(value: string): boolean {
  const d = compact(value);
  if (
    !/^\d{9}$/.test(d) ||
    /^(\d)\1{8}$/.test(d) ||
    d === '123456789' ||
    d === '078051120' ||
    d === '219099999'
  )
    return false;
  const area = Number(d.slice(0, 3));
  return area !== 0 && area !== 666 && area < 900 && d.slice(3, 5) !== '00' && d.slice(5) !== '0000';
}

const ssn = patternRecognizer({
  name: 'us-ssn',
  entity: 'US_SSN',
  patterns: [
    { regex: /(?<![\p{N}-])\d{3}-\d{2}-\d{4}(?![\p{N}]|-\d)/u, score: 0.5 },
    { regex: /(?<![\p{N}.-])\d{3} \d{2} \d{4}(?![\p{N}])/u, score: 0.3 },
    { regex: /(?<![\p{N}.-])\d{3}\.\d{2}\.\d{4}(?![\p{N}]|\.\d)/u, score: 0.2 },
    { regex: /(?<![\p{N}.-])\d{9}(?![\p{N}]|[.-]\d)/u, score: 0.05 },
  ],
  validator: isPlausibleSsn,
  context: ['ssn', 'social security', 'social', 'ss#', 'ssid', 'ssns'],
  negativeContext: ['itin', 'routing', 'phone'],
});

/** ITINs: nine digits starting with 9, with a group of 50–65, 70–88, 90–92 or 94–99. */
const itin = patternRecognizer({
  name: 'us-itin',
  entity: 'US_ITIN',
  patterns: [
    {
      regex: /(?<![\p{N}-])9\d{2}[- ](?:5\d|6[0-5]|7\d|8[0-8]|9[0-2]|9[4-9])[- ]\d{4}(?![\p{N}]|-\d)/u,
      score: 0.5,
    },
    {
      regex: /(?<![\p{N}.-])9\d{2}(?:5\d|6[0-5]|7\d|8[0-8]|9[0-2]|9[4-9])\d{4}(?![\p{N}]|[.-]\d)/u,
      score: 0.1,
    },
  ],
  context: ['itin', 'individual taxpayer', 'taxpayer', 'tax id', 'tin'],
});

const passport = patternRecognizer({
  name: 'us-passport',
  entity: 'US_PASSPORT',
  patterns: [
    { regex: /(?<![\p{L}\p{N}])[A-Z]\d{8}(?![\p{L}\p{N}])/u, score: 0.1 },
    { regex: /(?<![\p{L}\p{N}-])\d{9}(?![\p{L}\p{N}])/u, score: 0.05 },
  ],
  context: ['passport', 'passport no', 'travel document', 'passport number'],
});

const driverLicense = patternRecognizer({
  name: 'us-driver-license',
  entity: 'US_DRIVER_LICENSE',
  patterns: [
    {
      regex: guarded('[A-Za-z]{1,2}\\d', /(?<![\p{L}\p{N}-])[A-Za-z]{1,2}\d{5,14}[A-Za-z]?(?![\p{L}\p{N}])/u),
      score: 0.15,
    },
    { regex: /(?<![\p{L}\p{N}-])\d{7,15}[A-Za-z]?(?![\p{L}\p{N}])/u, score: 0.05 },
    { regex: /(?<![\p{L}\p{N}-])[A-Za-z]\d{3}-\d{3,4}-\d{3,4}(?:-\d{1,3})?(?![\p{L}\p{N}])/u, score: 0.2 },
  ],
  context: ['driver', 'driving', 'license', 'licence', 'dl', 'dmv', 'lic'],
});

const ein = patternRecognizer({
  name: 'us-ein',
  entity: 'US_EIN',
  patterns: [
    {
      regex: /(?<![\p{N}-])(?:0[1-6]|1[0-6]|2[0-7]|[35]\d|[468][0-8]|7[1-7]|9[0-58-9])-\d{7}(?![\p{N}]|-\d)/u,
      score: 0.3,
    },
  ],
  context: ['ein', 'employer identification', 'fein', 'tax id', 'federal tax'],
});

const zip = patternRecognizer({
  name: 'us-zip',
  entity: 'ZIP_CODE',
  patterns: [{ regex: /(?<![\p{N}$,.-])\d{5}(?:-\d{4})?(?![\p{N}]|[.,]\d|-\d)/u, score: 0.1 }],
  context: ['zip', 'zipcode', 'postal', 'postcode', 'post code', 'mailing'],
});

/** US identifiers: SSN, ITIN, passport, driver's licence, EIN and ZIP code. */
export const US_RECOGNIZERS: readonly Recognizer[] = [ssn, itin, passport, driverLicense, ein, zip];
