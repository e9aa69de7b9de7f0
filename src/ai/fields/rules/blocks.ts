import type { Finding } from '../../../engine/types.js';
import { repairWords } from '../types/ocr-confusions.js';
import { findLabels, foldToken, tokens } from './labels.js';
import { sameRow, type LayoutLine } from './layout.js';

/** The share of the top of a page's printed text where a letterhead (seller's name, address) is looked for. */
const TOP_SHARE = 0.4;
const TOP_LINES = 12;

// Lines that are about the document, not its issuer: titles, registration and contact lines.
const NOT_A_NAME =
  /\b(receipt|invoice|tax|bill|cash|date|time|tel|phone|fax|email|gst|reg|no\s*[:.]|co\s*reg|company\s*no|welcome|thank|www|http|order|table|cashier|member|document)\b/i;
// A line placing a unit or a street with its number ("S117, Second Floor,", "LOT 5, JALAN MAJU"):
// an address line, never a name, even with no street word a name could not hold.
const UNIT_OR_STREET = /\b(floor|flr|level|lot|unit|block|blok|jalan|jln|lorong|lrg)\b/i;
// Lines that end an address: contact, registration and title lines; `tax\s*invoice` also where OCR
// ran the words together (`TAXINVOICE`), which `\b` alone would miss.
const STOP_ADDRESS =
  /\b(tax\s*invoice|tel|telephone|phone|fax|e-?mail|gst\w*|sst|reg|invoice|receipt|date|cashier|member|www|http|h\/p|hp|mobile|co[mn]pany\s*no|co\s*no|roc\s*no|bill|document|order|table|time)\b/i;
// A telephone number on a line of its own ("07-355 2616").
const PHONE_LINE = /^[\s(]*\+?\d{2,4}[\s)-]*\d{3,4}[\s-]?\d{3,5}\s*$/;
// A registration number, bracketed after a label ("(CO.REG : 860671-D)", its digits possibly read
// as the letters OCR confuses with them: `86Q671`), alone on its line ("(126925-H)"), or as digits
// and a check letter that OCR may split with a space (`78941 7-W`).
const REGISTRATION =
  /\(\s*[\p{L}. ]{0,14}:\s*\d[\dOQDIlSB]{3,}\s*-?\s*\w?\s*\)|^\(?\s*(co\.?\s*reg\w*\s*[:.]?\s*)?\d{3,}[\s-]*[A-Z]?\s*\)?$|^[^\p{L}\p{N}]{0,3}[A-Z]{0,2}(?:\d{5,8}|\d{2,5}\s\d{1,4})\s*-\s*[A-Z0-9]\s*\)?$/iu;
const POSTCODE = /(?<!\d)\d{5}(?!\d)/;
// A number under a label ending in NO ("BR NO.: 0195932-X", "SSM NO: 12345678"): a registration or
// account number, which neither opens nor continues an address.
const LABELLED_NUMBER = /^[\p{L}. ]{1,20}\bNO\b\.?\s*[:.]\s*[A-Z]{0,2}\d{5,}[\d\s-]*[A-Z]?\s*\)?[,.]?$/iu;
// A short code line of letters and digits printed under an address (a branch or site number:
// "SITE 1066", "1076-IJOK"); at most two words, three letters or more and a digit.
const SITE_CODE = /^(?=\S*\d|\S+\s+\S*\d)(?=(?:[^\p{L}]*\p{L}){3})[\p{L}\d-]+(?:\s+[\p{L}\d-]+)?$/u;

/**
 * How much of a line is made of words the field expects (1: one of `expected` appears whole).
 *
 * @example
 * ```ts
 * expectScore('ACME TRADING SDN BHD', ['SDN BHD', 'TRADING']); // 1
 * ```
 */
export function expectScore(text: string, expected: readonly string[]): number {
  if (expected.length === 0) return 0;
  const line: LayoutLine = { page: null, text, words: [], box: null, depth: 0, row: 0 };
  return findLabels([line], expected).length > 0 ? 1 : 0;
}

/** The shortest expected word whose OCR reading with one letter dropped still names it (`PERINDUSTIAN`). */
const DROPPED_LETTER_MIN = 9;

/**
 * How far an OCR'd token is from an expected word: 0 the same once OCR's confusions are folded, 1
 * one letter misread (same length: OCR misreads letters far more often than it drops or adds one,
 * and a word one letter longer is often another word, `ALAN` and `JALAN`) or, in a word of nine
 * letters or more, one letter dropped (a long word less one letter is rarely another word); 2 farther.
 */
