// The finding-level context step (src/engine/public-record.ts): findings that name the public
// record (an institution named only by its kind, the date a law was made or came into force) are
// dropped after overlaps are resolved; located and named bodies, and dates of events, are kept.
// The texts are invented, in the grammar of court judgments.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyze } from '../../src/engine/analyze.js';
import { withDefinedAcronyms } from '../../src/engine/defined-acronyms.js';
import { respondentState, withoutPublicRecord } from '../../src/engine/public-record.js';
import type { Finding, Recognizer } from '../../src/engine/types.js';

/** The findings of `values` in `text` (each value's first occurrence), as a recognizer reports them. */
function found(text: string, type: string, values: readonly string[]): Finding[] {
  return values.map((value) => {
    const start = text.indexOf(value);
    assert.ok(start >= 0, `"${value}" is in the text`);
    return { type, start, end: start + value.length, score: 0.85, recognizer: 'ner-tagger' };
  });
}

function kept(text: string, findings: readonly Finding[]): string[] {
  return withoutPublicRecord(text, findings).map((f) => text.slice(f.start, f.end));
}

test('an institution named only by its kind is dropped; one with a place or name is kept', () => {
  const text =
    'The applicant sued the Bregenz Labour Court’s registry. The Labour Court dismissed the claim ' +
    'and the Court of Appeal upheld it. The Principal Public Prosecutor’s Office objected, as did ' +
    'the Municipality. The District Court in Tarnów, the Svea Court of Appeal, the Employment ' +
    'Tribunal and the Court of Justice of the European Union were seised.';
  const organisations = found(text, 'ORGANIZATION', [
    'Bregenz Labour Court',
    'The Labour Court',
    'Court of Appeal',
    'Principal Public Prosecutor’s Office',
    'Municipality',
    'District Court in Tarnów',
    'Court of Appeal,',
    'Employment Tribunal',
    'Court of Justice',
  ]);
  // "Court of Appeal," is the Svea court's: its place stands before it.
  assert.deepEqual(kept(text, organisations), [
    'Bregenz Labour Court',
    'District Court in Tarnów',
    'Court of Appeal,',
    'Employment Tribunal',
    'Court of Justice',
  ]);
});

test('a kind-only name after an article or a preposition is dropped, after a place it is kept', () => {
  const text =
    'In Administrative Court practice, Lublin Administrative Court sat. The Administrative Court rose.';
  const name = 'Administrative Court';
  const starts = [...text.matchAll(/Administrative Court/g)].map((m) => m.index);
  const findings = starts.map((start) => ({
    type: 'ORGANIZATION',
    start,
    end: start + name.length,
    score: 0.85,
    recognizer: 'ner-tagger',
  }));
  assert.deepEqual(
    withoutPublicRecord(text, findings).map((f) => text.slice(f.start - 7, f.end)),
    ['Lublin Administrative Court'],
  );
});

test('the date a law was made, published or came into force is dropped; the dates of events are kept', () => {
  const text =
    'The application was lodged on 4 April 1996 and transmitted to the Court on 1 November 1998, ' +
    'when Protocol No. 11 to the Convention came into force. Under Law no. 3713 of 12 April 1991, ' +
    'published in the Official Gazette on 19 April 1991, the provision was repealed. The applicant ' +
    'was arrested on 14 March 1993 and released on 2 June 1993, when the order came to an end.';
  const dates = found(text, 'DATE_TIME', [
    '4 April 1996',
    '1 November 1998',
    '12 April 1991',
    '19 April 1991',
    '14 March 1993',
    '2 June 1993',
  ]);
  assert.deepEqual(kept(text, dates), ['4 April 1996', '14 March 1993', '2 June 1993']);
});

test('other types are never dropped, and neither is what `keep` protects', () => {
  const text = 'The Administrative Court wrote to Ms Jane Roe.';
  const findings = [
    ...found(text, 'ORGANIZATION', ['Administrative Court']),
    ...found(text, 'PERSON', ['Jane Roe']),
  ];
  assert.deepEqual(kept(text, findings), ['Jane Roe']);
  assert.deepEqual(
    withoutPublicRecord(text, findings, (f) => f.type === 'ORGANIZATION').map((f) => f.type),
    ['ORGANIZATION', 'PERSON'],
  );
});

