import type { Recognizer } from '../../types.js';
import { verhoeff } from '../../validators/checksums.js';
import { luhnMod36CheckChar } from '../../validators/national-checksums.js';
import { patternRecognizer } from '../pattern.js';
import { digitsAt, identifier, normalise, SEPARATOR } from './shape.js';

/** Aadhaar: twelve digits, never starting with 0 or 1, with a Verhoeff check digit. */
export function isAadhaar(value: string): boolean {
  const v = normalise(value);
  return /^[2-9]\d{11}$/.test(v) && !/^(\d)\1{11}$/.test(v) && verhoeff(v);
}

// The fourth character of a PAN names the holder: association, body of individuals, company,
// firm, government, HUF, artificial juridical person, local authority, person, trust.
const PAN = '[A-Z]{3}[ABCFGHJLPT][A-Z]\\d{4}[A-Z]';

/**
 * GSTIN: a state code (01–38, 97 or 99), the holder's PAN, an entity number, the letter Z
 * and a Luhn mod 36 check character.
 */
export function isGstin(value: string): boolean {
  const v = normalise(value);
  const state = digitsAt(v, 0, 2);
  if (!((state >= 1 && state <= 38) || state === 97 || state === 99)) return false;
  return luhnMod36CheckChar(v.slice(0, 14)) === v[14];
}

// Registration state and union-territory codes; a leading code outside this list is no plate.
const STATE_CODES =
  'AN|AP|AR|AS|BR|CG|CH|DD|DL|DN|GA|GJ|HP|HR|JH|JK|KA|KL|LA|LD|MH|ML|MN|MP|MZ|NL|OD|OR|PB|PY|RJ|SK|TN|TR|TS|UK|UP|WB';

/** Recognizers for identifiers issued in India. */
export const INDIA_RECOGNIZERS: readonly Recognizer[] = [
  patternRecognizer({
    name: 'in-aadhaar',
    entity: 'IN_AADHAAR',
    patterns: [{ regex: identifier(String.raw`[2-9]\d{3}${SEPARATOR}\d{4}\1\d{4}`), score: 0.05 }],
    validator: isAadhaar,
    validatedScore: 0.3,
    context: ['aadhaar', 'aadhar', 'adhaar', 'uid', 'uidai', 'आधार', 'unique identification'],
  }),
  patternRecognizer({
    name: 'in-pan',
    entity: 'IN_PAN',
    // Ten characters in a fixed letter/digit layout with a holder-type letter: distinctive.
    patterns: [{ regex: identifier(PAN), score: 0.6 }],
    context: ['pan', 'permanent account number', 'pan card', 'income tax', 'स्थायी खाता संख्या', 'पैन'],
  }),
  patternRecognizer({
    name: 'in-passport',
    entity: 'IN_PASSPORT',
    patterns: [{ regex: identifier(String.raw`[A-PR-WY][1-9]\d ?\d{4}[1-9]`), score: 0.1 }],
    context: ['passport', 'passport number', 'passport no', 'पासपोर्ट'],
  }),
  patternRecognizer({
    name: 'in-voter',
    entity: 'IN_VOTER',
    patterns: [{ regex: identifier(String.raw`[A-Z]{3}\d{7}`), score: 0.3 }],
    context: ['voter', 'voter id', 'epic', 'electoral', 'election commission', 'elector', 'मतदाता'],
  }),
  patternRecognizer({
    name: 'in-vehicle-registration',
    entity: 'IN_VEHICLE_REGISTRATION',
    patterns: [
      { regex: identifier(String.raw`(?:${STATE_CODES})${SEPARATOR}\d{1,2}\1[A-Z]{1,3}\1\d{4}`), score: 0.4 },
      // Bharat series (since 2021): year, BH, four digits, one or two letters.
      { regex: identifier(String.raw`\d{2}${SEPARATOR}BH\1\d{4}\1[A-HJ-NP-Z]{1,2}`), score: 0.5 },
    ],
    context: ['vehicle', 'registration', 'reg no', 'number plate', 'car', 'rc', 'वाहन'],
  }),
  patternRecognizer({
    name: 'in-gstin',
    entity: 'IN_GSTIN',
    patterns: [{ regex: identifier(String.raw`\d{2}${PAN}[1-9A-Z]Z[0-9A-Z]`), score: 0.3 }],
    validator: isGstin,
    validatedScore: 0.85,
    context: ['gstin', 'gst', 'gst number', 'goods and services tax', 'जीएसटी'],
  }),
];
