/**
 * A rule-based street address recognizer: a street line (house number and street name with a
 * street type, in either order, in many languages; a PO box; a military or ship address) and
 * then up to three more lines or comma-separated parts (unit, city, state code, postcode,
 * country). It complements the tagger, which sees addresses only through training examples.
 *
 * It works on tokens, not one large regular expression, so every step is a bounded look at the
 * next few tokens: time is linear in the text, whatever the input.
 */
import type { Scratch, ScratchKind } from '../scratch.js';
import type { Finding, FindingPart, Recognizer, TextWindow } from '../types.js';
import { TRIGGERS } from '../scan/triggers.js';
import { isCountryName } from './countries.js';
import { EVERYDAY, G, gazetteerBits } from './gazetteer.js';
import {
  F_ALL_DIGIT,
  F_ALL_UPPER,
  F_FIRST_UPPER,
  F_HAS_DIGIT,
  F_NEWLINE_BEFORE,
  F_UNCASED,
  F_WORD,
  copyTokens,
  hashWord,
  TokenBuffer,
  tokenize,
  WHOLE_TEXT_TOKENS,
  WordSet,
  type WholeTextTokens,
} from './tokenizer.js';

/** Word kinds (bits). */
const PREFIX = 1; // a street type before the name: "Avenue des Tuileries", "ul. Karpacka"
const SUFFIX = 2; // a street type after the name: "Oakridge Lane", "Gosposka ulica"
const UNIT = 4; // "Apt. 831", "Suite 385"
const MILITARY = 8; // "APO AP 11949"
const SHIP = 16; // "USNS Vestergaard"
const CONNECTOR = 32; // lower-case words inside names: "Avenue des Tuileries", "Via del Pontiere"
const POBOX = 64; // "PO", "POB", "PSC", "Box"
const ABBREVIATION = 128; // may take an attached period: "St.", "ul.", "Apt."

const KINDS = new Map<number, number>();
function define(kind: number, words: string): void {
  for (const word of words.split(/\s+/).filter(Boolean)) {
    const key = hashWord(word);
    KINDS.set(key, (KINDS.get(key) ?? 0) | kind);
  }
}
define(
  PREFIX,
  `avenue av ave avda avenida boulevard bd bld blvd boul rue chemin allée allee impasse place quai cours route via viale
  piazza piazzale corso largo vicolo strada calle plaza paseo carrer camino carretera rambla ronda passeig rua estrada
  travessa praça praca alameda ul ulica aleja al plac os osiedle λ λεωφ οδός odos`,
);
define(
  SUFFIX,
  `street st avenue ave av road rd lane ln drive dr boulevard blvd court ct way place pl square sq terrace ter tce
  circle cir crescent cres close highway hwy parkway pkwy trail trl row walk alley loop path pike ridge plaza gardens
  grove heights mews hill park ulica utca út ut útja utja gatan gata vägen väg vej gade vei veien veg vegen tie katu laan straat weg plein gracht kade
  strasse straße str gasse platz allee ring damm ufer cesta ulice náměstí namesti`,
);
define(UNIT, 'apt apartment suite ste unit flat room rm floor fl bldg building dept no nr');
define(MILITARY, 'apo fpo dpo');
define(SHIP, 'usns uss uscgc usnv');
// Also the place-name links "Turkovice u Prelouce", "Kostelec nad Orlicí", "Frankfurt am Main", "Boulogne sur Mer".
define(
  CONNECTOR,
  'de del della delle dei degli di da das dos do du des la le les van der den von y e et of the al el am an u nad pod sur sous bei im',
);
define(POBOX, 'po pob psc box bp');
define(
  ABBREVIATION,
  'st ave av avda rd ln dr blvd bd bld ct pl sq ter tce cir cres hwy pkwy trl str ul al apt ste rm fl bldg dept no nr λ λεωφ boul',
);

/** German, Nordic, Dutch, Finnish and Hungarian street names end in their type: "Kuefsteinstrasse". */
export const COMPOUND =
  /..(?:stra(?:ss|ß)e|str|weg|gasse|platz|allee|ring|damm|gatan|gata|vägen|väg|vej|gade|tie|katu|laan|straat|plein|gracht|veien|vegen|gränd|torget|utca|ulica)$/iu;
/** The types of `COMPOUND` written in ASCII, longest first. */
const COMPOUND_ASCII = COMPOUND.source
  .slice(COMPOUND.source.indexOf('(?:') + 3, COMPOUND.source.lastIndexOf(')'))
  .replace('stra(?:ss|ß)e', 'strasse')
  .split('|')
  .filter((type) => /^[a-z]+$/.test(type));

/**
 * True when `text[start, end)` ends in a street type after two characters (what `COMPOUND` tests).
 * A word of ASCII letters is compared with the ASCII types as a loop: the pattern, anchored at
 * the end, is tried from every position of the word. On ASCII the `iu` flags fold only ASCII
 * letters to each other, so lower-casing the word's tail gives the same answer; other words
 * ("vägen", "ſtrasse") take the pattern. Exported, with the pattern, for the test that compares them.
 */
