import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createEgressGuard } from '../../src/ai/egress.js';
import { extractFields } from '../../src/ai/fields/extract.js';
import { validateFields } from '../../src/ai/fields/templates.js';
import { ModelExtractor } from '../../src/ai/model/extractor.js';
import { MODEL_CONFIDENCE, modelFieldExtractor } from '../../src/ai/model/field-extractor.js';
import { OpenAiCompatibleProvider } from '../../src/ai/model/openai-compatible.js';
import { fieldsOfDocument } from '../../src/cli/commands/fields.js';
import type { FieldsModel } from '../../src/cli/commands/fields.js';
import { parseDocument } from '../../src/documents/parse.js';
import { placeholderAnswer, requestedFields, startChatServer } from './chat-server.js';
import type { ChatServer } from './chat-server.js';

const FORM = [
  'PATIENT INTAKE',
  'Patient name: Zebulon Quartermaine',
  'Email: canary.k7q9x@example.org',
  'Total due: RM 9.00',
  'Visit date: 2024-03-12',
].join('\n');
const VALUES = ['Zebulon', 'Quartermaine', 'canary.k7q9x', 'example.org'];

describe('the model extractor behind the field Extractor port, against a chat-completions server on 127.0.0.1', () => {
  let server: ChatServer;
  let picks: Record<string, string> = {};
  let confidences: Record<string, number> = {};
  before(async () => {
    server = await startChatServer(({ body }) => ({ message: placeholderAnswer(body, picks, confidences) }));
  });
  after(() => server.close());

  const model = () =>
    modelFieldExtractor(
      new ModelExtractor({
        provider: new OpenAiCompatibleProvider({
          baseUrl: server.url,
          model: 'm',
          egress: createEgressGuard(),
        }),
      }),
    );

  test('answers are parsed by the field types and scored by what Veil checks, not by what the model says', async () => {
    const doc = await parseDocument(Buffer.from(FORM));
    const fields = validateFields([
      { name: 'patient', type: 'name', hint: 'Patient name' },
      { name: 'email', type: 'email' },
      { name: 'total', type: 'money', hint: 'Total due' },
      { name: 'visit', type: 'date' },
      { name: 'deposit', type: 'money' },
      { name: 'phone', type: 'phone' },
    ]);
    picks = {
      patient: 'PERSON',
      email: 'EMAIL_ADDRESS',
      total: '=9.00 MYR',
      visit: '=2024-03-12',
      deposit: '=12.50 MYR',
      phone: '=call me maybe',
    };
    confidences = { visit: 0.2 };
    const before = server.requests.length;
    const { fields: out } = await extractFields(doc, fields, { extractor: 'model', model: model() });
    assert.equal(server.requests.length, before + 1);
    const sent = server.requests.at(-1)!.body;
    for (const value of VALUES) assert.ok(!sent.includes(value), 'a detected value reached the provider');

    // Re-identified, valid, and held by the document: the most a model alone is given.
    assert.equal(out.patient!.value, 'Zebulon Quartermaine');
    assert.equal(out.patient!.confidence, MODEL_CONFIDENCE.validAndFound);
    assert.equal(out.patient!.status, 'needs_review', 'a model alone never reaches the review threshold');
    assert.equal(out.patient!.page, 1);
    assert.deepEqual(out.email!.value, 'canary.k7q9x@example.org');
    assert.deepEqual(out.total!.value, { amount: '9.00', currency: 'MYR' });
    assert.equal(out.total!.confidence, MODEL_CONFIDENCE.validAndFound);
    assert.ok(out.total!.checks.some((c) => c.name === 'in_document' && c.passed));
    // The model said 0.9 for a value the document does not hold: it is scored as unfound.
    assert.deepEqual(out.deposit!.value, { amount: '12.50', currency: 'MYR' });
    assert.equal(out.deposit!.confidence, MODEL_CONFIDENCE.valid);
    assert.ok(out.deposit!.checks.some((c) => c.name === 'in_document' && !c.passed));
    // The model's own doubt lowers a value it found.
    assert.equal(out.visit!.value, '2024-03-12');
    assert.equal(out.visit!.confidence, MODEL_CONFIDENCE.doubted);
    // Not a value of the type: no value at all.
    assert.equal(out.phone!.value, null);
    assert.equal(out.phone!.status, 'missing');
  });

  test('auto asks the model only about what the rules left uncertain; agreement raises confidence', async () => {
    const doc = await parseDocument(Buffer.from(FORM));
    const fields = validateFields([
      { name: 'email', type: 'email', hint: 'Email' },
      { name: 'visit', type: 'date', hint: 'Visit date' },
      { name: 'patient', type: 'name' },
    ]);
    const rulesOnly = (await extractFields(doc, fields)).fields;
    assert.equal(rulesOnly.email!.status, 'accepted');
    picks = { patient: 'PERSON', visit: '=2024-03-12', email: 'EMAIL_ADDRESS' };
    confidences = {};
    const { fields: out } = await extractFields(doc, fields, { extractor: 'auto', model: model() });
    const asked = requestedFields(JSON.parse(server.requests.at(-1)!.body));
    assert.deepEqual(asked, ['patient'], 'accepted fields are not sent to the model');
    assert.equal(out.email!.confidence, rulesOnly.email!.confidence);
    // The rules read the name at 0.415; the model reads the same: 1 - (1 - 0.415)(1 - 0.75).
    assert.equal(rulesOnly.patient!.confidence, 0.415);
    assert.equal(out.patient!.confidence, 0.854);
    assert.equal(out.patient!.status, 'accepted');
    assert.ok(out.patient!.checks.some((c) => c.name === 'agreement:model' && c.passed));
    assert.equal(out.patient!.value, 'Zebulon Quartermaine');
  });
});

