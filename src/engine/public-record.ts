import type { Finding } from './types.js';

/**
 * The finding-level context step: after overlaps are resolved, with the whole text at hand, it
 * drops findings that name the public record rather than anyone's circumstances. A recognizer
 * sees a window and at most 64 characters of context; these rules read the clause around a
 * finding, which may lie 80 characters away.
 *
 * - An institution named only by its kind, with no place or proper name in or next to it ("the
 *   Administrative Court", "the Court of Appeal", "the Principal Public Prosecutor", "the
 *   Municipality"): a reference back to a body the text names in full elsewhere, which alone
 *   points at no one. "Kayseri Administrative Court", "the District Court in Kielce", "the Svea
 *   Court of Appeal" and "the Employment Tribunal" are kept.
 * - The state a complaint is brought against, named as the text itself defines it ("an application
 *   against the Republic of Utopia", "The Utopian Government (“the Government”)"): in each of
 *   its forms ("the Republic of Utopia", "the Utopian Government") it is the other party to the
 *   case, the same for every applicant. The country's name alone is kept (it is also where a
 *   person lives or comes from), and so is every other state's government.
 * - A minister named by office ("the Federal Minister", "the Minister of Agriculture") and a
 *   ministry by what it is for ("the Ministry of Education"): offices of the government, which
 *   acts in the case as a public party. A ministry that employs the person is lost with them.
 * - The office the respondent's Agent speaks from, in the sentence that names the Agent ("were
 *   represented by their Agent, Ms A. B., of the Ministry of Foreign Affairs").
 * - A state's highest court named by its kind alone ("the Court of Cassation", "the Supreme
 *   Administrative Court", "the Federal Constitutional Court"): there is one per state, and any
 *   case there may end before it, so it says no more than the state the case is brought against.
 *   Every mention goes, so the text stays coherent; none goes when the text also names the court
 *   with more words ("the Austrian Supreme Court", "the Criminal Division of the Court of
 *   Cassation") or in its own language ("the Supreme Court (Högsta domstolen)"): those name its
 *   state and stay masked, and the bare mentions would give them away. A military court ("the
 *   Supreme Military Administrative Court") is kept: it tells that the person served.
 * - A law by its name, which the tagger can read as a body or a group ("the Turkish Criminal Code",
 *   "the German Unification Treaty", "the Race Relations Act 1976" read as "Race Relations"): the
 *   same text for everyone it governs. A name in the possessive before the law's word ("the
 *   Medical Practitioner’s Act") names the people the law is for, and is kept.
 * - The date a law or treaty was made or came into force ("Law no. 4/2001 of 2 May 2001", "on
 *   1 May 2004, when Protocol No. 16 came into force", "published in the Official Gazette on
 *   …"): a fact about the law, the same in every document that cites it.
 */

const KIND_MODIFIER =
  "(?:Regional|District|Administrative|Social|Criminal|Civil|Labour|Military|Magistrates[’']?|Assize|Appeals?|Appellate|Higher|Provincial|Public|Principal|Chief|Deputy|Local|Municipal|City|County|Town|Village|Juvenile|Family|Commercial|Tax|Penal|Prison|Police|Disciplinary|Enforcement|Executive|Central)";
const KIND_HEAD =
  '(?:Courts?|Tribunal|Authority|Council|Board|Office|Municipality|Prosecutors?|Commission|Department|Directorate|Governor|Governorship|Government|Ministry|Minister|Agency|Registry|Administration|Chamber|Division|Bench|Assembly|Judge|Prefect|Prefecture|Mayor|Officer)';
/** A court's level written after it: "Court of Appeal", "Court of First Instance". */
const KIND_LEVEL = '(?: of (?:Appeals?|First Instance|First-instance|General Jurisdiction))?';
/** Kind words only, after an optional "the" and before an optional possessive or "’s Office". */
const KIND_ONLY = new RegExp(
  `^(?:[Tt]he )?(?:${KIND_MODIFIER} )*${KIND_HEAD}${KIND_LEVEL}(?:[’']s Office|[’']s|[’'])?[.,]?$`,
);
/** A minister by office, with what the office is for: "Federal Minister for Agriculture (…)". */
const MINISTER =
  /^(?:[Tt]he )?(?:(?:Federal|Prime|Deputy|State) )?Minister(?: (?:of|for)(?: the)? \p{Lu}[\p{L},’' -]*(?: \([^)]*\))?)?(?:[’']s)?$/u;