export function isCompoundWord(text: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const code = text.charCodeAt(i);
    if (code >= 0x80 || code === 0x0a || code === 0x0d) return COMPOUND.test(text.slice(start, end));
  }
  for (const type of COMPOUND_ASCII) {
    if (end - start < type.length + 2) continue;
    if (text.slice(end - type.length, end).toLowerCase() === type) return true;
  }
  return false;
}

/** Characters right after a number that make it part of a larger figure ("12.50", "3/4", "10%"). */
const FIGURE = '.,:/%';

/** Hashes of the words the box grammar spells out. */
const W = {
  p: hashWord('p'),
  o: hashWord('o'),
  po: hashWord('po'),
  pob: hashWord('pob'),
  bp: hashWord('bp'),
  psc: hashWord('psc'),
  unit: hashWord('unit'),
  box: hashWord('box'),
  st: hashWord('st'),
  ste: hashWord('ste'),
  mt: hashWord('mt'),
  ft: hashWord('ft'),
  corner: hashWord('corner'),
  of: hashWord('of'),
  the: hashWord('the'),
  and: hashWord('and'),
};

/** Marks a token whose word kind or gazetteer mask has not been looked up yet. */
const UNKNOWN = -1;

/** Longest span of tokens one street part may take; bounds every scan. */
const MAX_NAME = 7;

/**
 * English and German street types that end a street's name and name nothing else ("Court",
 * "Park" and "Place" also name institutions and sights); the span rules read a span ending in
 * one as a street (`rules/streets.ts`).
 */
export const STREET_TYPES: readonly string[] = [
  'street',
  'st',
  'road',
  'rd',
  'avenue',
  'ave',
  'lane',
  'ln',
  'boulevard',
  'blvd',
  'strasse',
  'straße',
];

/** Street types that name nothing else, the only ones a street line in lower case may end with. */
const PLAIN_TYPE = new WordSet([
  ...STREET_TYPES,
  'utca',
  'út',
  'útja',
  'ulica',
  'vej',
  'gade',
  'straat',
  'gatan',
  'gata',
]);

/** Kinds of address pieces, as `FindingPart` types. */
const PART_TYPES = ['BUILDING_NUMBER', 'STREET', 'UNIT', 'PLACE', 'REGION', 'POSTCODE'] as const;
const P_NUMBER = 0;
const P_STREET = 1;
const P_UNIT = 2;
const P_PLACE = 3;
const P_REGION = 4;
const P_POSTCODE = 5;

/** Reads street addresses token by token; `load` starts a region, `release` ends the call. */
export class Parser {
  readonly tokens = new TokenBuffer();
  /** Pieces of the address being read, three numbers each: kind, first token, token after. */
  readonly parts: number[] = [];
  /** Pieces of the part being read, kept when `extend` accepts the part. */
  private readonly pending: number[] = [];
  /** Set while extending a street line written in lower case: lower-case words may then name places. */
  lower = false;
  private kinds = new Int32Array(64);
  private gaz = new Int32Array(64);
  text = '';

  /** Tokenizes `text[from, to)`, or copies its tokens from `whole` when they are the same (`copyTokens`). */
  load(text: string, from: number, to: number, whole?: WholeTextTokens): void {
    this.text = text;
    if (!(whole && copyTokens(whole, text, from, to, this.tokens))) tokenize(text, from, to, this.tokens);
    const count = this.tokens.count;
    if (this.kinds.length < count) {
      this.kinds = new Int32Array(count * 2);
      this.gaz = new Int32Array(count * 2);
    }
    // Looked up on first use: most tokens of a region are never examined.
    this.kinds.fill(UNKNOWN, 0, count);
    this.gaz.fill(UNKNOWN, 0, count);
  }

  /** Ends a call: drops the text and shrinks oversized token arrays. */
  release(): void {
    this.text = '';
    this.tokens.release();
  }

  private kindOf(i: number): number {
    let kind = this.kinds[i]!;
    if (kind === UNKNOWN)
      kind = this.kinds[i] = this.tokens.flags[i]! & F_WORD ? (KINDS.get(this.tokens.hash[i]!) ?? 0) : 0;
    return kind;
  }

  private gazOf(i: number): number {
    let gaz = this.gaz[i]!;
    if (gaz === UNKNOWN)
      gaz = this.gaz[i] = this.tokens.flags[i]! & F_WORD ? gazetteerBits(this.tokens.hash[i]!) : 0;
    return gaz;
  }

  get count(): number {
    return this.tokens.count;
  }
  flags(i: number): number {
    return this.tokens.flags[i]!;
  }
  kind(i: number): number {
    return i >= 0 && i < this.tokens.count ? this.kindOf(i) : 0;
  }
  char(i: number): string {
    return this.text.charAt(this.tokens.start[i]!);
  }
  /** Token `i` is the punctuation `mark`. */
  is(i: number, mark: string): boolean {
    return i >= 0 && i < this.tokens.count && !(this.tokens.flags[i]! & F_WORD) && this.char(i) === mark;
  }
  /** Token `i` directly touches the one before (no space). */
  attached(i: number): boolean {
    return this.tokens.start[i] === this.tokens.end[i - 1];
  }
  length(i: number): number {
    return this.tokens.end[i]! - this.tokens.start[i]!;
  }