function wordDistance(token: string, word: string): number {
  const [a, b] = [foldToken(token), foldToken(word)];
  if (a === b) return 0;
  if (a.length === b.length) return Math.min(2, [...a].filter((c, i) => c !== b[i]).length);
  const dropped =
    b.length >= DROPPED_LETTER_MIN &&
    a.length === b.length - 1 &&
    [...b].some((_, i) => b.slice(0, i) + b.slice(i + 1) === a);
  return dropped ? 1 : 2;
}

/**
 * Undoes OCR's misreadings in the words a field expects: a lone digit inside a word is read as the
 * letter it stands for (`SET1A`), and tokens that read as an expected word or phrase once OCR's
 * confusions are folded (`SDN 8HD`), or one letter off it, are written as that word: one letter
 * misread in a word of five letters or more (`PERNIAGAAR`), or in one short word of a phrase whose
 * other words match (`SON BHD`). Tokens only ever change into words the template names. A token
 * in `sure` (upper case: one OCR read with near certainty) keeps a letter that differs: what was
 * read surely is what the document prints (`AVEVUE` stays), though OCR's digit-for-letter
 * confusions are still folded and a dropped letter is still restored.
 *
 * @example
 * ```ts
 * restoreExpectedWords('ACME SON 8HD', ['SDN BHD']); // 'ACME SDN BHD'
 * ```
 */
export function restoreExpectedWords(
  text: string,
  expected: readonly string[],
  sure: ReadonlySet<string> = new Set(),
): string {
  const repaired = repairWords(text);
  const toks = tokens(repaired);
  const replacement = new Map<number, string>();
  const phrases = expected
    .map((p) => tokens(p).map((t) => t.text))
    .filter((words) => words.length > 0)
    .sort((a, b) => b.length - a.length);
  for (const words of phrases) {
    for (let i = 0; i + words.length <= toks.length; i++) {
      if (words.some((_, k) => replacement.has(i + k))) continue;
      const distances = words.map((w, k) => {
        const distance = wordDistance(toks[i + k]!.text, w);
        // A letter read surely is the print's; a letter dropped is not covered by the confidence.
        const token = toks[i + k]!.text;
        return distance === 1 && token.length === w.length && sure.has(token.toUpperCase()) ? 2 : distance;
      });
      const edits = distances.reduce((sum, d) => sum + d, 0);
      // A two-letter word alone ("NO") is taken only before a number ("NQ.12"), where it is a house number's.
      const beforeNumber = /^\.?\s?\d/.test(repaired.slice(toks[i + words.length - 1]!.end));
      const fits = distances.every((d, k) =>
        d === 0
          ? toks[i + k]!.text.length >= 3 || words.length > 1 || beforeNumber
          : d === 1 && (words[k]!.length >= 5 || (words.length > 1 && words[k]!.length >= 3)),
      );
      if (!fits || edits > 1) continue;
      words.forEach((w, k) => replacement.set(i + k, w));
    }
  }
  let out = '';
  let at = 0;
  toks.forEach((t, i) => {
    const word = replacement.get(i);
    if (word === undefined || word.toUpperCase() === t.text.toUpperCase()) return;
    const cased = /\p{Ll}/u.test(t.text) && !/\p{Lu}/u.test(t.text) ? word.toLowerCase() : word.toUpperCase();
    out += repaired.slice(at, t.start) + cased;
    at = t.end;
  });
  return out + repaired.slice(at);
}

// A company's legal form, which ends its name ("SDN BHD", "S/B", "LTD").
const LEGAL_FORM = /\b(?:SDN\.?\s*BHD|BHD|S\/B|LTD|LLC|INC)\b\.?/giu;

// A company registration number in brackets ("(126925-H)"), printed after the name.
const BRACKETED_REGISTRATION = /^\(?[A-Z]{0,2}\d{4,}\s*-?\s*[A-Z]?\)?[^\p{L}\p{N}]*$/iu;

/**
 * A name cut after its legal form when only specks (words of at most two letters or digits, which
 * OCR makes of a smudge beside the letterhead) or a bracketed registration number follow it:
 * `ACME SDN BHD 3` and `ACME SDN BHD (126925-H)` are `ACME SDN BHD`. Anything else after it
 * stays (a branch name is for the rules after this to judge).
 *
 * @example
 * ```ts
 * endAtLegalForm('UNIHAKKA INTERNATIONAL SDN BHD A'); // 'UNIHAKKA INTERNATIONAL SDN BHD'
 * ```
 */
