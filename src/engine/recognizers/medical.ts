import { TRIGGERS } from '../scan/triggers.js';
import type { Recognizer } from '../types.js';
import { compact, luhn } from '../validators/checksums.js';
import { patternRecognizer } from './pattern.js';

/** NPI: ten digits whose Luhn check is computed over the prefix 80840 plus the number. */
export function isNpi(value: string): boolean {
  const d = compact(value);
  return /^[12]\d{9}$/.test(d) && luhn(`80840${d}`);
}

/** DEA registration numbers: two letters and seven digits, the last a weighted check digit. */
export function isDeaNumber(value: string): boolean {
  const digits = value.slice(2);
  if (!/^\d{7}$/.test(digits)) return false;
  const n = digits.split('').map(Number) as number[];
  const sum = n[0]! + n[2]! + n[4]! + 2 * (n[1]! + n[3]! + n[5]!);
  return sum % 10 === n[6];
}

const npi = patternRecognizer({
  name: 'us-npi',
  entity: 'US_NPI',
  patterns: [{ regex: /(?<![\p{N}-])[12]\d{9}(?![\p{N}]|-\d)/u, score: 0.1 }],
  validator: isNpi,
  validatedScore: 0.3,
  context: ['npi', 'national provider', 'provider id', 'prescriber'],
});

const dea = patternRecognizer({
  name: 'dea-number',
  entity: 'MEDICAL_LICENSE',
  patterns: [{ regex: /(?<![\p{L}\p{N}])[ABCDEFGHJKLMPRSTUX][A-Z9]\d{7}(?![\p{L}\p{N}])/u, score: 0.3 }],
  validator: isDeaNumber,
  validatedScore: 0.6,
  context: ['dea', 'license', 'licence', 'registration', 'prescriber', 'medical'],
});

const medicalLicense = patternRecognizer({
  name: 'medical-license',
  entity: 'MEDICAL_LICENSE',
  patterns: [
    {
      regex:
        /\b(?:medical|physician|nursing|nurse|pharmacist|state)\s+licen[cs]e\s*(?:no\.?|number|#)?\s*[:#]?\s*([A-Z]{0,3}-?\d{4,10})(?![\p{L}\p{N}])/iu,
      group: 1,
      score: 0.75,
    },
  ],
  trigger: TRIGGERS.healthLabel,
});

const mrn = patternRecognizer({
  name: 'medical-record-number',
  entity: 'MEDICAL_RECORD_NUMBER',
  patterns: [
    {
      regex:
        /\b(?:MRN|MR#|MR No\.?|medical record(?:\s+(?:number|no\.?|#))?|patient id|patient no\.?|chart(?:\s+(?:number|no\.?|#))?)\s*[:#]?\s*([A-Z]{0,4}-?\d[\d-]{3,14}\d)(?![\p{L}\p{N}])/iu,
      score: 0.8,
      group: 1,
    },
  ],
  trigger: TRIGGERS.healthLabel,
});

/** The US Medicare Beneficiary Identifier: 11 characters in a fixed letter/digit layout. */
const mbi = patternRecognizer({
  name: 'us-mbi',
  entity: 'US_MBI',
  patterns: [
    {
      regex:
        /(?<![\p{L}\p{N}])[1-9][AC-HJKMNP-RT-Y][AC-HJKMNP-RT-Y0-9]\d-?[AC-HJKMNP-RT-Y][AC-HJKMNP-RT-Y0-9]\d-?[AC-HJKMNP-RT-Y]{2}\d{2}(?![\p{L}\p{N}])/u,
      score: 0.5,
    },
  ],
  context: ['medicare', 'mbi', 'beneficiary'],
});

const healthPlan = patternRecognizer({
  name: 'health-plan-id',
  entity: 'HEALTH_PLAN_ID',
  patterns: [
    {
      regex:
        /\b(?:member id|subscriber id|policy (?:number|no\.?|#)|insurance id|health plan(?: id)?|group (?:number|no\.?))\s*[:#]?\s*([A-Z]{0,4}-?\d[\dA-Z-]{4,18})(?![\p{L}\p{N}])/iu,
      score: 0.7,
      group: 1,
    },
  ],
  trigger: TRIGGERS.healthLabel,
});

/** Health identifiers: NPI, DEA and licence numbers, MRN, Medicare MBI, health-plan ids. */
export const MEDICAL_RECOGNIZERS: readonly Recognizer[] = [npi, dea, medicalLicense, mrn, mbi, healthPlan];
