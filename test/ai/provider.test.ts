import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { createEgressGuard } from '../../src/ai/egress.js';
import { modelConfigFromEnv, providerFromConfig } from '../../src/ai/model/config.js';
import { OpenAiCompatibleProvider } from '../../src/ai/model/openai-compatible.js';
import { promptHash } from '../../src/ai/model/provider.js';
import { isVeilError } from '../../src/errors/veil-error.js';
import { startChatServer } from './chat-server.js';
import type { ChatServer } from './chat-server.js';
import { testAudit } from './audit-log.js';

const guard = createEgressGuard();
const SECRET_PROMPT = 'Summarise <PERSON_1> in one word.';
const placeholders = new Set(['<PERSON_1>']);
const messages = [{ role: 'user' as const, content: SECRET_PROMPT }];

/** A loopback port nobody listens on. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

async function rejection(promise: Promise<unknown>): Promise<Error & { code: string }> {
  try {
    await promise;
  } catch (error) {
    assert.ok(isVeilError(error), `expected a VeilError, got ${String(error)}`);
    return error as Error & { code: string };
  }
  assert.fail('expected the call to fail');
}

describe('OpenAI-compatible provider against a chat-completions server on 127.0.0.1', () => {
  let server: ChatServer;
  before(async () => {
    server = await startChatServer(() => ({
      message: 'fine',
      usage: { prompt_tokens: 21, completion_tokens: 3 },
    }));
  });
  after(() => server.close());

  test('sends the chat request, asks not to store it, sends no key when none is set, and audits the call', async () => {
    const audit = testAudit();
    const provider = new OpenAiCompatibleProvider({
      baseUrl: server.url,
      model: 'llama3.1:8b',
      region: 'on-prem',
      egress: guard,
      audit: audit.audit,
    });
    const before = server.requests.length;
    const answer = await provider.chat({ messages, placeholders, json: true, maxTokens: 64 });

    assert.equal(answer.content, 'fine');
    assert.deepEqual(answer.usage, { promptTokens: 21, completionTokens: 3 });
    assert.deepEqual(answer.provider, {
      host: new URL(server.url).host,
      model: 'llama3.1:8b',
      region: 'on-prem',
    });
    assert.equal(answer.promptHash, promptHash(messages));
    assert.equal(server.requests.length, before + 1);
    const sent = server.requests.at(-1)!;
    assert.equal(sent.path, '/v1/chat/completions');
    assert.equal(sent.headers.authorization, undefined);
    const body = JSON.parse(sent.body) as Record<string, unknown>;
    assert.deepEqual(body.messages, [{ role: 'user', content: SECRET_PROMPT }]);
    assert.equal(body.model, 'llama3.1:8b');
    assert.equal(body.store, false);
    assert.equal(body.temperature, 0);
    assert.equal(body.max_tokens, 64);
    assert.deepEqual(body.response_format, { type: 'json_object' });

    const events = audit.events();
    assert.equal(events.length, 1);
    const event = events[0]!;
    assert.equal(event.action, 'ai.request');
    assert.equal(event.outcome, 'succeeded');
    assert.equal(event.prompt_hash, promptHash(messages));
    assert.deepEqual(event.provider, {
      host: new URL(server.url).host,
      model: 'llama3.1:8b',
      region: 'on-prem',
    });
    const counts = event.counts as Record<string, number>;
    assert.equal(counts.prompt_tokens, 21);
    assert.equal(counts.completion_tokens, 3);
    assert.ok(Number.isInteger(counts.duration_ms) && counts.duration_ms! >= 0);
    assert.ok(
      !audit.store.rows.some((r) => r.event.includes('Summarise')),
      'the audit log holds prompt text',
    );
  });

  test('sends the key as a bearer token when one is set, and leaves out `store` when training is allowed', async () => {
    const provider = new OpenAiCompatibleProvider({
      baseUrl: server.url,
      model: 'm',
      apiKey: 'sk-test-123',
      allowModelTraining: true,
      egress: guard,
    });
    await provider.chat({ messages, placeholders });
    const sent = server.requests.at(-1)!;
    assert.equal(sent.headers.authorization, 'Bearer sk-test-123');
    assert.equal('store' in (JSON.parse(sent.body) as object), false);
  });

  test('a refusal (HTTP 500, retried a bounded number of times) is VEIL_AI_PROVIDER without the prompt or the reply', async () => {
    const audit = testAudit();
    server.respond = () => ({
      status: 500,
      raw: JSON.stringify({ error: { message: `cannot do ${SECRET_PROMPT}` } }),
    });
    const provider = new OpenAiCompatibleProvider({
      baseUrl: server.url,
      model: 'm',
      maxRetries: 1,
      egress: guard,
      audit: audit.audit,
    });
    const before = server.requests.length;
    const error = await rejection(provider.chat({ messages, placeholders }));
    assert.equal(error.code, 'VEIL_AI_PROVIDER');
    assert.match(error.message, /HTTP 500/);
    assert.ok(!error.message.includes('PERSON') && !error.message.includes('Summarise'));
    assert.equal(error.cause, undefined);
    assert.equal(server.requests.length - before, 2, 'one attempt and one retry');
    const [event] = audit.events();
    assert.equal(event!.outcome, 'failed');
    assert.equal(event!.code, 'veil_ai_provider');
  });

  test('garbage answers are VEIL_AI_PROVIDER: not JSON, not a completion, no message', async () => {
    const provider = new OpenAiCompatibleProvider({
      baseUrl: server.url,
      model: 'm',
      maxRetries: 0,
      egress: guard,
    });
    for (const reply of [
      { status: 200, raw: '<html>not json at all</html>' },
      { status: 200, raw: '{"choices": "nope"}' },
      { status: 200, raw: '{"choices": [{"message": {"content": null}}]}' },
      { status: 200, raw: '{"result": "fine"}' },
      { status: 200, raw: '<html>oops</html>', contentType: 'text/html' },
    ]) {
      server.respond = () => reply;
      const error = await rejection(provider.chat({ messages, placeholders }));
      assert.equal(error.code, 'VEIL_AI_PROVIDER', reply.raw);
      assert.ok(
        !error.message.includes('oops') &&
          !error.message.includes('nope') &&
          !error.message.includes('PERSON'),
      );
    }
  });

  test('a server that never answers is VEIL_AI_PROVIDER after the timeout', async () => {
    server.respond = () => ({ hang: true });
    const provider = new OpenAiCompatibleProvider({
      baseUrl: server.url,
      model: 'm',
      timeoutMs: 300,
      maxRetries: 0,
      egress: guard,
    });
    const error = await rejection(provider.chat({ messages, placeholders }));
    assert.equal(error.code, 'VEIL_AI_PROVIDER');
    assert.match(error.message, /no answer within 300 ms/);
  });

  test('providerFromConfig builds the configured provider, region and key included', async () => {
    const config = modelConfigFromEnv({
      VEIL_AI_URL: server.url,
      VEIL_AI_MODEL: 'llama3.1:8b',
      VEIL_AI_API_KEY: 'sk-env',
      VEIL_AI_REGION: 'eu-west',
    })!;
    server.respond = () => ({ message: 'from env' });
    const provider = providerFromConfig(config, { egress: guard });
    assert.deepEqual(provider.identity, {
      host: new URL(server.url).host,
      model: 'llama3.1:8b',
      region: 'eu-west',
    });
    assert.equal((await provider.chat({ messages, placeholders })).content, 'from env');
    assert.equal(server.requests.at(-1)!.headers.authorization, 'Bearer sk-env');
  });

  test('a provider that is down is VEIL_AI_PROVIDER naming the connection failure', async () => {
    const port = await closedPort();
    const audit = testAudit();
    const provider = new OpenAiCompatibleProvider({
      baseUrl: `http://127.0.0.1:${port}/v1`,
      model: 'm',
      maxRetries: 1,
      egress: guard,
      audit: audit.audit,
    });
    const error = await rejection(provider.chat({ messages, placeholders }));
    assert.equal(error.code, 'VEIL_AI_PROVIDER');
    assert.match(error.message, /cannot connect \(ECONNREFUSED\)/);
    assert.equal(audit.events()[0]!.outcome, 'failed');
  });
});

describe('provider configuration', () => {
  test('is off without VEIL_AI_URL', () => {
    assert.equal(modelConfigFromEnv({}), undefined);
  });

  test('reads every setting, with defaults', () => {
    assert.deepEqual(
      modelConfigFromEnv({ VEIL_AI_URL: 'http://127.0.0.1:11434/v1', VEIL_AI_MODEL: 'llama3.1:8b' }),
      {
        url: 'http://127.0.0.1:11434/v1',
        model: 'llama3.1:8b',
        timeoutMs: 60_000,
        maxRetries: 2,
      },
    );
    assert.deepEqual(
      modelConfigFromEnv({
        VEIL_AI_URL: 'https://llm.internal/v1',
        VEIL_AI_MODEL: 'Qwen/Qwen2.5-7B-Instruct',
        VEIL_AI_API_KEY: 'k',
        VEIL_AI_REGION: 'eu-west',
        VEIL_AI_TIMEOUT_MS: '5000',
        VEIL_AI_MAX_RETRIES: '0',
      }),
      {
        url: 'https://llm.internal/v1',
        model: 'Qwen/Qwen2.5-7B-Instruct',
        apiKey: 'k',
        region: 'eu-west',
        timeoutMs: 5000,
        maxRetries: 0,
      },
    );
  });

  test('refuses unusable settings by name, never echoing a value', () => {
    const cases: [Record<string, string>, RegExp][] = [
      [{ VEIL_AI_URL: 'not a url secret-xyz', VEIL_AI_MODEL: 'm' }, /^VEIL_AI_URL: /],
      [{ VEIL_AI_URL: 'ftp://host/v1', VEIL_AI_MODEL: 'm' }, /^VEIL_AI_URL: /],
      [
        { VEIL_AI_URL: 'https://user:secret-xyz@host/v1', VEIL_AI_MODEL: 'm' },
        /^VEIL_AI_URL: .*without credentials/,
      ],
      [{ VEIL_AI_URL: 'http://h/v1' }, /^VEIL_AI_MODEL: /],
      [
        { VEIL_AI_URL: 'http://h/v1', VEIL_AI_MODEL: 'm', VEIL_AI_REGION: 'eu west secret-xyz' },
        /^VEIL_AI_REGION: /,
      ],
      [
        { VEIL_AI_URL: 'http://h/v1', VEIL_AI_MODEL: 'm', VEIL_AI_MAX_RETRIES: '9' },
        /^VEIL_AI_MAX_RETRIES: /,
      ],
      [{ VEIL_AI_URL: 'http://h/v1', VEIL_AI_MODEL: 'm', VEIL_AI_TIMEOUT_MS: '-1' }, /^VEIL_AI_TIMEOUT_MS: /],
    ];
    for (const [env, message] of cases)
      assert.throws(
        () => modelConfigFromEnv(env),
        (e: Error & { code?: string }) =>
          e.code === 'VEIL_INVALID_OPTION' && message.test(e.message) && !e.message.includes('secret-xyz'),
      );
  });
});
