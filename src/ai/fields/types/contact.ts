import { findPhoneNumbersInText, type CountryCode } from 'libphonenumber-js';
import type { FieldSpec } from '../spec.js';
import { check, type ValueMatch } from './match.js';

// The dot-atom form of RFC 5322 that real addresses use; quoted local parts are left out on purpose.
const EMAIL =
  /(?<![\w.+-])[A-Za-z0-9](?:[A-Za-z0-9._%+-]{0,62}[A-Za-z0-9])?@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24}(?![\w-])/g;

/**
 * Every e-mail address in a text, with its domain lower-cased (the local part keeps its case:
 * RFC 5321 leaves it to the receiving host).
 *
 * @example
 * ```ts
 * findEmails('Mail: Jane.Doe@Example.ORG', spec)[0].value; // 'Jane.Doe@example.org'
 * ```
 */
export function findEmails(text: string, _spec: FieldSpec): ValueMatch[] {
  return [...text.matchAll(EMAIL)].flatMap((m) => {
    const [local, domain] = [m[0].slice(0, m[0].lastIndexOf('@')), m[0].slice(m[0].lastIndexOf('@') + 1)];
    if (local.includes('..') || domain.includes('..')) return [];
    return [
      {
        start: m.index,
        end: m.index + m[0].length,
        value: `${local}@${domain.toLowerCase()}`,
        checks: [check('format:email')],
        quality: 1,
      },
    ];
  });
}

/**
 * Every valid phone number in a text, in E.164 (`+60123456789`), found and validated by
 * libphonenumber-js; numbers without a country code are read in the spec's `country`.
 *
 * @example
 * ```ts
 * findPhones('Tel: 020 7946 0018', { name: 'tel', type: 'phone', country: 'GB' })[0].value; // '+442079460018'
 * ```
 */
export function findPhones(text: string, spec: FieldSpec): ValueMatch[] {
  const options = spec.country ? { defaultCountry: spec.country as CountryCode } : {};
  return findPhoneNumbersInText(text, options).flatMap((found) => {
    const valid = found.number.isValid();
    if (!valid && !found.number.isPossible()) return [];
    return [
      {
        start: found.startsAt,
        end: found.endsAt,
        value: found.number.number,
        checks: [check('format:phone'), check('valid_number', valid)],
        quality: valid ? 1 : 0.6,
      },
    ];
  });
}