test('analyze drops the built-in findings that name the public record, and keeps a caller’s own', () => {
  const text =
    'On 9 June 2005 the Kielce Regional Court dismissed the claim. On 2 February 2006 the ' +
    'Administrative Court quashed that decision. The case was transmitted to the Court on ' +
    '1 November 1998, when Protocol No. 11 to the Convention came into force.';
  const values = (findings: readonly Finding[]) =>
    findings.map((f) => `${f.type} ${text.slice(f.start, f.end)}`);
  assert.deepEqual(values(analyze(text)), [
    'DATE_TIME 9 June 2005',
    'ORGANIZATION Kielce Regional Court',
    'DATE_TIME 2 February 2006',
  ]);
  const courts: Recognizer = {
    name: 'my-courts',
    entities: ['ORGANIZATION'],
    trigger: { kind: 'all' },
    find: (t) => {
      const start = t.indexOf('Administrative Court');
      return start < 0
        ? []
        : [{ type: 'ORGANIZATION', start, end: start + 20, score: 1, recognizer: 'my-courts' }];
    },
  };
  assert.ok(values(analyze(text, { recognizers: [courts] })).includes('ORGANIZATION Administrative Court'));
  assert.ok(
    values(analyze(text, { denyList: [{ type: 'DATE_TIME', values: ['1 November 1998'] }] })).includes(
      'DATE_TIME 1 November 1998',
    ),
  );
});

test('the respondent state is read from the opening: its full name and its defined government', () => {
  const text =
    'The case originated in an application against the Republic of Utopia lodged with the Court by ' +
    'a Utopian national. The Utopian Government (“the Government”) were represented by their Agent.';
  assert.deepEqual([...respondentState(text)], ['Republic of Utopia', 'Utopian Government']);
  assert.deepEqual(
    [...respondentState('An application against the Kingdom of Arcadia and Elysia.')],
    ['Kingdom of Arcadia and Elysia'],
  );
  assert.deepEqual([...respondentState('The applicant lives in Utopia.')], []);
});

test('the respondent state is dropped in its forms; its bare name and other governments are kept', () => {
  const text =
    'The case originated in an application against the Republic of Utopia lodged by a Utopian ' +
    'national. The Utopian Government (“the Government”) were represented by their Agent. The ' +
    'Arcadian Government did not intervene. The applicant moved from Utopia to Arcadia; the ' +
    'Utopian Government’s reply was late.';
  const organisations = found(text, 'ORGANIZATION', [
    'Republic of Utopia',
    'The Utopian Government',
    'Arcadian Government',
    'Utopia to',
    'Utopian Government’s',
  ]).map((f) => (text.slice(f.start, f.end) === 'Utopia to' ? { ...f, end: f.end - 3 } : f));
  assert.deepEqual(kept(text, organisations), ['Arcadian Government', 'Utopia']);
});

test('a minister or ministry by office, the Agent’s office and a court’s numbered chamber are dropped', () => {
  const text =
    'The Utopian Government (“the Government”) were represented by their Agent, Ms A. Roe, of the ' +
    'Ministry of Foreign Affairs. The Federal Minister for Agriculture refused. The Ministry of ' +
    'Education employed the applicant. The 5th Chamber of the Supreme Court dismissed the appeal.';
  const findings = [
    ...found(text, 'ORGANIZATION', [
      'Ministry of Foreign Affairs',
      'Federal Minister for Agriculture',
      'Ministry of Education',
    ]),
    ...found(text, 'STREET_ADDRESS', ['5th Chamber of the Supreme Court']),
  ];
  // The ministry in a later sentence is not the Agent's office, but a ministry by what it is for.
  assert.deepEqual(kept(text, findings), []);
  const located = 'The Ministry of Education of Utopia and the Utopian Ministry of Education replied.';
  assert.deepEqual(
    kept(
      located,
      found(located, 'ORGANIZATION', ['Ministry of Education of Utopia', 'Utopian Ministry of Education']),
    ),
    ['Ministry of Education of Utopia', 'Utopian Ministry of Education'],
  );
});

test('a law named by its name is dropped; a body, a firm and a possessive before a law are kept', () => {
  const text =
    'Under Article 12 of the Utopian Penal Code and section 3 of the Fair Trading Act 1990, as ' +
    'amended by the Northern Accord Treaty, the Utopian Medical Council and Lee, Ortiz and Law ' +
    'relied on the Veterinary Surgeon’s Act and on the Federal Constitution, advised by Baker Law.';
  const findings = [
    ...found(text, 'ORGANIZATION', [
      'Utopian Penal Code',
      'Fair Trading',
      'Utopian Medical Council',
      'Lee, Ortiz and Law',
      'Federal Constitution',
      // A firm named "… Law" is not a law's name.
      'Baker Law',
    ]),
    ...found(text, 'NRP', ['Northern Accord Treaty', 'Veterinary Surgeon’s']),
  ];
  assert.deepEqual(kept(text, findings), [
    'Utopian Medical Council',
    'Lee, Ortiz and Law',
    'Baker Law',
    'Veterinary Surgeon’s',
  ]);
  // Only the types the tagger gives a misread law are dropped; a person is left to the person rules.
  assert.deepEqual(kept(text, found(text, 'PERSON', ['Fair Trading'])), ['Fair Trading']);
});