  /** A house or box number: digits with at most two letters, not part of a larger figure. */
  isNumber(i: number): boolean {
    if (i < 0 || i >= this.count) return false;
    const flags = this.flags(i);
    if (!(flags & F_WORD) || !(flags & F_HAS_DIGIT) || this.length(i) > 7) return false;
    const first = this.text.charCodeAt(this.tokens.start[i]!);
    if (first < 48 || first > 57) return false;
    const end = this.tokens.end[i]!;
    const after = this.text.charAt(end);
    if (FIGURE.includes(after) && after !== '' && /\d/.test(this.text.charAt(end + 1))) return false;
    const before = this.tokens.start[i]! > 0 ? this.text.charAt(this.tokens.start[i]! - 1) : ' ';
    return !(FIGURE.includes(before) && before !== '') || before === ',';
  }

  /** A capitalised (or all-caps, or uncased) word that may be part of a name. */
  isName(i: number): boolean {
    if (i < 0 || i >= this.count) return false;
    const flags = this.flags(i);
    if (!(flags & F_WORD) || flags & F_HAS_DIGIT) return false;
    // After a street line in lower case, its places are in lower case too ("12 oak street, springfield").
    if (
      !(flags & (F_FIRST_UPPER | F_ALL_UPPER | F_UNCASED)) &&
      !(this.lower && !EVERYDAY.has(this.tokens.hash[i]!))
    )
      return false;
    return (
      !(this.gazOf(i) & (G.function | G.month | G.weekday)) || (this.kindOf(i) & (PREFIX | SUFFIX)) !== 0
    );
  }

  /** A lower-case word with no digit that is no function word, month or week day. */
  isLowerWord(i: number): boolean {
    if (i < 0 || i >= this.count) return false;
    const flags = this.flags(i);
    return (
      (flags & (F_WORD | F_FIRST_UPPER | F_ALL_UPPER | F_UNCASED | F_HAS_DIGIT)) === F_WORD &&
      !(this.gazOf(i) & (G.function | G.month | G.weekday))
    );
  }

  /**
   * "12 oak street", "3 8 wressle road", "58 kvaløyvågvegen 140": a street line typed in lower
   * case, as in chat messages: one or two lower-case words and a plain street type, or a compound
   * street name and its number. Returns the index after it, or -1.
   */
  lowerStreetAfter(i: number): number {
    for (let j = i; j < i + 2 && this.isLowerWord(j) && !(this.flags(j) & F_NEWLINE_BEFORE); j++) {
      if (
        j === i &&
        this.isNumber(j + 1) &&
        !(this.flags(j + 1) & F_NEWLINE_BEFORE) &&
        isCompoundWord(this.text, this.tokens.start[j]!, this.tokens.end[j]!)
      )
        return j + 2;
      const type = j + 1;
      if (
        type >= this.count ||
        this.flags(type) & (F_NEWLINE_BEFORE | F_FIRST_UPPER | F_ALL_UPPER) ||
        !PLAIN_TYPE.has(this.tokens.hash[type]!)
      )
        continue;
      const end = this.afterAbbreviation(type);
      return this.isNumber(end) && !(this.flags(end) & F_NEWLINE_BEFORE) ? end + 1 : end;
    }
    return -1;
  }

  isStreetType(i: number, kind: number): boolean {
    return (
      i >= 0 &&
      i < this.count &&
      (this.flags(i) & F_WORD) !== 0 &&
      !(this.flags(i) & F_HAS_DIGIT) &&
      (this.kindOf(i) & kind) !== 0
    );
  }

  isCompound(i: number): boolean {
    return this.isName(i) && isCompoundWord(this.text, this.tokens.start[i]!, this.tokens.end[i]!);
  }

  /** Index after an abbreviation's attached period, or `i + 1`. */
  afterAbbreviation(i: number): number {
    return this.kind(i) & ABBREVIATION && this.is(i + 1, '.') && this.attached(i + 1) ? i + 2 : i + 1;
  }

