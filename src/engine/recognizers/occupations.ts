/**
 * A person's occupation named by the sentence that gives it ("worked as a secondary school
 * teacher", "the applicant, a taxi driver,", "who is a university lecturer", "the post of
 * laboratory assistant"): an occupation singles a person out in a small place, so it is a
 * quasi-identifier. The apposition rule of the tagger (`ner/rules/job-titles.ts`) finds titles
 * next to a name; this one finds them where the sentence says someone is or works as one.
 */
import { occupationOf } from '../ner/job-title.js';
import type { Finding, Recognizer, TextWindow, Trigger } from '../types.js';

/** Nouns for a party to a case or an event, who is always a person. */
const PARTY =
  '(?:applicant|claimant|plaintiff|defendant|accused|appellant|petitioner|victim|witness|deceased)';

/**
 * Words that say an occupation follows: a verb of working with "as", a noun of a post with "of",
 * "become", and a copula or an apposition after a pronoun or a party ("who is a", "the
 * applicant, a …"). A copula after anything else ("It was a") is the first group: there an
 * agent noun is too weak ("This is a reminder"), and only a known occupation is taken. Exported
 * for the test of `FRAME_TRIGGER`.
 */
export const FRAMES: readonly string[] = [
  '((?:is|was|had\\sbeen|has\\sbeen)\\s(?:a|an)\\s)',
  '(?:work(?:s|ed|ing)?|employed|practi[sc](?:e|es|ed|ing)|hired|engaged|recruited|appointed|retired|reinstated|career|job|post|position|contract)\\sas\\s(?:(?:a|an)\\s)?',
  '(?:post|position|job|profession|occupation)\\sof\\s(?:(?:a|an)\\s)?',
  `(?:who|he|she|${PARTY})\\s(?:is|was|had\\sbeen|has\\sbeen|became)\\s(?:a|an)\\s`,
  '(?:become|becomes|becoming|became)\\s(?:a|an)\\s',
  `${PARTY},\\s(?:a|an)\\s`,
];
/**
 * The frames, each after no letter or digit. The look-behind is written once before the
 * alternation, not once per frame: every frame has it, so a position it fails at matches none of
 * them, and where it holds the frames are tried in the same order, so the matches and the group
 * are the same; V8 tests it once per position instead of six times (the frame search of a
 * sentence took 2.5 instead of 6 to 10 µs). Exported for the test that compares the two forms.
 */
export const FRAME = new RegExp(`(?<![\\p{L}\\p{N}])(?:${FRAMES.join('|')})`, 'giu');

/** The words of the phrase after a frame, one at a time. */
const WORD = /[\p{L}][\p{L}'’‑-]*/uy;
const SPACE = /[ \t]+/y;

/** Words that end the phrase before its occupation is found ("a teacher in Leeds", "a member of"). */
const STOP = new Set(
  'in at for with of by from and or who which whose on to since until when where that as the a an his her their its'.split(
    ' ',
  ),
);

/**
 * What a person is in their working life without it being a trade, which the frames name in the
 * same way ("was a student at a music school", "was a civil servant", "was a conscript").
 */
const STATION = new Set('student pupil conscript servant cadet pensioner housewife'.split(' '));

/** Most words of the phrase ("retired police officer", "night security guard"). */
const MAX_WORDS = 4;

/**
 * Where the frames are: the recognizer reads only the text just after one, not the whole text
 * ("as", "of" and "was" alone are everywhere). The frames with a plain word boundary, so the
 * trigger's search needs no look-behind; one boundary before the whole alternation, which finds
 * what a boundary before each frame finds (the frames are tried in the same order at the same
 * position) but lets V8 test it once per position: the scan of the bench paragraphs took 2.6 ms
 * instead of 6.9 (`test/engine/occupations-trigger.test.ts` compares the two forms).
 */
export const FRAME_TRIGGER = {
  kind: 'pattern',
  id: 'occupationFrame',
  pattern: new RegExp(`\\b(?:${FRAMES.join('|')})`, 'gi'),
  margin: 64,
} as const satisfies Trigger;

/**
 * Finds the occupation after each frame: the shortest run of up to `MAX_WORDS` words, none of
 * them a function word, that ends in a word heading a job title (`occupationOf`).
 *
 * @example
 * ```ts
 * occupationRecognizer.find('He worked as a secondary school teacher in Leeds.', { start: 0, end: 49 });
 * // [{ type: 'JOB_TITLE', start: 15, end: 39, ... }]
 * ```
 */
export const occupationRecognizer: Recognizer = {
  name: 'occupation-frame',
  entities: ['JOB_TITLE'],
  trigger: FRAME_TRIGGER,
  find(text: string, window: TextWindow): Finding[] {
    const found: Finding[] = [];
    const slice = text.slice(window.start, window.end);
    FRAME.lastIndex = 0;
    for (let frame = FRAME.exec(slice); frame !== null; frame = FRAME.exec(slice)) {
      const end = occupationEnd(slice, frame.index + frame[0].length, frame[1] === undefined);
      if (end < 0) continue;
      found.push({
        type: 'JOB_TITLE',
        start: window.start + frame.index + frame[0].length,
        end: window.start + end,
        score: 0.6,
        recognizer: 'occupation-frame',
      });
    }
    return found;
  },
};

/**
 * The end of the occupation phrase starting at `at`, or -1 when none ends within `MAX_WORDS`
 * words; an agent noun ("driver") ends it only when `agents` says the frame is strong enough.
 */
function occupationEnd(text: string, at: number, agents: boolean): number {
  let position = at;
  for (let words = 0; words < MAX_WORDS; words++) {
    WORD.lastIndex = position;
    const word = WORD.exec(text);
    if (word === null || STOP.has(word[0].toLowerCase())) return -1;
    const end = position + word[0].length;
    const occupation = occupationOf(text, position, end);
    if (occupation === 'known' || (occupation === 'agent' && agents) || STATION.has(word[0].toLowerCase()))
      return end;
    SPACE.lastIndex = end;
    if (SPACE.exec(text) === null) return -1;
    position = SPACE.lastIndex;
  }
  return -1;
}