/** A ministry by what it is for, without a place: "the Ministry of Education", "Federal Ministry for …". */
const MINISTRY =
  /^(?:[Tt]he )?(?:Federal )?Ministry(?: (?:of|for)(?: the)? \p{Lu}(?:(?! of )[\p{L},’' -])*)?(?:[’']s)?$/u;

/** The highest courts by kind: "Court of Cassation", "Supreme (Administrative) Court", "Constitutional Court". */
const HIGHEST_COURT_NAME =
  "(?:Federal )?(?:Supreme (?:Administrative )?Court|Court of Cassation|Constitutional Court|Council of State|Conseil d[’']Etat)";
/** The court alone, with "the" or a possessive. */
const HIGHEST_COURT = new RegExp(`^(?:[Tt]he )?(${HIGHEST_COURT_NAME})(?:[’']s?)?$`);
/** A highest court's name inside a longer organisation name, or before its name in its own language. */
const HIGHEST_COURT_INSIDE = new RegExp(`(?<![\\p{L}])${HIGHEST_COURT_NAME}(?![\\p{L}])`, 'u');

/** The word that makes a name a law's: "Code", "Act", "Treaty", "Regulations", … */
const LAW_WORD =
  '(?:Code|Act|Acts|Law|Laws|Treaty|Constitution|Regulations?|Convention|Directive|Agreement|Statute|Ordinance|Decree)';
/**
 * A law's name ending in its word: "Turkish Criminal Code", "Federal Constitution". Not "Law": a
 * firm is often named so ("Baker Law"), and the firm a person instructed is not public record.
 */
const LAW_NAME = new RegExp(`\\b${LAW_WORD.replace('Law|Laws|', '')}$`);
/** A law's word just after the finding: "[Race Relations] Act 1976". */
const LAW_WORD_AFTER = new RegExp(`^ ${LAW_WORD}\\b`);
/** Types the tagger gives a law's name when it misreads one. */
const LAW_MISREAD = new Set(['ORGANIZATION', 'NRP', 'LOCATION']);

/** The name goes on after the finding: "Court of Justice of the European Union", "Court in Kielce". */
const NAMED_AFTER = /^ (?:of|in|at|for)(?: the)? \p{Lu}/u;

/** The date is when a law or treaty came into force: ", when Protocol No. 16 … came into force". */
const IN_FORCE_AFTER =
  /^,?\s*(?:when|on which|the date on which|the day on which)\s+(?:[^.;]|\.(?=\s*\d)){0,80}?\b(?:came|entered) into force\b/;
/** The date the Court's sections were recomposed: "On 1 May 2004 the Court changed the composition of its Sections". */
const SECTIONS_AFTER = /^,?\s*the Court changed the composition of its Sections\b/;
/** A court's numbered chamber, which the address grammar can read as a street ("7th Chamber of the …"). */
const NUMBERED_CHAMBER = /^\d+(?:st|nd|rd|th) (?:Chamber|Division|Section|Department) of the /;
/** The date names a law ("Law no. 4/2001 of", "Act of") or its publication. */
const LAW_OF_BEFORE =
  /(?:\b(?:Law|Act|Decree|Ordinance|Regulation|Protocol|Statute|Circular)(?: [Nn]o\.? ?[\w/.-]+)? of|\bpublished in the Official Gazette (?:on|of))\s*$/;
/** The respondent state as an application's opening names it: "against the Republic of Utopia". */
const AGAINST_STATE =
  /\bagainst (?:the )?((?:(?:[A-Z][\p{L}]+ )?(?:Republic|Kingdom|Principality|Grand Duchy|Confederation) of(?: [A-Z][\p{L}]+| and)+)|[A-Z][\p{L}]+ (?:Republic|Federation|Confederation))/u;
/** Its government as the text defines the word: "The Utopian Government (“the Government”)". */
const DEFINED_GOVERNMENT = /\b((?:[A-Z][\p{L}]+ )?[A-Z][\p{L}]+) Government \([“"]the Government[”"]\)/u;
/** Where the opening that names the parties ends, at the latest. */
const OPENING = 4000;

/** How far the clauses above are looked for around a date. */
const LOOK_BEFORE = 60;
const LOOK_AFTER = 120;

/**
 * The findings without those that name the public record (see above). `keep` says which
 * findings the step may not drop (a deny-list term, a caller's own recognizer).
 *
 * @example
 * ```ts
 * const text = 'The Administrative Court dismissed the appeal.';
 * withoutPublicRecord(text, [{ type: 'ORGANIZATION', start: 4, end: 24, score: 0.8, recognizer: 'ner' }]);
 * // []
 * ```
 */
export function withoutPublicRecord(
  text: string,
  findings: readonly Finding[],
  keep: (finding: Finding) => boolean = () => false,
): Finding[] {
  let respondent: ReadonlySet<string> | undefined;
  let notLaws: ReadonlySet<string> | undefined;
  let namedInFull: ReadonlySet<string> | undefined;
  return findings.filter((f) => {
    if (keep(f)) return true;
    if (f.type === 'DATE_TIME') return !datesALaw(text, f);
    if (f.type === 'STREET_ADDRESS') return !NUMBERED_CHAMBER.test(text.slice(f.start, f.end));
    if (LAW_MISREAD.has(f.type) && namesALaw(text, f)) {
      // A body named in a law's name ("the Supreme Court Act") and elsewhere on its own stays
      // masked in both, so the law's name does not give it away.
      notLaws ??= namesOutsideLaws(text, findings, keep);
      if (!notLaws.has(bareName(text.slice(f.start, f.end)))) return false;
    }
    if (f.type !== 'ORGANIZATION') return true;
    const name = text.slice(f.start, f.end);
    const court = HIGHEST_COURT.exec(name)?.[1];
    if (court !== undefined) {
      namedInFull ??= courtsNamedInFull(text, findings);
      if (!namedInFull.has(courtKey(court))) return false;
    }
    if (isKindOnly(text, f) || MINISTER.test(name) || MINISTRY.test(name) || isAgentsOffice(text, f.start))
      return false;
    respondent ??= respondentState(text);
    return !respondent.has(bareName(text.slice(f.start, f.end)));
  });
}

/**
 * The names of the state the text's complaint is brought against, in the forms a finding takes:
 * "Republic of Utopia" and "Utopian Government" from the opening's "against the Republic of
 * Utopia" and "The Utopian Government (“the Government”)". Empty when the text names none.
 */
export function respondentState(text: string): ReadonlySet<string> {
  const opening = text.slice(0, OPENING);
  const names = new Set<string>();
  // Each pattern's literal first: the government's pattern tries every capitalised word, and
  // a text without the literal holds no match.
  const state = opening.includes('against ') ? AGAINST_STATE.exec(opening)?.[1] : undefined;
  if (state) names.add(state);
  const government = opening.includes(' Government (') ? DEFINED_GOVERNMENT.exec(opening)?.[1] : undefined;
  if (government) names.add(`${bareName(government)} Government`);
  return names;
}

/** The Agent of a party to the case: "their Agent", "Co-Agent". */
const AGENT = /\b(?:Co-)?Agents?\b/g;
/** A sentence's end: a full stop that does not close an initial ("Mr C. Roe"). */
const SENTENCE_END = /(?<!(?:^|[\s(])\p{Lu})\.\s/u;
/** How far back the Agent is looked for. */
const AGENT_BEFORE = 300;

/** True when `at` lies in a sentence that names an Agent before it, on the same line. */
function isAgentsOffice(text: string, at: number): boolean {
  const window = text.slice(Math.max(0, at - AGENT_BEFORE), at);
  // Only the same line: a search bounded by the window, never back to the text's start.
  const before = window.slice(window.lastIndexOf('\n') + 1);
  // Every match holds "Agent": most windows have none, and a look for it costs less than the scan.
  if (!before.includes('Agent')) return false;
  let last = -1;
  AGENT.lastIndex = 0;
  for (let match = AGENT.exec(before); match !== null; match = AGENT.exec(before))
    last = match.index + match[0].length;
  return last >= 0 && !SENTENCE_END.test(before.slice(last));
}

/** A finding's name without "the" before it or a possessive or a full stop after it. */
function bareName(value: string): string {
  return value.replace(/^[Tt]he\s+/, '').replace(/(?:[’']s?|[.,])$/, '');
}

function isKindOnly(text: string, finding: Finding): boolean {
  if (!KIND_ONLY.test(text.slice(finding.start, finding.end))) return false;
  if (NAMED_AFTER.test(text.slice(finding.end, finding.end + 12))) return false;
  return !namedBefore(text, finding.start);
}

/** Capitalised words that open a sentence or a clause, not a name: "The Court of Appeal". */
const OPENING_WORDS = new Set(
  (
    'The This That These Those Its Their His Her A An On In By At For To From With When Since ' +
    'Before After Both Each Neither Either If As Whereas However Moreover Furthermore Then'
  ).split(' '),
);

/**
 * True when a capitalised word other than an article or a preposition stands just before `at` on
 * the same line: "Svea Court of Appeal" read as "Court of Appeal" keeps its place.
 */
function namedBefore(text: string, at: number): boolean {
  let end = at;
  while (end > 0 && text[end - 1] === ' ') end--;
  if (end === at) return false;
  let start = end;
  while (start > 0 && /[\p{L}\p{N}’'.-]/u.test(text[start - 1]!)) start--;
  if (start === end || !/\p{Lu}/u.test(text[start]!)) return false;
  return !OPENING_WORDS.has(text.slice(start, end));
}

function datesALaw(text: string, finding: Finding): boolean {
  return (
    IN_FORCE_AFTER.test(text.slice(finding.end, finding.end + LOOK_AFTER)) ||
    SECTIONS_AFTER.test(text.slice(finding.end, finding.end + LOOK_AFTER)) ||
    LAW_OF_BEFORE.test(text.slice(Math.max(0, finding.start - LOOK_BEFORE), finding.start))
  );
}

/**
 * True when the finding is a law's name or the words before a law's word. A firm's name ("Lee,
 * Ortiz and Law") holds a comma; a possessive names the people a law is for (see above).
 */
function namesALaw(text: string, finding: Finding): boolean {
  const name = text.slice(finding.start, finding.end);
  if (name.includes(',') || /[’']s?$/.test(name)) return false;
  return LAW_NAME.test(name) || LAW_WORD_AFTER.test(text.slice(finding.end, finding.end + 16));
}

/** The names of the findings the law rule could read that name no law (see `namesALaw`). */
function namesOutsideLaws(
  text: string,
  findings: readonly Finding[],
  keep: (finding: Finding) => boolean,
): ReadonlySet<string> {
  const names = new Set<string>();
  for (const f of findings)
    if (LAW_MISREAD.has(f.type) && !keep(f) && !namesALaw(text, f))
      names.add(bareName(text.slice(f.start, f.end)));
  return names;
}

/**
 * The highest courts (`HIGHEST_COURT_NAME`) that an organisation finding names with more words
 * than the court alone: "Austrian Supreme Court", "Criminal Division of the Court of Cassation",
 * "Supreme Court (Högsta domstolen)".
 */
function courtsNamedInFull(text: string, findings: readonly Finding[]): ReadonlySet<string> {
  const courts = new Set<string>();
  for (const f of findings) {
    if (f.type !== 'ORGANIZATION') continue;
    const name = text.slice(f.start, f.end);
    const alone = HIGHEST_COURT.exec(name)?.[1];
    // The tagger may leave the place out of the finding: "the Svea" + "Supreme Court", "Supreme
    // Court" + " of Canada".
    if (alone !== undefined) {
      if (NAMED_AFTER.test(text.slice(f.end, f.end + 12)) || namedBefore(text, f.start))
        courts.add(courtKey(alone));
      continue;
    }
    const inside = HIGHEST_COURT_INSIDE.exec(name)?.[0];
    if (inside !== undefined) courts.add(courtKey(inside));
  }
  return courts;
}

/** "Federal Constitutional Court" and its short form "Constitutional Court" are one court. */
function courtKey(court: string): string {
  return court.replace(/^Federal /, '');
}
