import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createEgressGuard, inspectEgress } from '../../src/ai/egress.js';
import { OpenAiCompatibleProvider } from '../../src/ai/model/openai-compatible.js';
import { PseudonymScope, pseudonymise } from '../../src/ai/pseudonymise.js';
import { createAnalyzer } from '../../src/engine/analyze.js';
import { isVeilError } from '../../src/errors/veil-error.js';
import { testAudit } from './audit-log.js';
import { startChatServer } from './chat-server.js';
import type { ChatServer } from './chat-server.js';

const analyze = createAnalyzer();
const EMAIL = 'canary.k7q9x@example.org';

describe('inspectEgress', () => {
  test('lets a body through when everything detected is one of its placeholders', () => {
    const body = JSON.stringify({
      model: 'm',
      messages: [{ role: 'user', content: 'Write to <PERSON_1> at <EMAIL_ADDRESS_1>.' }],
      max_tokens: 5,
    });
    assert.deepEqual(inspectEgress(body, analyze, new Set(['<PERSON_1>', '<EMAIL_ADDRESS_1>'])), {
      allowed: true,
      counts: {},
    });
  });

  test('blocks a value, counted by type', () => {
    const body = JSON.stringify({
      messages: [{ role: 'user', content: `Write to <PERSON_1> at ${EMAIL}, SSN 536-29-1009.` }],
    });
    assert.deepEqual(inspectEgress(body, analyze, new Set(['<PERSON_1>'])), {
      allowed: false,
      counts: { EMAIL_ADDRESS: 1, US_SSN: 1 },
    });
  });

  test('reads JSON escapes as the provider will, so an escaped value cannot slip through', () => {
    const body = '{"messages":[{"role":"user","content":"mail canary.k7q9x\\u0040example.org"}]}';
    assert.ok(!body.includes('@'));
    assert.deepEqual(inspectEgress(body, analyze, new Set()), {
      allowed: false,
      counts: { EMAIL_ADDRESS: 1 },
    });
  });

  test('a placeholder it did not issue does not cover a value inside it, and a name beside a placeholder is caught', () => {
    const body = JSON.stringify({
      messages: [{ role: 'user', content: `at <${EMAIL}> and <PERSON_1> Quartermaine` }],
    });
    const verdict = inspectEgress(body, analyze, new Set(['<PERSON_1>']));
    assert.equal(verdict.allowed, false);
    assert.equal(verdict.counts.EMAIL_ADDRESS, 1);
  });

  test('inspects keys that are not protocol names, and a body that is not JSON as it is', () => {
    assert.equal(inspectEgress(JSON.stringify({ [EMAIL]: 1 }), analyze, new Set()).allowed, false);
    assert.equal(inspectEgress(`raw ${EMAIL}`, analyze, new Set()).allowed, false);
  });
});

describe('the egress guard inside the provider', () => {
  let server: ChatServer;
  before(async () => {
    server = await startChatServer(() => ({ message: 'ok' }));
  });
  after(() => server.close());

  test('blocks a prompt that still holds an e-mail address: nothing reaches the server, the block is audited without the value', async () => {
    const audit = testAudit();
    const provider = new OpenAiCompatibleProvider({
      baseUrl: server.url,
      model: 'm',
      maxRetries: 2,
      egress: createEgressGuard(),
      audit: audit.audit,
    });
    const scope = new PseudonymScope();
    const masked = await pseudonymise('Zebulon Quartermaine asked about the claim.', { analyze, scope });
    // The value is injected after pseudonymisation, as a bug or a hostile hint would.
    const content = `${masked.text}\nReply to ${EMAIL}.`;
    const before = server.requests.length;
    let caught: unknown;
    try {
      await provider.chat({ messages: [{ role: 'user', content }], placeholders: scope.placeholders });
    } catch (error) {
      caught = error;
    }
    assert.ok(isVeilError(caught));
    assert.equal(caught.code, 'VEIL_EGRESS_BLOCKED');
    assert.match(caught.message, /1 value\(s\).*EMAIL_ADDRESS/);
    assert.ok(!caught.message.includes(EMAIL) && !caught.message.includes('example.org'));
    assert.equal(server.requests.length, before, 'a blocked request reached the server');

    const events = audit.events();
    assert.equal(events.length, 1, 'blocked once, not once per retry');
    assert.equal(events[0]!.action, 'ai.egress_blocked');
    assert.deepEqual(events[0]!.counts, { email_address: 1 });
    assert.ok(
      !audit.store.rows.some((r) => r.event.includes('example.org') || r.event.includes('Quartermaine')),
    );
  });

  test('lets the same prompt through once the value is pseudonymised too', async () => {
    const provider = new OpenAiCompatibleProvider({
      baseUrl: server.url,
      model: 'm',
      egress: createEgressGuard(),
    });
    const scope = new PseudonymScope();
    const masked = await pseudonymise(`Zebulon Quartermaine asked about the claim.\nReply to ${EMAIL}.`, {
      analyze,
      scope,
    });
    const answer = await provider.chat({
      messages: [{ role: 'user', content: masked.text }],
      placeholders: scope.placeholders,
    });
    assert.equal(answer.content, 'ok');
    assert.ok(!server.requests.at(-1)!.body.includes(EMAIL));
  });
});
