import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createEgressGuard } from '../../src/ai/egress.js';
import { ModelExtractor } from '../../src/ai/model/extractor.js';
import { OpenAiCompatibleProvider } from '../../src/ai/model/openai-compatible.js';
import { buildExtractionPrompt } from '../../src/ai/model/prompt.js';
import type { FieldRequest } from '../../src/ai/model/prompt.js';
import { PseudonymScope } from '../../src/ai/pseudonymise.js';
import { createAnalyzer } from '../../src/engine/analyze.js';
import { testAudit } from './audit-log.js';
import { lastUserMessage, startChatServer } from './chat-server.js';
import type { ChatServer } from './chat-server.js';
import { EVAL_PRESENT, testDocuments } from './corpus.js';

const analyze = createAnalyzer();
const PLACEHOLDER = /<[A-Z][A-Z0-9_]*_[0-9]+>/g;

/** Every string of a JSON body, decoded: what the provider reads. */
function decodedStrings(body: string): string {
  const out: string[] = [];
  const walk = (v: unknown): void => {
    if (typeof v === 'string') out.push(v);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object')
      for (const [k, x] of Object.entries(v)) {
        out.push(k);
        walk(x);
      }
  };
  walk(JSON.parse(body));
  return out.join('\n');
}

/** Non-overlapping occurrences of `value` in `text`. */
function occurrences(text: string, value: string): number {
  let n = 0;
  for (let at = text.indexOf(value); at >= 0; at = text.indexOf(value, at + value.length)) n++;
  return n;
}

/** The placeholders in the document part of a prompt, in order of first appearance. */
function documentPlaceholders(body: unknown): string[] {
  const user = lastUserMessage(body);
  const documentPart = user.slice(user.indexOf('Document:'));
  return [...new Set(documentPart.match(PLACEHOLDER) ?? [])];
}

/**
 * A model that answers only with placeholders: each field gets the first placeholder of the
 * entity types it stands for, and `note` a sentence built of the first two placeholders.
 */
function placeholderModel(body: unknown): string {
  const found = documentPlaceholders(body);
  const first = (...types: string[]): string | null =>
    found.find((p) => types.some((t) => p.startsWith(`<${t}_`))) ?? null;
  const fields: Record<string, { value: string | null; confidence: number }> = {
    name: { value: first('PERSON'), confidence: 0.91 },
    email: { value: first('EMAIL_ADDRESS'), confidence: 0.88 },
    identifier: {
      value: found.find((p) => /SSN|_ID_|NUMBER|IBAN|CARD|NINO/.test(p)) ?? null,
      confidence: 0.7,
    },
    note: { value: found.length >= 2 ? `Ask ${found[0]} about ${found[1]}.` : null, confidence: 0.5 },
  };
  return `Here you are:\n\`\`\`json\n${JSON.stringify({ fields })}\n\`\`\``;
}

const FIELDS: FieldRequest[] = [
  { name: 'name', type: 'name', hint: ['Name', 'Patient name'] },
  { name: 'email', type: 'email', hint: 'E-mail' },
  { name: 'identifier', type: 'national_id', hint: ['SSN', 'member ID'] },
  { name: 'note', type: 'string' },
];

