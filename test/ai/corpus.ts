/**
 * Test documents for the AI boundary: the repository's canary texts, hand-written forms, and,
 * when ../shared/eval is present, the presidio-research sentences and SROIE receipt text.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { canaryText } from '../pipeline/jobs/fixtures.js';
import { EVAL_URL } from '../repo-paths.js';

export interface TestDocument {
  readonly id: string;
  readonly text: string;
}

const EVAL = EVAL_URL;
const PRESIDIO = new URL('presidio-research/generated_small.json', EVAL);
const SROIE_BOXES = new URL('sroie/box/', EVAL);

/** How many SROIE receipts the leak test reads (their text, from the line boxes). */
const RECEIPTS = 12;

const FORMS: readonly TestDocument[] = [
  {
    id: 'intake',
    text: [
      'PATIENT INTAKE FORM',
      'Patient name: Philippa Ashcombe',
      'Date of birth: 1984-03-12',
      'Phone: +1 212-555-0187',
      'E-mail: canary.k7q77x@example.org',
      'Insurer: Blue Harbor Mutual, member ID 536-27-1077',
      'Address: 1452 Larkspur Lane, Springfield, IL 62704',
      'Emergency contact: Cornelius Blackwood (brother)',
    ].join('\n'),
  },
  {
    id: 'invoice',
    text: [
      'INVOICE 2024-0193',
      'Bill to: Leopold Vandersloot, Keizersgracht 62, 1015 CS Amsterdam',
      'IBAN: NL91 ABNA 0417 1643 00',
      'Card on file: 4111 1111 1111 1111',
      'Total due: EUR 1,250.00 by 14 March 2024',
    ].join('\n'),
  },
  {
    id: 'letter',
    text: 'Dear Ms. Farnsworth,\nfollowing your call on 3 May 2023 from 020 7946 0958, we reviewed claim 88-1274. Your UK NI number QQ 12 34 56 C and IP 203.0.113.42 were checked.\nKind regards,\nZebulon Quartermaine',
  },
];

/** Whether the third-party evaluation data is present. */
export const EVAL_PRESENT = existsSync(PRESIDIO) && existsSync(SROIE_BOXES);

/** The text of one SROIE receipt: its lines, in box order. */
function receiptText(file: URL): string {
  return readFileSync(file, 'utf8')
    .split(/\r?\n/)
    .filter((line) => line.trim() !== '')
    .map((line) => line.split(',').slice(8).join(','))
    .join('\n');
}

export function testDocuments(): TestDocument[] {
  const docs: TestDocument[] = [];
  for (let n = 0; n < 10; n++) docs.push({ id: `canary-${n}`, text: canaryText(n) });
  docs.push(...FORMS);
  if (EVAL_PRESENT) {
    const samples = JSON.parse(readFileSync(PRESIDIO, 'utf8')) as { full_text: string }[];
    samples.forEach((s, i) => docs.push({ id: `presidio-${i}`, text: s.full_text }));
    const receipts = readdirSync(SROIE_BOXES)
      .filter((f) => f.endsWith('.csv'))
      .sort()
      .slice(0, RECEIPTS);
    for (const name of receipts)
      docs.push({ id: `sroie-${name}`, text: receiptText(new URL(name, SROIE_BOXES)) });
  }
  return docs;
}