  /**
   * A street name starting at token `i` (after a house number): name words, connectors and at
   * least one street type. Returns the index after its last token, or -1.
   */
  streetAfter(i: number): number {
    let complete = -1;
    let prefixSeen = false;
    let names = 0;
    let j = i;
    for (let steps = 0; steps < MAX_NAME && j < this.count; steps++) {
      if (j > i && this.flags(j) & F_NEWLINE_BEFORE) break;
      // "1121 New Creek Road street", "14 Rue Aghlab street": a lower-case street word after a
      // complete street name is the writer's word, not part of the name.
      if (
        complete === j &&
        this.isStreetType(j, PREFIX | SUFFIX) &&
        !(this.flags(j) & (F_FIRST_UPPER | F_ALL_UPPER))
      )
        break;
      // "St. John Street", "Ste. Catherine Blvd": an abbreviated "Saint" opens a name.
      if (this.isSaint(j) && this.is(j + 1, '.') && this.attached(j + 1) && this.isName(j + 2)) {
        names++;
        j += 2;
        continue;
      }
      if (this.isStreetType(j, PREFIX) && (j === i || !this.isStreetType(j, SUFFIX))) {
        prefixSeen = true;
        j = this.afterAbbreviation(j);
        continue;
      }
      if (this.isStreetType(j, SUFFIX) && names > 0) {
        j = this.afterAbbreviation(j);
        complete = j;
        continue;
      }
      if (this.isStreetType(j, SUFFIX) && prefixSeen) {
        j = this.afterAbbreviation(j);
        complete = j;
        continue;
      }
      if (this.isName(j)) {
        names++;
        j++;
        if (prefixSeen || this.isCompound(j - 1)) complete = j;
        continue;
      }
      if (
        this.kind(j) & CONNECTOR &&
        !(this.flags(j) & F_FIRST_UPPER) &&
        j > i &&
        (this.isName(j + 1) || this.kind(j + 1) & CONNECTOR)
      ) {
        j++;
        continue;
      }
      // A lower-case street type ("12 rue de la Paix", "oak lane") after a name or first.
      if (this.isStreetType(j, PREFIX | SUFFIX)) {
        const suffix = this.isStreetType(j, SUFFIX) && names > 0;
        prefixSeen ||= !suffix;
        j = this.afterAbbreviation(j);
        if (suffix) complete = j;
        continue;
      }
      break;
    }
    if (complete < 0) return -1;
    // A number after the name: "60 Gosposka ulica 47", "93 Via Pisanelli 89".
    if (this.isNumber(complete) && !(this.flags(complete) & F_NEWLINE_BEFORE)) return complete + 1;
    return complete;
  }

  /**
   * A street name ending right before the house number at `i` ("Kuefsteinstrasse 91",
   * "ul. Lubartowska 42", "Via Roma 12"). Returns the index of its first token, or -1.
   */
  streetBefore(i: number): number {
    let j = i - 1;
    if (j < 0 || this.flags(i) & F_NEWLINE_BEFORE) return -1;
    // "Gosposka ulica 47" / "Main St. 5": the type right before the number.
    const period = this.is(j, '.') && this.attached(j) ? 1 : 0;
    const last = j - period;
    if (last >= 0 && (this.isCompound(last) || (this.isStreetType(last, SUFFIX) && this.isName(last - 1)))) {
      let start = last;
      if (!this.isCompound(last)) start--;
      for (
        let steps = 0;
        steps < 3 && this.isName(start - 1) && !(this.flags(start) & F_NEWLINE_BEFORE);
        steps++
      )
        start--;
      return start;
    }
    // "ul. Karpacka 69", "Calle de la Paz 3": a prefix type, then names and connectors.
    for (let steps = 0; steps < MAX_NAME && j >= 0; steps++, j--) {
      if (
        this.isStreetType(j, PREFIX) &&
        (this.flags(j) & F_FIRST_UPPER || this.isStreetType(j, ABBREVIATION)) &&
        j + 1 < i
      ) {
        const next = this.afterAbbreviation(j);
        if (next < i && this.isName(next)) return j;
      }
      if (this.flags(j + 1) & F_NEWLINE_BEFORE && j + 1 < i) return -1;
      if (!(
        this.isName(j) ||
        this.kind(j) & CONNECTOR ||
        (this.is(j, '.') && this.attached(j)) ||
        this.isStreetType(j, PREFIX)
      ))
        return -1;
    }
    return -1;
  }

  /** A PO box, PSC box, unit box or ship line starting at `i`. Returns the index after it, or -1. */
  box(i: number): number {
    let j = i;
    // "P.O. Box", "PO Box", "POB", "BP"
    if (this.isLetters(j, W.p) && this.is(j + 1, '.') && this.isLetters(j + 2, W.o))
      j = this.is(j + 3, '.') ? j + 4 : j + 3;
    else if (this.isLetters(j, W.po) || this.isLetters(j, W.pob) || this.isLetters(j, W.bp))
      j = this.is(j + 1, '.') ? j + 2 : j + 1;
    else if (this.isLetters(j, W.psc) || this.isLetters(j, W.unit)) {
      if (!this.isNumber(j + 1)) return -1;
      j += 2;
      if (this.is(j, ',')) j++;
    } else if (this.isStreetType(j, SHIP) && this.flags(j) & F_ALL_UPPER) {
      let k = j + 1;
      while (k < j + 3 && this.isName(k) && !(this.flags(k) & F_NEWLINE_BEFORE)) k++;
      return k > j + 1 ? k : -1;
    } else return -1;
    if (this.isLetters(j, W.box)) j++;
    else if (j === i + 2 || !this.isNumber(j)) return j > i + 2 && this.isNumber(j) ? j + 1 : -1;
    return this.isNumber(j) ? j + 1 : -1;
  }

  /** The first token of "corner of" or "the corner of" right before token `i`, or -1. */
  cornerBefore(i: number): number {
    if (!this.isLetters(i - 1, W.of) || !this.isLetters(i - 2, W.corner) || this.flags(i) & F_NEWLINE_BEFORE)
      return -1;
    return this.isLetters(i - 3, W.the) ? i - 3 : i - 2;
  }

