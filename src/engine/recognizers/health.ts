/**
 * A person's illness, injury or impairment named by its medical term ("paranoid schizophrenia",
 * "degenerative discopathy", "myopia", "sciatica"): health data is a special category of
 * personal data, and in a judgment or a file a diagnosis singles a person out. Found by the
 * term's shape (the suffixes of diagnoses: -itis, -osis, -pathy, -algia, -phrenia, -opia,
 * -plegia, -aemia) or a short list of common ones, with one describing word before it ("paranoid",
 * "degenerative") and a hyphenated first part ("cervico-brachial").
 */
import type { Trigger } from '../types.js';
import { patternRecognizer } from './pattern.js';

/** Everyday words with a diagnosis's ending. */
const NOT_DIAGNOSES = new Set(
  (
    'diagnosis prognosis hypnosis osmosis symbiosis apotheosis metamorphosis sympathy empathy ' +
    'apathy antipathy telepathy nostalgia utopia dystopia cornucopia academia'
  ).split(' '),
);

/** The term itself: a diagnosis's ending, or a common condition without one. */
const TERM =
  '(?:[a-z]+(?:itis|osis|pathy|algia|phrenia|opia|plegia|aemia|emia)|cancer|diabetes|epilepsy|asthma|dementia|sciatica|paralysis|tumou?r)';
/** One describing word before it, by its adjective ending ("paranoid", "chronic", "degenerative"). */
const DESCRIBING = '(?:[a-z]+(?:ic|al|ive|oid|ing|ous|ar|ary)[ \\u2011-])?';
/** A first part joined by a hyphen ("cervico-brachial neuralgia", "peri-arthritis"). */
const JOINED = '(?:[a-z]+[\\u2011-])?';

const DIAGNOSIS_TRIGGER: Trigger = {
  kind: 'pattern',
  id: 'diagnosis',
  pattern:
    /itis|osis|pathy|algia|phrenia|opia|plegia|emia|cancer|diabetes|epilepsy|asthma|dementia|sciatica|paralysis|tumou?r/g,
  margin: 48,
};

/**
 * Reports a medical condition as `MEDICAL_CONDITION`.
 *
 * @example
 * ```ts
 * const text = 'He was diagnosed with paranoid schizophrenia.';
 * medicalConditionRecognizer.find(text, { start: 0, end: text.length });
 * // [{ type: 'MEDICAL_CONDITION', start: 22, end: 44, ... }]
 * ```
 */
export const medicalConditionRecognizer = patternRecognizer({
  name: 'medical-condition',
  entity: 'MEDICAL_CONDITION',
  patterns: [
    {
      regex: new RegExp(
        `(?<![\\p{L}\\p{N}\\u2011-])${JOINED}${DESCRIBING}${JOINED}${TERM}(?![\\p{L}\\p{N}])`,
        'u',
      ),
      score: 0.6,
    },
  ],
  validator: (value) => !NOT_DIAGNOSES.has(value.slice(value.search(/[a-z]+$/)).toLowerCase()),
  trigger: DIAGNOSIS_TRIGGER,
});
