import { electronicFormatIBAN, isValidIBAN } from 'ibantools';
import { createAnalyzer, type Analyzer } from '../../../engine/analyze.js';
import { NATIONAL_RECOGNIZERS } from '../../../engine/recognizers/national/index.js';
import { supportedEntities } from '../../../engine/recognizers/index.js';
import { US_RECOGNIZERS } from '../../../engine/recognizers/us.js';
import { luhn } from '../../../engine/validators/checksums.js';
import { VeilError } from '../../../errors/veil-error.js';
import type { FieldSpec } from '../spec.js';
import { check, type ValueMatch } from './match.js';

const IBAN = /(?<![A-Za-z0-9])[A-Za-z]{2}\s?\d{2}(?:\s?[A-Za-z0-9]){11,30}(?![A-Za-z0-9])/g;

/**
 * Every IBAN in a text whose check digits (ISO 7064 mod 97) and country format hold, checked by
 * ibantools, in electronic form (`GB82WEST12345698765432`).
 *
 * @example
 * ```ts
 * findIbans('IBAN: GB82 WEST 1234 5698 7654 32', spec)[0].value; // 'GB82WEST12345698765432'
 * ```
 */
export function findIbans(text: string, _spec: FieldSpec): ValueMatch[] {
  const found: ValueMatch[] = [];
  for (const m of text.matchAll(IBAN)) {
    // A greedy match may run into the next word ("...5432 BIC"); shorten until the IBAN holds.
    const compactFull = electronicFormatIBAN(m[0]) ?? '';
    for (let length = compactFull.length; length >= 15; length--) {
      const candidate = compactFull.slice(0, length);
      if (!isValidIBAN(candidate)) continue;
      let end = m.index;
      for (let seen = 0; seen < length; end++) if (/[A-Za-z0-9]/.test(text[end]!)) seen++;
      found.push({
        start: m.index,
        end,
        value: candidate,
        checks: [check('format:iban'), check('checksum:mod97')],
        quality: 1,
      });
      break;
    }
  }
  return found;
}

const CARD = /(?<![\d-])\d(?:[ -]?\d){12,18}(?![\d-])/g;

/**
 * Every payment card number (13 to 19 digits, spaced or dashed) whose Luhn check digit holds,
 * as digits only.
 *
 * @example
 * ```ts
 * findCards('Card 4111 1111 1111 1111', spec)[0].value; // '4111111111111111'
 * ```
 */
export function findCards(text: string, _spec: FieldSpec): ValueMatch[] {
  return [...text.matchAll(CARD)].flatMap((m) => {
    const digits = m[0].replace(/\D/g, '');
    if (!luhn(digits)) return [];
    return [
      {
        start: m.index,
        end: m.index + m[0].length,
        value: digits,
        checks: [check('format:card_number'), check('checksum:luhn')],
        quality: 1,
      },
    ];
  });
}

/** The entity types of national and personal identifiers the engine recognises with their check digits. */
export const NATIONAL_ID_ENTITIES: readonly string[] = [
  ...new Set([...US_RECOGNIZERS, ...NATIONAL_RECOGNIZERS].flatMap((r) => r.entities)),
]
  .filter((e) => e !== 'ZIP_CODE' && !e.includes('VEHICLE'))
  .sort();

const analyzers = new Map<string, Analyzer>();

function analyzerFor(entity: string | undefined): Analyzer {
  const key = entity ?? '*';
  let analyzer = analyzers.get(key);
  if (!analyzer) {
    if (entity && !supportedEntities().includes(entity))
      throw new VeilError('VEIL_FIELD_INVALID', `entity: ${entity} is not an entity type Veil recognises`);
    // The tagger is not needed for identifiers; only the identifier recognizers run.
    analyzer = createAnalyzer({ entities: entity ? [entity] : NATIONAL_ID_ENTITIES });
    analyzers.set(key, analyzer);
  }
  return analyzer;
}

/**
 * Every national or personal identifier in a text that the engine's recognizers (with their check
 * digits and context) accept: of the spec's `entity` type, or of any national identifier type.
 * The value is the identifier as printed, trimmed; the check names the entity type.
 *
 * @example
 * ```ts
 * findNationalIds('SSN 536-22-1245', { name: 'ssn', type: 'national_id', entity: 'US_SSN' })[0].value; // '536-22-1245'
 * ```
 */
export function findNationalIds(text: string, spec: FieldSpec): ValueMatch[] {
  return analyzerFor(spec.entity)
    .call(undefined, text)
    .map((f) => ({
      start: f.start,
      end: f.end,
      value: text.slice(f.start, f.end).trim(),
      checks: [check(`entity:${f.type}`), check('checksum', f.score >= 0.85)],
      quality: Math.min(1, f.score + 0.1),
    }));
}