  /**
   * "... and Whittaker Street", "... and 5th Avenue": the second street of an intersection after
   * the street line ending before `end`. Returns the index after it, or `end`.
   */
  crossStreetAfter(end: number): number {
    if (!this.isLetters(end, W.and) || this.flags(end + 1) & F_NEWLINE_BEFORE) return end;
    const street = this.isNumber(end + 1) ? this.streetAfter(end + 2) : this.streetAfter(end + 1);
    return street > 0 ? street : end;
  }

  /** Token `i` is "St", "Ste", "Mt" or "Ft" with a capital (the "St" of "Main St" is a street type). */
  isSaint(i: number): boolean {
    const hash = this.tokens.hash[i];
    return (
      (this.flags(i) & F_FIRST_UPPER) !== 0 &&
      (hash === W.st || hash === W.ste || hash === W.mt || hash === W.ft)
    );
  }

  /** Token `i` is the word whose hash is `word` (one of the `W` constants). */
  isLetters(i: number, word: number): boolean {
    return i >= 0 && i < this.count && (this.flags(i) & F_WORD) !== 0 && this.tokens.hash[i] === word;
  }

  /** A postcode at `i` ("30046", "00-950", "SW1A 1AA", "1234 AB"). Returns the index after it, or -1. */
  postcode(i: number): number {
    if (
      i >= this.count ||
      !(this.flags(i) & F_WORD) ||
      !(this.flags(i) & F_HAS_DIGIT) ||
      this.length(i) < 3 ||
      this.length(i) > 10
    )
      return -1;
    const next = i + 1;
    if (
      next < this.count &&
      !(this.flags(next) & F_NEWLINE_BEFORE) &&
      this.flags(next) & F_WORD &&
      this.length(next) <= 3
    ) {
      // UK and Canadian inward codes ("1AA"), Dutch letter pairs ("1234 AB").
      const nextFlags = this.flags(next);
      // Swedish, Czech and Slovak ones are split 3 + 2 ("111 22").
      const split =
        this.flags(i) & F_ALL_DIGIT &&
        this.length(i) === 3 &&
        nextFlags & F_ALL_DIGIT &&
        this.length(next) === 2;
      if (
        split ||
        (nextFlags & F_HAS_DIGIT && !(nextFlags & F_ALL_DIGIT)) ||
        (this.flags(i) & F_ALL_DIGIT &&
          this.length(i) === 4 &&
          nextFlags & F_ALL_UPPER &&
          this.length(next) === 2)
      )
        return next + 1;
    }
    return next;
  }

  /** A state or region code: two or three capitals ("TX", "NB"). */
  isStateCode(i: number): boolean {
    return (
      i < this.count &&
      (this.flags(i) & (F_WORD | F_ALL_UPPER | F_HAS_DIGIT)) === (F_WORD | F_ALL_UPPER) &&
      this.length(i) >= 2 &&
      this.length(i) <= 3
    );
  }

  /** True when token `i` may follow the last part of an address. */
  boundary(i: number): boolean {
    if (i >= this.count || this.flags(i) & F_NEWLINE_BEFORE) return true;
    return !(this.flags(i) & F_WORD) && ',.;:)!?'.includes(this.char(i));
  }

  /**
   * One more part of an address starting at token `i`: a unit, a military line, or a place
   * (words, state code, postcode in the usual orders). Returns the index after it, or -1.
   */
  part(i: number): number {
    this.pending.length = 0;
    if (i >= this.count) return -1;
    // "Apt. 831", "Suite 385", "Unit 5"
    if (this.isStreetType(i, UNIT)) {
      let j = this.afterAbbreviation(i);
      if (this.is(j, '#')) j++;
      if (this.isNumber(j) || (j < this.count && this.flags(j) & F_HAS_DIGIT && this.length(j) <= 6))
        return this.piece(P_UNIT, i, j + 1);
      return -1;
    }
    if (this.is(i, '#') && this.isNumber(i + 1)) return this.piece(P_UNIT, i, i + 2);
    // "APO AP 11949"
    if (
      this.isStreetType(i, MILITARY) &&
      this.flags(i) & F_ALL_UPPER &&
      this.isStateCode(i + 1) &&
      this.isNumber(i + 2)
    )
      return this.piece(P_UNIT, i, i + 3);
    let j = i;
    // "75001 Paris" or a postcode alone
    const leading = this.postcode(j);
    if (leading > 0) j = this.piece(P_POSTCODE, j, leading);
    const namesStart = j;
    let names = 0;
    while (
      names < 4 &&
      j < this.count &&
      (this.isName(j) ||
        (names > 0 &&
          this.kind(j) & CONNECTOR &&
          (this.isName(j + 1) || (this.kind(j + 1) & CONNECTOR && this.isName(j + 2)))))
    ) {
      if (j > i && this.flags(j) & F_NEWLINE_BEFORE) break;
      if (this.isStateCode(j) && names > 0) break;
      j++;
      names++;
    }
    if (names === 0 && leading > 0) return j;
    // "Praha 6", "Ceské Budejovice 6, Kazakhstan": a city's district number.
    const district =
      names > 0 &&
      this.isNumber(j) &&
      this.length(j) <= 2 &&
      !(this.flags(j) & F_NEWLINE_BEFORE) &&
      this.boundary(j + 1);
    if (names > 0) this.piece(P_PLACE, namesStart, district ? j + 1 : j);
    // ", CA 13241", "TX 48486"
    let k = j;
    if (names > 0 && this.is(k, ',') && this.isStateCode(k + 1) && !(this.flags(k + 1) & F_NEWLINE_BEFORE))
      k++;
    if (this.isStateCode(k) && !(k > i && this.flags(k) & F_NEWLINE_BEFORE && names > 0)) {
      const after = this.postcode(k + 1);
      if (after > 0 && !(this.flags(k + 1) & F_NEWLINE_BEFORE)) {
        this.piece(P_REGION, k, k + 1);
        return this.piece(P_POSTCODE, k + 1, after);
      }
      if (names === 0 || this.boundary(k + 1)) return this.piece(P_REGION, k, k + 1);
    }
    if (names === 0) return -1;
    const after = this.postcode(j);
    if (after > 0 && !(this.flags(j) & F_NEWLINE_BEFORE)) return this.piece(P_POSTCODE, j, after);
    return district ? j + 1 : j;
  }