test('a body named in a law’s name stays masked there when the text names it elsewhere too', () => {
  const text =
    'The Utopian Medical Council refused. Under the Utopian Medical Council Act, the Fair Trading Act applied.';
  const name = 'Utopian Medical Council';
  const findings = [...text.matchAll(/Utopian Medical Council|Fair Trading/g)].map((m) => ({
    type: 'ORGANIZATION',
    start: m.index,
    end: m.index + m[0].length,
    score: 0.85,
    recognizer: 'ner-tagger',
  }));
  assert.deepEqual(kept(text, findings), [name, name]);
});

/** Every occurrence of each value in `text`, as organisation findings of the tagger. */
function everyOrganisation(text: string, values: readonly string[]): Finding[] {
  return values
    .flatMap((value) =>
      [...text.matchAll(new RegExp(value.replace(/[()]/g, '\\$&'), 'g'))].map((m) => ({
        type: 'ORGANIZATION',
        start: m.index,
        end: m.index + value.length,
        score: 0.85,
        recognizer: 'ner-tagger',
      })),
    )
    .sort((a, b) => a.start - b.start);
}

test('a highest court named by its kind alone is dropped in every mention; a military court is kept', () => {
  const text =
    'The Court of Cassation upheld it. The Supreme Administrative Court’s ruling followed; the ' +
    'Federal Constitutional Court declined. The Supreme Military Administrative Court and the ' +
    'Lublin Regional Court sat. The Court of Cassation rose.';
  const findings = everyOrganisation(text, [
    'Court of Cassation',
    'Supreme Administrative Court’s',
    'Federal Constitutional Court',
    'Supreme Military Administrative Court',
    'Lublin Regional Court',
  ]);
  assert.deepEqual(kept(text, findings), ['Supreme Military Administrative Court', 'Lublin Regional Court']);
});

test('a highest court the text also names in full or in its own language keeps every mention', () => {
  const own = 'The Supreme Court (Högsta domstolen) refused leave. The Supreme Court gave no reasons.';
  const bare = own.lastIndexOf('Supreme Court');
  const courts = [
    ...found(own, 'ORGANIZATION', ['Supreme Court (Högsta domstolen)']),
    { type: 'ORGANIZATION', start: bare, end: bare + 13, score: 0.85, recognizer: 'ner-tagger' },
  ];
  assert.deepEqual(kept(own, courts), ['Supreme Court (Högsta domstolen)', 'Supreme Court']);
  const part =
    'The Criminal Division of the Court of Cassation quashed it; the Court of Cassation later agreed. ' +
    'The Constitutional Court, that is the Federal Constitutional Court of Utopia, was not seised.';
  const findings = [
    ...found(part, 'ORGANIZATION', ['Criminal Division of the Court of Cassation']),
    ...found(part, 'ORGANIZATION', ['Constitutional Court']),
    ...found(part, 'ORGANIZATION', ['Federal Constitutional Court']),
  ];
  const later = part.indexOf('the Court of Cassation later') + 4;
  findings.push({
    type: 'ORGANIZATION',
    start: later,
    end: later + 18,
    score: 0.85,
    recognizer: 'ner-tagger',
  });
  // "Federal Constitutional Court" + " of Utopia": the tagger left the state out, which names it.
  assert.deepEqual(kept(part, findings).sort(), [
    'Constitutional Court',
    'Court of Cassation',
    'Criminal Division of the Court of Cassation',
    'Federal Constitutional Court',
  ]);
});

test('the date the Court recomposed its sections is dropped', () => {
  const text =
    'On 1 May 2004 the Court changed the composition of its Sections. On 3 May 2004 he was released.';
  assert.deepEqual(kept(text, found(text, 'DATE_TIME', ['1 May 2004', '3 May 2004'])), ['3 May 2004']);
});

test('an acronym a kept organisation defines is found where the text uses it later', () => {
  const text =
    'She appealed to the Industrial Appeal Board (“IAB”) in Utopia. The IAB and the UN heard it; ' +
    'IABS did not.';
  const organisations = analyze(text)
    .filter((f) => f.type === 'ORGANIZATION')
    .map((f) => text.slice(f.start, f.end));
  assert.ok(organisations.includes('IAB'), organisations.join('; '));
  assert.ok(!organisations.includes('UN') && !organisations.includes('IABS'), organisations.join('; '));
  const definition = { type: 'ORGANIZATION', start: 20, end: 43, score: 0.8, recognizer: 'ner-tagger' };
  assert.equal(text.slice(20, 43), 'Industrial Appeal Board');
  assert.deepEqual(
    withDefinedAcronyms(text, [definition]).map((f) => [text.slice(f.start, f.end), f.recognizer]),
    [
      ['Industrial Appeal Board', 'ner-tagger'],
      ['IAB', 'defined-acronym'],
    ],
  );
});
