/**
 * Which words head a job title ("the Maxillofacial surgeon", "Systems administrator", "head of
 * sales"). Hand-written: occupation nouns that no suffix gives away, and the suffixes that make
 * most of the others (agent nouns in -er/-or, -ist, -ician, -grapher, -maker, -man). The span
 * rule that uses it (`rules/job-titles.ts`) looks only at phrases in apposition to a person's name or on
 * the line under it, so the word alone never makes a title.
 */
import { hashWord, lowerCode, WordSet } from './tokenizer.js';

/** Occupations whose ending does not say so. */
const OCCUPATION = new WordSet(
  `clerk nurse surgeon chef cook cashier courier aide guard attendant assistant accountant consultant agent president
  superintendent correspondent representative executive secretary captain lieutenant sergeant colonel general admiral chief
  head analyst paralegal midwife veterinarian librarian historian comedian custodian guardian coach chaplain priest pastor
  minister bishop rabbi imam vicar judge magistrate attorney counsel advocate notary paramedic medic associate intern
  trainee apprentice mason mechanic marine constable detective sheriff deputy marshal warden mayor diplomat consul envoy
  dean provost principal registrar bursar postdoc actress stewardess waitress hostess liaison ceo cfo cto coo cio vp
  chair nanny barista trustee chauffeur entrepreneur masseuse concierge financier hotelier soldier sommelier dietitian
  staff crew`
    .split(/\s+/)
    .filter(Boolean),
);

/**
 * Agent nouns of the suffixes below that name a relation, a party to a case or a thing rather
 * than an occupation ("Mary Smith, the mother, said", "Mr Jones, the petitioner,").
 */
const NOT_OCCUPATION = new WordSet(
  `mother father brother sister daughter grandmother grandfather stepmother stepfather godmother godfather other another
  latter former elder older younger partner user owner customer member prisoner neighbour neighbor holder sender receiver
  caller buyer seller lender borrower debtor creditor donor sponsor survivor visitor ancestor successor predecessor speaker
  listener viewer reader passenger stranger foreigner lover employer minor offender murderer killer perpetrator petitioner
  intervener intervenor applicant winner loser beginner newcomer outsider insider matter order letter number paper water
  power corner border center centre error floor door manner human woman german roman norman`
    .split(/\s+/)
    .filter(Boolean),
);

/** Endings of words that name an occupation whatever their stem ("technologist", "electrician", "platemaker"). */
const OCCUPATION_ENDINGS = [
  'ist',
  'ician',
  'grapher',
  'maker',
  'wright',
  'smith',
  'man',
  'woman',
  'person',
] as const;

/** Endings of agent nouns ("installer", "operator", "engineer"): an occupation more often than not. */
const AGENT_ENDINGS = ['er', 'or'] as const;

/** Fewest letters of a word read as an occupation by its ending ("artist", "tender"). */
const MIN_SUFFIX_WORD = 5;

/**
 * How a word heads a job title: `known` (a word of the list or an occupation ending), `agent` (an
 * agent noun, weaker evidence) or not at all.
 */
export type Occupation = 'known' | 'agent' | undefined;

/**
 * How strongly the word `text[start, end)` heads a job title. An agent noun ("installer") is
 * weaker than a word of the list or an occupation ending: callers ask for more context.
 *
 * @example
 * ```ts
 * occupationOf('surgical technologist', 9, 21); // 'known'
 * occupationOf('gas furnace installer', 12, 21); // 'agent'
 * occupationOf('the mother', 4, 10); // undefined
 * ```
 */
export function occupationOf(
  text: string,
  start: number,
  end: number,
  hash = hashWord(text.slice(start, end)),
): Occupation {
  if (OCCUPATION.has(hash)) return 'known';
  if (end - start < MIN_SUFFIX_WORD || NOT_OCCUPATION.has(hash)) return undefined;
  // An ending needs a stem: "salesperson" is an occupation, "person" is not.
  for (const ending of OCCUPATION_ENDINGS)
    if (end - start > ending.length && endsWith(text, end, ending)) return 'known';
  for (const ending of AGENT_ENDINGS) if (endsWith(text, end, ending)) return 'agent';
  return undefined;
}

function endsWith(text: string, end: number, ending: string): boolean {
  const from = end - ending.length;
  for (let i = 0; i < ending.length; i++)
    if (lowerCode(text.charCodeAt(from + i)) !== ending.charCodeAt(i)) return false;
  return true;
}