  /**
   * Notes the pieces of the street line `[start, end)`: a unit written before it ("Apt. 722 20 40
   * rue Victor Hugo"), a building number before a street line with its own number ("48 107 Rue
   * Abdelaziz Thâalbi", "87 Jakobi 69"), and the street line.
   */
  streetPieces(start: number, end: number): void {
    let s = start;
    if (this.isStreetType(s, UNIT)) {
      let j = this.afterAbbreviation(s);
      if (this.is(j, '#')) j++;
      if (this.isNumber(j) && j + 1 < end) {
        this.parts.push(P_UNIT, s, j + 1);
        s = j + 1;
      }
    }
    if (this.isNumber(s) && s + 1 < end) {
      let other = s + 1;
      while (other < end && !this.isNumber(other)) other++;
      if (other < end) {
        this.parts.push(P_NUMBER, s, s + 1);
        s++;
      }
    }
    this.parts.push(P_STREET, s, end);
  }

  /** Notes tokens `[from, to)` as a piece of the part being read; returns `to`. */
  private piece(kind: number, from: number, to: number): number {
    this.pending.push(kind, from, to);
    return to;
  }

  /**
   * "Frankfurt (Oder)", "ΑΓΛΑΝΤΖΙΑ (ΑΓΛΑΓΓΙΑ)": a place may carry a name in brackets right after
   * it on the same line, part of its official name or the same place in another spelling.
   * Returns the index after the closing bracket, or `i`.
   */
  bracketedName(i: number): number {
    if (i < 0 || !this.is(i, '(') || this.flags(i) & F_NEWLINE_BEFORE) return i;
    let k = i + 1;
    while (k < i + 4 && this.isName(k) && !(this.flags(k) & F_NEWLINE_BEFORE)) k++;
    return k > i + 1 && this.is(k, ')') ? k + 1 : i;
  }

  /**
   * Extends an address ending before token `end` over up to three more lines or parts. With
   * `afterUnit`, what comes before `end` is a unit ("Apt. 584"), so a city may follow it with no
   * comma. With `afterRegion`, what comes before `end` is a state or region code ("Saarjärve, JN"),
   * so its postcode may follow it with no comma.
   */
  extend(end: number, afterUnit = false, afterRegion = false): number {
    let lines = 0;
    for (let parts = 0; parts < 4 && end < this.count; parts++) {
      let j = end;
      let comma = false;
      if (this.is(j, ',')) {
        comma = true;
        j++;
      } else if (
        this.is(j, '.') &&
        this.attached(j) &&
        this.flags(j - 1) & F_ALL_DIGIT &&
        this.flags(j + 1) & F_NEWLINE_BEFORE
      ) {
        // "útja 45." at a line end: the period of a Hungarian or German house number.
        j++;
      }
      if (j >= this.count) break;
      const newline =
        (this.flags(j) & F_NEWLINE_BEFORE) !== 0 || (comma && (this.flags(end) & F_NEWLINE_BEFORE) !== 0);
      // A leading comma on its own line ("GRUB\n, NO").
      if (!comma && this.is(j, ',') && this.flags(j) & F_NEWLINE_BEFORE) {
        comma = true;
        j++;
      }
      if (newline && ++lines > 3) break;
      const unit = this.isStreetType(j, UNIT) || this.is(j, '#');
      // "Apt. 676 Hamilton ON": the city may follow a unit without a comma.
      // "Dallas TX 48486": a postcode may follow a region code without a comma.
      const postcode = afterRegion && parts === 0 && this.postcode(j) > 0;
      if (!comma && !newline && !unit && !afterUnit && !postcode) break;
      const read = this.part(j);
      const next = this.bracketedName(read);
      // A part must end the line or sentence, or end with a postcode ("Sudan 30046 tomorrow").
      if (next < 0 || !(this.boundary(next) || this.flags(next - 1) & F_HAS_DIGIT)) break;
      // "Mobile: 041-412-293", "Tel: ..." on the line after an address: a word before a colon labels
      // what follows; it is not a city.
      if (this.is(next, ':')) break;
      afterUnit = unit;
      end = next;
      // The pieces of an accepted part; a place's name in brackets belongs to its last piece.
      if (next > read && this.pending.length > 0) this.pending[this.pending.length - 1] = next;
      this.parts.push(...this.pending);
    }
    return end;
  }