export function endAtLegalForm(text: string): string {
  const last = [...text.matchAll(LEGAL_FORM)].at(-1);
  if (last === undefined) return text;
  const end = last.index + last[0].length;
  const rest = text.slice(end).split(/\s+/).filter(Boolean);
  const speck = (word: string): boolean => word.replace(/[^\p{L}\p{N}]/gu, '').length <= 2;
  const dropped = (word: string): boolean => speck(word) || BRACKETED_REGISTRATION.test(word);
  return rest.length > 0 && rest.every(dropped) ? text.slice(0, end) : text;
}

/**
 * An address without the specks OCR left after its last word: trailing words of one or two
 * lower-case letters, or of punctuation alone, which print on a receipt never ends with
 * (`... 81200 Johor Bahru, Johor i re`), and one character glued after the full stop that ends a
 * word (`KUALA SELANGOR.0`). Digits and capitals stay (`52000 KL`, `SEKSYEN 7`, `NO.5`).
 *
 * @example
 * ```ts
 * endAddressAtPrint('81200 Johor Bahru, Johor i re'); // '81200 Johor Bahru, Johor'
 * ```
 */
export function endAddressAtPrint(text: string): string {
  const words = text.trimEnd().split(/(\s+)/);
  const speck = (word: string): boolean => /^(?:\p{Ll}{1,2}|[^\p{L}\p{N}]+)$/u.test(word);
  while (words.length > 2 && speck(words.at(-1)!)) words.splice(-2, 2);
  return words.join('').replace(/(?<=\p{L}{3}\.)[\p{L}\p{N}]$/u, '');
}

/** True when a line opens a bracket it does not close ("HARDWARE (SETIA" / "ALAM) SDN BHD"). */
function unclosed(text: string): boolean {
  return (text.match(/\(/g) ?? []).length > (text.match(/\)/g) ?? []).length;
}

function letters(text: string): number {
  return (text.match(/\p{L}/gu) ?? []).length;
}

/** Whether a line could be a name in a letterhead: mostly letters, not a title, registration or contact line. */
function plausibleName(line: LayoutLine): boolean {
  // A registration number after a legal form is not part of the name ("AEON CO. (M) BHD (126925-H)").
  const text = endAtLegalForm(line.text.trim());
  const count = letters(text);
  return (
    count >= 3 &&
    count / text.replace(/\s/g, '').length >= 0.55 &&
    !NOT_A_NAME.test(text) &&
    !REGISTRATION.test(text) &&
    !placesUnit(text)
  );
}

/** Whether a line places a unit or a street with its number: an address line. */
function placesUnit(text: string): boolean {
  return UNIT_OR_STREET.test(text) && /\d/.test(text);
}

function topLines(lines: readonly LayoutLine[]): number[] {
  const firstPage = lines[0]?.page;
  const out: number[] = [];
  lines.forEach((line, i) => {
    if (line.page === firstPage && out.length < TOP_LINES && (line.depth <= TOP_SHARE || out.length < 3))
      out.push(i);
  });
  return out;
}

/**
 * The lines that make up a name from `first` to `last`, in reading order: with, on the first
 * line's row, plausible name lines beside it that OCR split off (a tilted photo: `LIGHTROOM
 * GALLERY, SDM` and `BHD`, read as two lines, the right one first), ordered left to right.
 */
function rowParts(lines: readonly LayoutLine[], first: number, last: number): number[] {
  const own = Array.from({ length: last - first + 1 }, (_, k) => first + k);
  const line = lines[first]!;
  if (!line.box) return own;
  const box = line.box;
  const beside = sameRow(lines, first, Number.NEGATIVE_INFINITY).filter((j) => {
    const other = lines[j]!.box;
    return (
      !own.includes(j) &&
      other !== null &&
      plausibleName(lines[j]!) &&
      !/\d/.test(lines[j]!.text) &&
      // Beside it, not over it: its centre is out of the line's span (a speck may widen the line).
      Math.abs(other.x + other.width / 2 - (box.x + box.width / 2)) > box.width / 2
    );
  });
  if (beside.length === 0) return own;
  const row = [first, ...beside].sort((a, b) => lines[a]!.box!.x - lines[b]!.box!.x);
  return [...row, ...own.slice(1)];
}

/** The most lines one name is printed on. */
const MAX_NAME_LINES = 3;