describe('model extractor against a chat-completions server on 127.0.0.1', () => {
  let server: ChatServer;
  before(async () => {
    server = await startChatServer(({ body }) => ({ message: placeholderModel(body) }));
  });
  after(() => server.close());

  test('a patient form: the model sees placeholders only, and its placeholders come back as the values', async () => {
    const audit = testAudit();
    const provider = new OpenAiCompatibleProvider({
      baseUrl: server.url,
      model: 'llama3.1:8b',
      egress: createEgressGuard(),
      audit: audit.audit,
    });
    const extractor = new ModelExtractor({ provider });
    const text =
      'Patient name: Zebulon Quartermaine\nEmail address: canary.k7q5x@example.org\nSSN: 536-25-1005\nSeen by Dr. Ottilie Farnsworth.';
    const before = server.requests.length;
    const result = await extractor.extract({ text, fields: FIELDS });

    assert.deepEqual(result.fields, {
      name: { value: 'Zebulon Quartermaine', confidence: 0.91 },
      email: { value: 'canary.k7q5x@example.org', confidence: 0.88 },
      identifier: { value: '536-25-1005', confidence: 0.7 },
      note: { value: 'Ask Zebulon Quartermaine about canary.k7q5x@example.org.', confidence: 0.5 },
    });
    // The label "SSN" is a label, not a name: it stays, its value is replaced.
    assert.deepEqual(result.pseudonymised, { PERSON: 2, EMAIL_ADDRESS: 1, US_SSN: 1 });
    assert.equal(server.requests.length, before + 1);
    const sent = server.requests.at(-1)!.body;
    for (const value of ['Quartermaine', 'Farnsworth', 'canary.k7q5x', '536-25-1005', '5362510'])
      assert.ok(!sent.includes(value), 'a value reached the provider');
    assert.equal(
      lastUserMessage(JSON.parse(sent)),
      [
        'Fields:',
        '- name (name); look for labels such as "Name", "Patient name"',
        '- email (email): the address as written; look for labels such as "E-mail"',
        '- identifier (national_id); look for labels such as "SSN", "member ID"',
        '- note (string)',
        '',
        'Document:',
        '"""',
        'Patient name: <PERSON_1>',
        'Email address: <EMAIL_ADDRESS_1>',
        'SSN: <US_SSN_1>',
        'Seen by <PERSON_2>.',
        '"""',
      ].join('\n'),
    );
    const [event] = audit.events();
    assert.equal(event!.action, 'ai.request');
    assert.equal(event!.prompt_hash, result.promptHash);
  });

  test('a field hint holding personal data is pseudonymised like the document, never sent', async () => {
    const provider = new OpenAiCompatibleProvider({
      baseUrl: server.url,
      model: 'm',
      egress: createEgressGuard(),
    });
    const extractor = new ModelExtractor({ provider });
    const before = server.requests.length;
    await extractor.extract({
      text: 'Total 9.00',
      fields: [{ name: 'total', type: 'money', hint: ['Total', 'ask canary.k7q8x@example.org'] }],
    });
    assert.equal(server.requests.length, before + 1);
    const sent = server.requests.at(-1)!.body;
    assert.ok(!sent.includes('canary.k7q8x'));
    assert.match(
      lastUserMessage(JSON.parse(sent)),
      /look for labels such as "Total", "ask <EMAIL_ADDRESS_1>"/,
    );
  });

  test('one scope per job: the same person keeps the same placeholder across two documents', async () => {
    const provider = new OpenAiCompatibleProvider({
      baseUrl: server.url,
      model: 'm',
      egress: createEgressGuard(),
    });
    const extractor = new ModelExtractor({ provider });
    const scope = new PseudonymScope();
    await extractor.extract({
      text: 'From Ottilie Farnsworth to Zebulon Quartermaine.',
      fields: FIELDS,
      scope,
    });
    const second = await extractor.extract({ text: 'Signed: Zebulon Quartermaine', fields: FIELDS, scope });
    assert.match(lastUserMessage(JSON.parse(server.requests.at(-1)!.body)), /Signed: <PERSON_2>/);
    assert.equal(second.fields.name!.value, 'Zebulon Quartermaine');
  });

  test(
    `no value the engine detects reaches the provider, on every test document${EVAL_PRESENT ? '' : ' (../shared/eval absent: canaries and forms only)'}`,
    { timeout: 120_000 },
    async (t) => {
      if (!EVAL_PRESENT)
        t.diagnostic('../shared/eval is not present: the presidio sentences and SROIE receipts are skipped');
      const provider = new OpenAiCompatibleProvider({
        baseUrl: server.url,
        model: 'm',
        egress: createEgressGuard(),
      });
      const extractor = new ModelExtractor({ provider });
      const docs = testDocuments();
      // A value may legitimately be in the prompt as often as the document holds it where the engine
      // did not detect it (a detected "00" also sits undetected in "0.00"), plus as often as the
      // instructions and field list (the caller's words, such as the label "E-mail") hold it.
      // Placeholder names are Veil's words ("IBAN" is in <IBAN_CODE_1>): they are blanked first.
      // The raw body is searched too (for values of five characters or more: shorter ones turn up
      // in its numbers, such as "02" in `"max_tokens":1024`).
      const template = buildExtractionPrompt(FIELDS, '')
        .map((m) => m.content)
        .join('\n');
      let values = 0;
      let tolerated = 0;
      let reidentified = 0;
      for (const doc of docs) {
        const findings = analyze(doc.text);
        let undetected = doc.text;
        for (const f of findings)
          undetected =
            undetected.slice(0, f.start) + '\u0000'.repeat(f.end - f.start) + undetected.slice(f.end);
        const detected = [...new Set(findings.map((f) => doc.text.slice(f.start, f.end).trim()))].filter(
          (v) => v.length > 0,
        );
        values += detected.length;
        const before = server.requests.length;
        const result = await extractor.extract({ text: doc.text, fields: FIELDS });
        const sent = server.requests.slice(before);
        assert.equal(sent.length, 1, `${doc.id}: expected one request`);
        const body = sent[0]!.body.replace(PLACEHOLDER, '<>');
        const readable = decodedStrings(sent[0]!.body).replace(PLACEHOLDER, '<>');
        for (const value of detected) {
          const allowed = occurrences(undetected, value) + occurrences(template, value);
          if (allowed > 0) tolerated++;
          assert.ok(
            occurrences(readable, value) <= allowed &&
              (allowed > 0 || value.length < 5 || !body.includes(value)),
            `${doc.id}: a detected value (${value.length} chars) reached the provider`,
          );
        }
        for (const [name, field] of Object.entries(result.fields)) {
          if (field.value === null) continue;
          assert.doesNotMatch(
            field.value,
            PLACEHOLDER,
            `${doc.id}.${name}: a placeholder was not re-identified`,
          );
          if (name !== 'note') {
            assert.ok(
              doc.text.includes(field.value),
              `${doc.id}.${name}: the re-identified value is not from the document`,
            );
            reidentified++;
          }
        }
      }
      t.diagnostic(
        `${docs.length} documents, ${values} distinct detected values, none sent from a detected span (${tolerated} also occur undetected or in the field list); ${reidentified} placeholders re-identified`,
      );
      assert.ok(values > 0 && reidentified > 0);
    },
  );
});
