import table from './data/gazetteer-table.generated.json' with { type: 'json' };
import { fromBase64 } from './perceptron.js';
import { hashWord, WordSet } from './tokenizer.js';

/** The gazetteer lists, in the bit order used by `gazetteerBits`. */
export const GAZETTEERS = [
  'first',
  'last',
  'city',
  'country',
  'stateAbbr',
  'street',
  'secondary',
  'orgSuffix',
  'honorific',
  'personSuffix',
  'nrp',
  'month',
  'weekday',
  'common',
  'function',
  'connector',
] as const;

export type GazetteerName = (typeof GAZETTEERS)[number];

/** The bit of a gazetteer in the membership masks. */
export const G: Readonly<Record<GazetteerName, number>> = Object.fromEntries(
  GAZETTEERS.map((name, i) => [name, 1 << i]),
) as Record<GazetteerName, number>;

/**
 * English function words (and greetings: "Hi Danival" is not a name). They are never entity starts on their own, so they are skipped
 * without computing features (most of the speed of the tagger comes from this), yet may sit
 * inside an entity ("Republic of Turkey", "Graham, Ochoa and Vasquez").
 */
const FUNCTION_WORDS = `a an the and or but nor of in on at to for from by with without into onto upon about above
  below over under after before during since until while as than then so if when where which who whom whose what that
  this these those there here is are was were be been being am do does did done has have had having will would shall
  should can could may might must not no yes it its it's he she they them their his her him we us our you your i me my
  mine all any some each every both either neither such other another more most much many few less least very also
  only just even still yet again already however therefore thus hence because although though whether
  hi hello hey dear don't doesn't didn't can't won't isn't aren't wasn't`;

/**
 * Lower-case words that may sit inside a name, place or organisation ("Republic of Turkey",
 * "Donald van der Voet", "Graham, Ochoa and Vasquez"). Other lower-case words end an entity,
 * except inside a street address, whose lines are often written in lower case.
 */
const CONNECTOR_WORDS = `of and the for de del della di da das dos du des la le les van der den ter von zu y e et und
  on upon am an im in bin ibn al el st`;

/** A name-ish list: a lower-case word in one of these may be a name and is worth tagging. */
export const NAMEISH = G.first | G.last | G.city | G.country | G.nrp;

/**
 * Every gazetteer word's key (its hash; 0 is stored as 1, as 0 marks an empty slot) with the bit
 * mask of the lists holding it, in first-seen order. `lists` are the lists of
 * `data/gazetteers.json`; the function and connector words come from this module. Run by
 * `npm run generate:engine-tables`, which packs the result (little-endian, base64, as the tagger's
 * weights are) into `data/gazetteer-table.generated.json`:
 * hashing some 95,000 words at every load cost more than the rest of loading the tagger.
 *
 * @example
 * ```ts
 * gazetteerEntries({ city: ['Paris'] }).get(hashWord('paris')); // G.city
 * ```
 */
export function gazetteerEntries(lists: Readonly<Record<string, readonly string[]>>): Map<number, number> {
  const entries = new Map<number, number>();
  for (const name of GAZETTEERS) {
    const words: readonly string[] =
      name === 'function'
        ? FUNCTION_WORDS.split(/\s+/).filter(Boolean)
        : name === 'connector'
          ? CONNECTOR_WORDS.split(/\s+/).filter(Boolean)
          : (lists[name] ?? []);
    const bit = G[name];
    for (const word of words) {
      // Tokens never contain periods ("Inc." is "Inc" then "."), so neither do the keys.
      const key = hashWord(word.replace(/\./g, '')) || 1;
      entries.set(key, (entries.get(key) ?? 0) | bit);
    }
  }
  return entries;
}

// Word hash → membership mask in an open-addressing table: a `Map.get` per token cost more than
// tokenizing it. The entries come generated (see `gazetteerEntries`), in the order they were
// first seen, so the slots are the same as when they were hashed at load.
const ENTRY_KEYS = new Int32Array(fromBase64(table.keys).buffer);
const ENTRY_BITS = new Uint16Array(fromBase64(table.bits).buffer);
// The smallest power of two from 1024 up that keeps the table at most half full.
const capacity = Math.max(1024, 2 ** Math.ceil(Math.log2(ENTRY_KEYS.length * 2)));
const MASK = capacity - 1;
const KEYS = new Int32Array(capacity);
const BITS = new Int32Array(capacity);
for (let k = 0; k < ENTRY_KEYS.length; k++) {
  const key = ENTRY_KEYS[k]!;
  let slot = key & MASK;
  while (KEYS[slot] !== 0) slot = (slot + 1) & MASK;
  KEYS[slot] = key;
  BITS[slot] = ENTRY_BITS[k]!;
}

/**
 * The gazetteers a lower-cased word hash belongs to, as a bit mask over `GAZETTEERS`.
 *
 * @example
 * ```ts
 * (gazetteerBits(hashWord('Paris')) & G.city) !== 0; // true
 * ```
 */
export function gazetteerBits(hash: number): number {
  const key = hash || 1;
  let slot = key & MASK;
  for (;;) {
    const stored = KEYS[slot]!;
    if (stored === key) return BITS[slot]!;
    if (stored === 0) return 0;
    slot = (slot + 1) & MASK;
  }
}

/**
 * About 10,700 everyday English words (SCOWL levels 10 and 20). Not a tagger feature: the span
 * rules use it to drop a lone everyday word that the tagger took for a name.
 */
export const EVERYDAY = new WordSet(new Int32Array(fromBase64(table.everyday).buffer));