/**
 * Whether the line after `index` goes on with the name on it: a plausible name line without digits,
 * after a line ending in `&`, `,` or `-`, or opening a bracket it does not close, or itself holding
 * an expected word.
 */
function continuesName(lines: readonly LayoutLine[], index: number, expected: readonly string[]): boolean {
  const [line, next] = [lines[index]!, lines[index + 1]];
  return (
    next !== undefined &&
    next.page === line.page &&
    plausibleName(next) &&
    !/\d/.test(next.text) &&
    (/[&,\-]\s*$/.test(line.text) || expectScore(next.text, expected) > 0 || unclosed(line.text))
  );
}

/**
 * The line of a letterhead that names the issuer: the topmost line holding an expected word
 * ("SDN BHD", "TRADING"), else the topmost plausible one that is not a person's name.
 */
export function findTopLine(
  lines: readonly LayoutLine[],
  expected: readonly string[],
  findings: readonly (readonly Finding[])[],
): { line: number; last: number; expected: boolean; parts: number[] } | null {
  // The issuer's name is printed above its address: lines from the first unit or street line on are not looked at.
  const top = topLines(lines);
  const addressAt = top.findIndex((i) => placesUnit(lines[i]!.text));
  const candidates = top
    .slice(0, addressAt < 0 ? top.length : addressAt)
    .filter((i) => plausibleName(lines[i]!));
  const withExpected = candidates.find((i) => expectScore(lines[i]!.text, expected) > 0);
  if (withExpected !== undefined) {
    // A name broken over two or three lines: "HOME MASTER HARDWARE &" / "ELECTRICAL", or "AIK HUAT
    // HARDWARE" / "ENTERPRISE (SETIA" / "ALAM) SDN BHD".
    let last = withExpected;
    while (last - withExpected < MAX_NAME_LINES - 1 && continuesName(lines, last, expected)) last++;
    return { line: withExpected, last, expected: true, parts: rowParts(lines, withExpected, last) };
  }
  // A cashier's or owner's name often heads a receipt; the issuer is the next plausible line.
  const notPerson = candidates.find(
    (i) =>
      !(findings[i] ?? []).some(
        (f) => f.type === 'PERSON' && f.end - f.start >= lines[i]!.text.trim().length * 0.8,
      ),
  );
  const chosen = notPerson ?? candidates[0];
  return chosen === undefined
    ? null
    : { line: chosen, last: chosen, expected: false, parts: rowParts(lines, chosen, chosen) };
}

/** The shortest expected word looked for inside words OCR ran together (`KUALASELANGOR`). */
const GLUED_MIN = 6;

/** Whether a line holds an expected word, alone or run together with its neighbours by OCR. */
function holdsExpected(text: string, expected: readonly string[]): boolean {
  if (expectScore(text, expected) > 0) return true;
  const letters = (s: string): string => s.toUpperCase().replace(/[^\p{L}]/gu, '');
  const line = letters(text);
  return expected.some((word) => letters(word).length >= GLUED_MIN && line.includes(letters(word)));
}

function addressCues(line: LayoutLine, expected: readonly string[], findings: readonly Finding[]): number {
  let cues = 0;
  if (POSTCODE.test(line.text)) cues++;
  if (/\d/.test(line.text)) cues += 0.5;
  if (expectScore(line.text, expected) > 0) cues++;
  if (/,\s*$|,\s/.test(line.text)) cues += 0.5;
  if (findings.some((f) => f.type === 'STREET_ADDRESS' || f.type === 'LOCATION')) cues += 0.5;
  return cues;
}

/**
 * The address block of a letterhead: consecutive lines under `anchor` (the issuer's name) that
 * look like an address (postcode, house number, street words, commas, detected places), ending
 * before a contact, registration or title line. `cues` is the share of its lines with a strong cue.
 */
