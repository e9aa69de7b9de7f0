import type { Recognizer } from '../../types.js';
import { luhn } from '../../validators/checksums.js';
import { patternRecognizer } from '../pattern.js';
import { identifier, normalise, SEPARATOR } from './shape.js';

/**
 * Social Insurance Number: nine digits with a Luhn check. The first digit is the region of
 * issue; 0 is never issued and 8 belongs to business numbers.
 */
export function isCanadianSin(value: string): boolean {
  const v = normalise(value);
  return /^[1-79]\d{8}$/.test(v) && luhn(v);
}

/** Ontario health card (OHIP): ten digits with a Luhn check, optionally a two-letter version code. */
export function isOntarioHealthCard(value: string): boolean {
  const v = normalise(value);
  return /^[1-9]\d{9}(?:[A-Z]{2})?$/.test(v) && luhn(v.slice(0, 10));
}

/** Business Number with its program account (RC, RM, RP, RR, RT or RZ and four digits); the nine-digit root is Luhn. */
export function isCanadianBusinessNumber(value: string): boolean {
  const v = normalise(value);
  return /^\d{9}R[CMPRTZ]\d{4}$/.test(v) && luhn(v.slice(0, 9));
}

/** Recognizers for identifiers issued in Canada. */
export const CANADA_RECOGNIZERS: readonly Recognizer[] = [
  patternRecognizer({
    name: 'ca-sin',
    entity: 'CA_SIN',
    patterns: [{ regex: identifier(String.raw`\d{3}${SEPARATOR}\d{3}\1\d{3}`), score: 0.05 }],
    validator: isCanadianSin,
    validatedScore: 0.3,
    context: [
      'sin',
      'social insurance number',
      'social insurance',
      'numéro d assurance sociale',
      'assurance sociale',
      'nas',
    ],
  }),
  patternRecognizer({
    name: 'ca-passport',
    entity: 'CA_PASSPORT',
    // Two letters and six digits, no check digit: only context tells.
    patterns: [{ regex: identifier(String.raw`[A-Z]{2}\d{6}`), score: 0.05 }],
    context: ['passport', 'passport number', 'passeport', 'numéro de passeport'],
  }),
  patternRecognizer({
    name: 'ca-health-card',
    entity: 'CA_HEALTH_CARD',
    patterns: [
      { regex: identifier(String.raw`[1-9]\d{3}${SEPARATOR}\d{3}\1\d{3}(?:\1[A-Z]{2})?`), score: 0.05 },
    ],
    validator: isOntarioHealthCard,
    validatedScore: 0.3,
    context: ['ohip', 'health card', 'health number', 'carte santé', 'assurance maladie', 'ontario health'],
  }),
  patternRecognizer({
    name: 'ca-business-number',
    entity: 'CA_BUSINESS_NUMBER',
    // The program-account suffix makes the number distinctive.
    patterns: [{ regex: identifier(String.raw`\d{5} ?\d{4} ?R[CMPRTZ] ?\d{4}`), score: 0.2 }],
    validator: isCanadianBusinessNumber,
    validatedScore: 0.6,
    context: ['business number', 'bn', 'cra', 'gst hst', 'numéro d entreprise', 'canada revenue'],
  }),
];
