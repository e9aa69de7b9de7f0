import type { Recognizer } from '../types.js';
import { CONTACT_RECOGNIZERS } from './contact.js';
import { countRecognizer } from './counts.js';
import { DATETIME_RECOGNIZERS } from './datetime.js';
import { DEVICE_RECOGNIZERS } from './devices.js';
import { FINANCIAL_RECOGNIZERS } from './financial.js';
import { medicalConditionRecognizer } from './health.js';
import { landParcelRecognizer } from './land-parcels.js';
import { MEDICAL_RECOGNIZERS } from './medical.js';
import { NATIONAL_RECOGNIZERS } from './national/index.js';
import { NETWORK_RECOGNIZERS } from './network.js';
import { occupationRecognizer } from './occupations.js';
import { NER_RECOGNIZERS } from '../ner/recognizer.js';
import { STREET_ADDRESS_RECOGNIZER } from '../ner/address.js';
import { REFERENCE_RECOGNIZERS } from './references.js';
import { SECRET_RECOGNIZERS } from './secrets.js';
import { US_RECOGNIZERS } from './us.js';

const DEFAULTS: readonly Recognizer[] = [
  ...CONTACT_RECOGNIZERS,
  ...NETWORK_RECOGNIZERS,
  ...FINANCIAL_RECOGNIZERS,
  ...US_RECOGNIZERS,
  ...MEDICAL_RECOGNIZERS,
  medicalConditionRecognizer,
  ...DEVICE_RECOGNIZERS,
  ...SECRET_RECOGNIZERS,
  ...DATETIME_RECOGNIZERS,
  ...REFERENCE_RECOGNIZERS,
  landParcelRecognizer,
  countRecognizer,
  ...NATIONAL_RECOGNIZERS,
  ...NER_RECOGNIZERS,
  occupationRecognizer,
  STREET_ADDRESS_RECOGNIZER,
];

/**
 * Every built-in recognizer, in a fixed order. The order does not change results (overlaps are
 * resolved by rank, see `resolveOverlaps`), only the order work is done in.
 *
 * @example
 * ```ts
 * defaultRecognizers().map((r) => r.name);
 * ```
 */
export function defaultRecognizers(): readonly Recognizer[] {
  return DEFAULTS;
}

/**
 * Every entity type the built-in recognizers can report, sorted.
 *
 * @example
 * ```ts
 * supportedEntities().includes('US_SSN'); // true
 * ```
 */
export function supportedEntities(): string[] {
  return [...new Set(DEFAULTS.flatMap((r) => r.entities))].sort();
}