describe('veil fields --extractor model|auto goes through the AI gate', () => {
  let server: ChatServer;
  before(async () => {
    server = await startChatServer(({ body }) => ({
      message: placeholderAnswer(body, { patient: 'PERSON', total: '=9.00 MYR' }),
    }));
  });
  after(() => server.close());
  const config = (region?: string): FieldsModel['config'] => ({
    url: server.url,
    model: 'm',
    timeoutMs: 10_000,
    maxRetries: 0,
    ...(region ? { region } : {}),
  });
  const run = (model?: FieldsModel) =>
    fieldsOfDocument(Buffer.from(FORM), {
      fields: 'patient:name,total:money',
      extractor: 'model',
      ...(model ? { model } : {}),
    });

  test('without a provider: VEIL_EXTRACTOR_UNAVAILABLE; without consent or outside the pinned region: VEIL_AI_NOT_ALLOWED, nothing sent', async () => {
    const before = server.requests.length;
    await assert.rejects(run(), { code: 'VEIL_EXTRACTOR_UNAVAILABLE' });
    await assert.rejects(run({ config: config(), allowModelUse: false }), {
      code: 'VEIL_AI_NOT_ALLOWED',
      message: /allow_model_use/,
    });
    await assert.rejects(run({ config: config('us-east'), allowModelUse: true, region: 'eu' }), {
      code: 'VEIL_AI_NOT_ALLOWED',
      message: /VEIL_AI_REGION/,
    });
    await assert.rejects(run({ config: config(), allowModelUse: true, region: 'eu' }), {
      code: 'VEIL_AI_NOT_ALLOWED',
      message: /VEIL_AI_REGION/,
    });
    assert.equal(server.requests.length, before, 'a refused run sends nothing');
  });

  test('with consent and a matching region, the model answers', async () => {
    const { result } = await run({ config: config('EU'), allowModelUse: true, region: 'eu' });
    assert.equal(result.fields.patient!.value, 'Zebulon Quartermaine');
    assert.deepEqual(result.fields.total!.value, { amount: '9.00', currency: 'MYR' });
    assert.ok(!server.requests.at(-1)!.body.includes('Quartermaine'));
  });
});