export function findAddressBlock(
  lines: readonly LayoutLine[],
  expected: readonly string[],
  findings: readonly (readonly Finding[])[],
  anchor: number | undefined,
): { first: number; last: number; cues: number } | null {
  const top = topLines(lines).filter((i) => anchor === undefined || i > anchor);
  let first = -1;
  let last = -1;
  let strong = 0;
  for (const i of top) {
    const line = lines[i]!;
    const text = line.text.trim();
    const cues = addressCues(line, expected, findings[i] ?? []);
    if (first < 0) {
      if (REGISTRATION.test(text) || LABELLED_NUMBER.test(text) || STOP_ADDRESS.test(text) || cues < 1)
        continue;
      [first, last, strong] = [i, i, 1];
      continue;
    }
    if (
      i !== last + 1 ||
      STOP_ADDRESS.test(text) ||
      REGISTRATION.test(text) ||
      LABELLED_NUMBER.test(text) ||
      PHONE_LINE.test(text)
    )
      break;
    // A branch name in brackets closes an address block ("(MR DIY TESCO TERBAU)").
    if (/^\(.*\)$/.test(text) && letters(text) >= 3) {
      last = i;
      break;
    }
    if (cues < 0.5 && letters(text) < 3) break;
    // After the postcode only a town, a region, a country or a branch name follows: expected
    // words, or up to two short lines of letters.
    const afterPostcode = lines.slice(first, last + 1).findIndex((l) => POSTCODE.test(l.text));
    // A site or branch code ("SITE 1066") may close it, right after the postcode or the town.
    const siteCode = SITE_CODE.test(text);
    if (
      afterPostcode >= 0 &&
      !holdsExpected(text, expected) &&
      ((/\d/.test(text) && !siteCode) || tokens(text).length > 4 || i - (first + afterPostcode) > 2)
    )
      break;
    if (afterPostcode >= 0 && siteCode) {
      last = i;
      break;
    }
    if (cues === 0 && !tokens(text).some((t) => /^[A-Z]{3,}$/.test(foldToken(t.text)))) break;
    last = i;
    if (cues >= 1) strong++;
  }
  if (first < 0) return null;
  return { first, last, cues: strong / (last - first + 1) };
}

/** Street-type abbreviations of Malay addresses (jalan, taman, lorong, kampung). */
const STREET_ABBREVIATIONS = ['JLN', 'TMN', 'LRG', 'KPG'];
/** Words after which a street's name and then its number follow ("JALAN ASTANA 1C"). */
const STREET_WORDS = /^(JALAN|JLN|LORONG|LRG|PERSIARAN|LEBUH)$/i;

/** An exclamation mark closing a capitalised word: an `I` OCR misread (an address prints no `!`). */
const BANG_FOR_I = /(?<=\p{Lu}{2})!(?![\p{L}\p{N}])/gu;

/**
 * Undoes three OCR misreadings particular to addresses. An exclamation mark closing a word in
 * capitals is its last `I` (`BERJUNTA!`): an address never prints one. A three-letter token one
 * letter off a street-type abbreviation (`THN SRI MUDA`, `JUN GENTING`) is that abbreviation when
 * it opens a part of the address (after a comma, a number or at the start) and a word follows it.
 * A street's number with a letter, read with `I` or `l` for its `1` (`JALAN ASTANA IC`), is
 * written with the digit when it follows a street word and a name.
 *
 * @example
 * ```ts
 * repairAddressTokens('67, JLN MEWAH 25/63 THN SRI MUDA'); // '67, JLN MEWAH 25/63 TMN SRI MUDA'
 * ```
 */
export function repairAddressTokens(read: string): string {
  const text = read.replace(BANG_FOR_I, 'I');
  const toks = tokens(text);
  const replacement = new Map<number, string>();
  toks.forEach((t, i) => {
    const next = toks[i + 1];
    const before = text.slice(toks[i - 1]?.end ?? 0, t.start);
    const previous = toks[i - 1]?.text ?? '';
    if (
      t.text.length === 3 &&
      /^\p{L}+$/u.test(t.text) &&
      next !== undefined &&
      /^\p{L}{3,}$/u.test(next.text) &&
      (i === 0 || before.includes(',') || /\d/.test(previous))
    ) {
      const near = STREET_ABBREVIATIONS.filter((a) => wordDistance(t.text, a) === 1);
      if (near.length === 1 && !STREET_ABBREVIATIONS.includes(t.text.toUpperCase()))
        replacement.set(i, near[0]!);
    }
    if (
      /^[Il|][A-Z]$/.test(t.text) &&
      i >= 2 &&
      STREET_WORDS.test(toks[i - 2]!.text) &&
      /^\p{L}{3,}$/u.test(previous)
    )
      replacement.set(i, `1${t.text[1]!}`);
  });
  let out = '';
  let at = 0;
  toks.forEach((t, i) => {
    const word = replacement.get(i);
    if (word === undefined) return;
    out += text.slice(at, t.start) + word;
    at = t.end;
  });
  return out + text.slice(at);
}