  /**
   * The pieces noted since `parts` was last emptied, as offsets into the text, ending at or before
   * `limit` (an offset).
   */
  pieces(limit: number): FindingPart[] {
    const out: FindingPart[] = [];
    for (let p = 0; p < this.parts.length; p += 3) {
      const start = this.tokens.start[this.parts[p + 1]!]!;
      const end = Math.min(limit, this.tokens.end[this.parts[p + 2]! - 1]!);
      if (end <= start) continue;
      const kind = this.parts[p]!;
      // A place that is a country's name is the address's country. One written after its city on
      // the same line ("HEILIGENBRUNN France") is left in the place: splitting it was tried and
      // lowered the headline span F2 (generated_small 89.9 -> 89.5, held-out 88.2 -> 87.8).
      const country = kind === P_PLACE && isCountryName(this.text, start, end);
      out.push({ type: country ? 'COUNTRY' : PART_TYPES[kind]!, start, end });
    }
    return out;
  }
}

/** An analyzer's address parser: its token arrays are reused from one call to the next. */
export const ADDRESS_PARSER: ScratchKind<Parser> = { create: () => new Parser() };

/** Spans found in one region, with absolute offsets. */
function parseRegion(
  parser: Parser,
  text: string,
  from: number,
  to: number,
  found: Finding[],
  whole?: WholeTextTokens,
): void {
  parser.load(text, from, to, whole);
  const { tokens } = parser;
  let covered = 0; // tokens before this index are inside an address already
  for (let i = 0; i < parser.count; i++) {
    if (i < covered) continue;
    // Every address starts with a number, a capitalised word or a box word ("p.o. box").
    const flags = tokens.flags[i]!;
    if (
      !(flags & F_WORD) ||
      (!(flags & (F_HAS_DIGIT | F_FIRST_UPPER | F_ALL_UPPER)) &&
        !(parser.kind(i) & (POBOX | UNIT)) &&
        tokens.hash[i] !== W.p)
    )
      continue;
    let start = -1;
    let end = -1;
    const box = parser.box(i);
    if (box > 0) {
      start = i;
      end = box;
    } else if (parser.isNumber(i) && !(i > 0 && parser.isNumber(i - 1) && parser.attached(i))) {
      // Number first, possibly two ("83 2329 Old Spallumcheen Rd" in generated data).
      const street = parser.streetAfter(i + 1);
      const second = street < 0 && parser.isNumber(i + 1) ? parser.streetAfter(i + 2) : -1;
      const before = street > 0 || second > 0 ? -1 : parser.streetBefore(i);
      if (street > 0 || second > 0) {
        start = i;
        end = street > 0 ? street : second;
      } else if (before >= covered && before >= 0) {
        start = before;
        end = i + 1;
      } else {
        const lower = parser.lowerStreetAfter(i + 1);
        const lowerSecond = lower < 0 && parser.isNumber(i + 1) ? parser.lowerStreetAfter(i + 2) : -1;
        if (lower > 0 || lowerSecond > 0) {
          start = i;
          end = lower > 0 ? lower : lowerSecond;
          parser.lower = true;
        }
      }
    }
    if (start < 0) continue;
    // A leading number before a name-first street: "56 ul. Karpacka 69".
    if (
      start > covered &&
      parser.isNumber(start - 1) &&
      !(parser.flags(start) & F_NEWLINE_BEFORE) &&
      !parser.is(start - 2, '.')
    )
      start--;
    // "Apt. 722 20 40 rue Victor Hugo": a unit and its number written before the street line.
    // The leading-number step above may have taken the unit's number already ("Suite 400 1200 Main Street").
    const unitNumber =
      parser.isNumber(start) && parser.isNumber(start + 1) && !parser.isNumber(start - 1) ? start : start - 1;
    const unit =
      parser.is(unitNumber - 1, '.') && parser.attached(unitNumber - 1) ? unitNumber - 2 : unitNumber - 1;
    if (
      unit >= covered &&
      parser.isNumber(unitNumber) &&
      parser.isStreetType(unit, UNIT) &&
      !(parser.flags(start) & F_NEWLINE_BEFORE) &&
      !(parser.flags(unitNumber) & F_NEWLINE_BEFORE)
    )
      start = unit;
    // "the corner of Kapelaniestraat 88 and Whittaker Street": an intersection is one place.
    const corner = parser.cornerBefore(start);
    if (corner >= covered) {
      start = corner;
      end = parser.crossStreetAfter(end);
    }
    parser.parts.length = 0;
    parser.streetPieces(start, end);
    end = parser.extend(end);
    parser.lower = false;
    // A unit or military line before the box ("Unit 1234 Box 5678").
    let last = end - 1;
    while (
      last > start &&
      !(tokens.flags[last]! & F_WORD) &&
      !(parser.is(last, '.') && parser.kind(last - 1) & ABBREVIATION)
    )
      last--;
    const lines = text.slice(tokens.start[start]!, tokens.end[last]!).split('\n').length;
    // A street line with further parts is a sure address: it outranks a place or name the tagger
    // found on one of its lines ("WELLINGTON" in "82 Maidstone Road\n WELLINGTON\n Armenia"), which
    // would otherwise remove the whole address when overlaps are resolved.
    const parts = parser.pieces(tokens.end[last]!);
    found.push({
      type: 'STREET_ADDRESS',
      start: tokens.start[start]!,
      end: tokens.end[last]!,
      score: lines > 1 || end - start > 4 ? 0.96 : 0.85,
      recognizer: 'street-address',
      ...(parts.length > 1 ? { parts } : {}),
    });
    covered = end;
    i = end - 1;
  }
}

