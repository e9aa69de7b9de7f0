import type { Recognizer } from '../../types.js';
import { AUSTRALIA_RECOGNIZERS } from './australia.js';
import { CANADA_RECOGNIZERS } from './canada.js';
import { EU_EAST_RECOGNIZERS } from './eu-east.js';
import { EU_NORTH_RECOGNIZERS } from './eu-north.js';
import { EU_SOUTH_RECOGNIZERS } from './eu-south.js';
import { EU_VAT_RECOGNIZERS } from './eu-vat.js';
import { EU_WEST_RECOGNIZERS } from './eu-west.js';
import { GERMANY_INSURANCE_RECOGNIZERS } from './germany-insurance.js';
import { INDIA_RECOGNIZERS } from './india.js';
import { KOREA_RECOGNIZERS } from './korea.js';
import { NIGERIA_RECOGNIZERS } from './nigeria.js';
import { PHILIPPINES_RECOGNIZERS } from './philippines.js';
import { SINGAPORE_RECOGNIZERS } from './singapore.js';
import { SOUTH_AFRICA_RECOGNIZERS } from './south-africa.js';
import { THAILAND_RECOGNIZERS } from './thailand.js';
import { TURKEY_RECOGNIZERS } from './turkey.js';
import { UK_RECOGNIZERS } from './uk.js';

/**
 * National identifiers of the UK, the EU, India, Australia, Singapore, Canada, Korea, Thailand,
 * Turkey, the Philippines, Nigeria and South Africa. Each
 * validates its check digits and embedded dates; bare digit runs that pass a weak check score
 * below the default threshold, so a context word ("BSN", "PESEL", "TFN") is what reports them.
 *
 * @example
 * ```ts
 * NATIONAL_RECOGNIZERS.flatMap((r) => r.entities).includes('UK_NHS'); // true
 * ```
 */
export const NATIONAL_RECOGNIZERS: readonly Recognizer[] = [
  ...UK_RECOGNIZERS,
  ...EU_WEST_RECOGNIZERS,
  ...GERMANY_INSURANCE_RECOGNIZERS,
  ...EU_SOUTH_RECOGNIZERS,
  ...EU_NORTH_RECOGNIZERS,
  ...EU_EAST_RECOGNIZERS,
  ...EU_VAT_RECOGNIZERS,
  ...INDIA_RECOGNIZERS,
  ...AUSTRALIA_RECOGNIZERS,
  ...SINGAPORE_RECOGNIZERS,
  ...CANADA_RECOGNIZERS,
  ...KOREA_RECOGNIZERS,
  ...THAILAND_RECOGNIZERS,
  ...TURKEY_RECOGNIZERS,
  ...PHILIPPINES_RECOGNIZERS,
  ...NIGERIA_RECOGNIZERS,
  ...SOUTH_AFRICA_RECOGNIZERS,
];
