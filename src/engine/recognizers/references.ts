import type { Recognizer } from '../types.js';
import { guarded } from '../scan/guard.js';
import { patternRecognizer } from './pattern.js';

/**
 * Case, application and file references ("application no. 28045/02", "case no. 1996/276",
 * "Case 12-cv-3456"). They identify a proceeding, and through it a person, so they are reported
 * near their keywords.
 */
const caseNumber = patternRecognizer({
  name: 'case-number',
  entity: 'CASE_NUMBER',
  patterns: [
    {
      regex: guarded('\\d\\d?\\d?\\/', /(?<![\p{N}/.-])\d{1,3}\/(?:\d{2}|\d{4})(?![\p{N}]|\/\d)/u),
      score: 0.2,
    },
    // A year, a slash and a sequence number: Turkish and Polish court files ("case no. 1996/276").
    {
      regex: guarded('(?:19|20)\\d\\d\\/', /(?<![\p{N}/.-])(?:19|20)\d{2}\/\d{1,5}(?![\p{N}]|\/\d)/u),
      score: 0.2,
    },
    // Four to six digits, a slash and a two-digit year: the shape of court application numbers.
    { regex: guarded('\\d{4}', /(?<![\p{N}/.-])\d{4,6}\/\d{2}(?![\p{N}]|\/\d)/u), score: 0.45 },
    {
      regex: /(?<![\p{L}\p{N}])\d{1,2}[:-](?:cv|cr|mc|mj|bk|ap)[:-]\d{3,6}(?:-[A-Z]{2,4})?(?![\p{L}\p{N}])/iu,
      score: 0.7,
    },
  ],
  context: [
    'application',
    'applications',
    'no',
    'nos',
    'case',
    'file',
    'docket',
    'ref',
    'reference',
    'claim',
  ],
  negativeContext: ['page', 'score', 'ratio', 'per'],
});

/** Legal and administrative references. */
export const REFERENCE_RECOGNIZERS: readonly Recognizer[] = [caseNumber];