/** Characters of context before the first and after the last digit of a region. */
const BEFORE = 120;
const AFTER = 240;

/**
 * Street addresses in `text[from, to)`. Every address has a digit (house, box or postcode
 * number), so only regions around digits are tokenized, each character at most once.
 *
 * @example
 * ```ts
 * findAddresses('Ship to 4022 Oakridge Lane\nDallas TX 48486.', 0, 44);
 * // [{ type: 'STREET_ADDRESS', start: 8, end: 43, score: 0.96, recognizer: 'street-address' }]
 * ```
 */
export function findAddresses(
  text: string,
  from: number,
  to: number,
  parser = new Parser(),
  whole?: WholeTextTokens,
): Finding[] {
  const found: Finding[] = [];
  const digits = /\d/g;
  digits.lastIndex = from;
  let regionEnd = from;
  for (let match = digits.exec(text); match && match.index < to; match = digits.exec(text)) {
    let start = Math.max(regionEnd, match.index - BEFORE);
    let end = Math.min(to, match.index + AFTER);
    // Grow the region while more digits follow closely, so each character is tokenized once.
    for (;;) {
      digits.lastIndex = Math.max(digits.lastIndex, end - AFTER / 2);
      const next = digits.exec(text);
      if (!next || next.index >= end || next.index >= to) break;
      end = Math.min(to, next.index + AFTER);
      if (end === to) break;
    }
    // Snap to whitespace so no word is cut.
    if (start > from && start > regionEnd) {
      const space = text.slice(start, match.index).search(/\s/);
      start = space < 0 ? match.index : start + space;
    }
    if (end < to) {
      const space =
        text.lastIndexOf('\n', end) > start + BEFORE
          ? text.lastIndexOf('\n', end)
          : text.lastIndexOf(' ', end);
      if (space > match.index) end = space;
    }
    parseRegion(parser, text, start, end, found, whole);
    regionEnd = end;
    digits.lastIndex = end;
  }
  parser.release();
  return found;
}

/** A state or region code ending an address line the tagger found ("... Saarjärve, JN"). */
const REGION_AT_END = /(?:^|[\s,])\p{Lu}{2,3}$/u;

/** A unit and its number ending a street line the tagger found ("... Gürtel 92 Apt. 584"). */
const UNIT_AT_END =
  /(?<![\p{L}\p{N}])(?:apt|apartment|suite|ste|unit|flat|room|rm|floor|fl|bldg|building)\.?\s?#?\s?\d[\p{L}\p{N}]{0,5}$/iu;

/**
 * The end of an address whose street line ends at `end`, after the unit, city, state, postcode
 * and country parts that follow it (up to three lines, never past `limit`), read with `parser`
 * (the calling analyzer's, or a fresh one). The tagger uses it
 * for the street lines it finds without a street type ("07 Celso Emilio Ferreiro 23"). With
 * `lower`, the street line was typed in lower case, and so may its places be. The pieces read
 * after the street line (unit, place, region, postcode) are added to `parts` when given.
 *
 * @example
 * ```ts
 * continueAddress('12 Oak Road, Leeds LS1 4AP.', 11, 27); // 25
 * ```
 */
export function continueAddress(
  text: string,
  end: number,
  limit: number,
  lower = false,
  parts?: FindingPart[],
  parser = new Parser(),
): number {
  const stop = Math.min(limit, end + AFTER);
  parser.load(text, end, stop);
  parser.lower = lower;
  parser.parts.length = 0;
  const before = text.slice(Math.max(0, end - 24), end);
  const last = parser.extend(0, UNIT_AT_END.test(before), REGION_AT_END.test(before));
  parser.lower = false;
  const { tokens } = parser;
  const result = last > 0 && (last < parser.count || stop === limit) ? tokens.end[last - 1]! : end;
  if (parts && result > end) parts.push(...parser.pieces(result));
  parser.release();
  return result;
}

/**
 * The default recognizer for street addresses written by rule (see `findAddresses`).
 *
 * @example
 * ```ts
 * STREET_ADDRESS_RECOGNIZER.find('PSC 7004, Box 8380\nAPO AP 11949', { start: 0, end: 31 });
 * ```
 */
export const STREET_ADDRESS_RECOGNIZER: Recognizer = {
  name: 'street-address',
  entities: ['STREET_ADDRESS'],
  trigger: TRIGGERS.all,
  find: (text: string, window: TextWindow, scratch?: Scratch): Finding[] =>
    findAddresses(
      text,
      window.start,
      window.end,
      scratch?.of(ADDRESS_PARSER),
      scratch?.of(WHOLE_TEXT_TOKENS),
    ),
};
