/**
 * Training-data augmentation: copies of the presidio-research training samples whose entity
 * values are replaced by fresh `@faker-js/faker` values (many locales, random case). The tagger
 * then learns the sentence context and the value shapes, not the particular values it saw.
 */
import { allFakers, type Faker } from '@faker-js/faker';
import type { GoldDoc, GoldSpan } from './corpus.js';

const LOCALES = [
  'en',
  'en_GB',
  'en_US',
  'de',
  'fr',
  'it',
  'es',
  'nl',
  'pl',
  'pt_BR',
  'pt_PT',
  'sv',
  'da',
  'nb_NO',
  'fi',
  'cs_CZ',
  'hu',
  'el',
  'tr',
  'ro',
  'hr',
  'sk',
  'lv',
  'uk',
  'ru',
  'vi',
  'id_ID',
] as const;
const fakers: Faker[] = LOCALES.map((name) => allFakers[name]);

function recase(value: string, rand: () => number): string {
  const r = rand();
  if (r < 0.12) return value.toLowerCase();
  if (r < 0.2) return value.toUpperCase();
  return value;
}

/** Calls a faker generator, falling back to English where the locale has no such data. */
function safe(f: Faker, pick: (f: Faker) => string): string {
  try {
    return pick(f);
  } catch {
    return pick(allFakers.en);
  }
}

function address(f: Faker, multiline: boolean, rand: () => number): string {
  const street = safe(f, (g) => g.location.streetAddress(rand() < 0.5));
  if (rand() < 0.25) return street;
  const parts = [street, safe(f, (g) => g.location.city())];
  const zip = safe(f, (g) => g.location.zipCode());
  if (rand() < 0.5) parts.push(safe(f, (g) => g.location.country()) + ' ' + zip);
  else parts.push(safe(f, (g) => g.location.state({ abbreviated: rand() < 0.5 })) + ' ' + zip);
  return parts.join(multiline ? '\n ' : ', ');
}

function valueFor(span: GoldSpan, original: string, rand: () => number): string {
  const f = fakers[Math.floor(rand() * fakers.length)]!;
  f.seed(Math.floor(rand() * 1e9));
  switch (span.type) {
    case 'PERSON': {
      const words = original.trim().split(/\s+/).length;
      const prefix = /^(mr|mrs|ms|miss|dr)\b/i.test(original) ? original.split(/\s+/)[0] + ' ' : '';
      const name =
        words - (prefix ? 1 : 0) <= 1
          ? rand() < 0.6
            ? safe(f, (g) => g.person.firstName())
            : safe(f, (g) => g.person.lastName())
          : `${safe(f, (g) => g.person.firstName())} ${safe(f, (g) => g.person.lastName())}`;
      return recase(prefix + name, rand);
    }
    case 'LOCATION':
      return recase(
        rand() < 0.5 ? safe(f, (g) => g.location.city()) : safe(f, (g) => g.location.country()),
        rand,
      );
    case 'ORGANIZATION':
      return recase(
        safe(f, (g) => g.company.name()),
        rand,
      );
    case 'STREET_ADDRESS':
      return recase(address(f, original.includes('\n'), rand), rand);
    default:
      return original;
  }
}

/**
 * `copies` variants of each document with every span's value replaced.
 *
 * @example
 * ```ts
 * augment(docs, 2, Math.random);
 * ```
 */
export function augment(docs: readonly GoldDoc[], copies: number, rand: () => number): GoldDoc[] {
  const out: GoldDoc[] = [];
  for (const doc of docs) {
    const spans = [...doc.spans].sort((a, b) => a.start - b.start);
    if (spans.length === 0) continue;
    // Overlapping gold spans cannot be replaced independently; keep such samples as they are.
    if (spans.some((s, i) => i > 0 && s.start < spans[i - 1]!.end)) continue;
    for (let copy = 0; copy < copies; copy++) {
      let text = '';
      let at = 0;
      const next: GoldSpan[] = [];
      for (const span of spans) {
        text += doc.text.slice(at, span.start);
        const value = valueFor(span, doc.text.slice(span.start, span.end), rand);
        next.push({ type: span.type, start: text.length, end: text.length + value.length });
        text += value;
        at = span.end;
      }
      text += doc.text.slice(at);
      out.push({ id: `${doc.id}~${copy}`, text, spans: next });
    }
  }
  return out;
}
