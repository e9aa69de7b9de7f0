import type { Recognizer } from '../../types.js';
import { patternRecognizer } from '../pattern.js';
import { identifier } from './shape.js';

/** Recognizers for identifiers issued in the Philippines (mobile numbers are read by the phone recognizer). */
export const PHILIPPINES_RECOGNIZERS: readonly Recognizer[] = [
  patternRecognizer({
    name: 'ph-tin',
    entity: 'PH_TIN',
    // The Bureau of Internal Revenue's taxpayer number: nine digits and a three- or five-digit
    // branch code (000 for the head office), written 123-456-789-000. No check digit is
    // published, so only context tells.
    patterns: [
      { regex: identifier(String.raw`\d{3}([ -])\d{3}\1\d{3}(?:\1\d{3}(?:\d{2})?)?`), score: 0.05 },
      { regex: identifier(String.raw`\d{9}(?:\d{3}(?:\d{2})?)?`), score: 0.05 },
    ],
    context: [
      'tin',
      'tin no',
      'taxpayer identification',
      'tax identification number',
      'bir',
      'bureau of internal revenue',
    ],
  }),
];
