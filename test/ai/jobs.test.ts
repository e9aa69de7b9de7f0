/**
 * Jobs that ask a model (`extractor: model|auto`), end to end through the service `veil serve`
 * runs, against a real chat-completions server on 127.0.0.1: the AI gate at submission (consent,
 * purpose, region), the extract step asking the model, and every byte written checked for the
 * job's values.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { MODEL_EXCHANGE_CLASS } from '../../src/ai/model/exchanges.js';
import type { ModelExchange } from '../../src/ai/model/exchanges.js';
import { createAnalyzer } from '../../src/engine/analyze.js';
import { loadPolicy, policyHash, validatePolicy } from '../../src/policy/index.js';
import type { Policy } from '../../src/policy/index.js';
import { exportAuditLogText } from '../../src/runtime/audit.js';
import { DEFAULT_POLICY_PATH } from '../../src/policy/shipped.js';
import { forTenant } from '../../src/store/index.js';
import { as, DRIVER_NAMES, openTestService, skipReason, waitForJob } from '../api/jobs-harness.js';
import type { TestService } from '../api/jobs-harness.js';
import { dumpTables, filesContaining } from '../pipeline/jobs/fixtures.js';
import { placeholderAnswer, startChatServer } from './chat-server.js';
import type { ChatServer } from './chat-server.js';

const FORM = [
  'CLAIM FORM',
  'Claimant: Philippa Ashcombe',
  'E-mail: canary.k7q31x@example.org',
  'SSN: 536-27-1031',
  'Claim total: EUR 1,250.00',
].join('\n');
const CANARIES = ['Philippa', 'Ashcombe', 'canary.k7q31x', '536-27-1031'];

const FIELDS = [
  { name: 'claimant', type: 'name', hint: 'Claimant' },
  { name: 'email', type: 'email', hint: 'E-mail' },
  { name: 'ssn', type: 'national_id', hint: 'SSN' },
  { name: 'total', type: 'money', hint: 'Claim total' },
];
const PICKS = { claimant: 'PERSON', email: 'EMAIL_ADDRESS', ssn: 'US_SSN', total: '=1250.00 EUR' };

/** The shipped default with a purpose that lets a model see pseudonymised text, exchanges kept a day, data pinned to `eu`. */
async function aiPolicy(): Promise<Policy> {
  const shipped = await loadPolicy(DEFAULT_POLICY_PATH);
  return validatePolicy({
    ...shipped,
    region: 'eu',
    retention: { ...shipped.retention, model_exchanges: '1d' },
    purposes: {
      ...shipped.purposes,
      'claims-ai': {
        outputs: ['findings_summary', 'fields'],
        review: 'never',
        model: 'pseudonymised',
        legal_basis: ['contract'],
      },
    },
  });
}

function modelJob(
  overrides: { purpose?: string; allowModelUse?: boolean; extractor?: string } = {},
): Record<string, unknown> {
  return {
    text: FORM,
    purpose: overrides.purpose ?? 'claims-ai',
    consent: { basis: 'contract', allow_model_use: overrides.allowModelUse ?? true },
    outputs: ['findings_summary', 'fields'],
    fields: FIELDS,
    extractor: overrides.extractor ?? 'model',
    retention_days: 1,
  };
}

for (const driver of DRIVER_NAMES) {
  describe(`jobs that ask a model, through the service on ${driver}`, { skip: skipReason(driver) }, () => {
    let server: ChatServer;
    let veil: TestService;
    let policy: Policy;
    before(async () => {
      server = await startChatServer(({ body }) => ({ message: placeholderAnswer(body, PICKS) }));
      policy = await aiPolicy();
      veil = await openTestService(driver, {
        policyFor: () => policy,
        region: 'eu',
        ai: { url: server.url, model: 'llama3.1:8b', region: 'eu', timeoutMs: 10_000, maxRetries: 0 },
      });
    });
    after(async () => {
      await veil?.dispose();
      await server?.close();
    });

    const submit = (body: Record<string, unknown>) =>
      veil.app.inject({ method: 'POST', url: '/v1/jobs', headers: as('processor'), payload: body });

    /** The `ai.refused` events in the tenant's log, parsed. */
    const refusals = async (): Promise<Record<string, unknown>[]> =>
      (await exportAuditLogText(veil.service.audit, 'acme'))
        .split('\n')
        .filter((line) => line.includes('"ai.refused"'))
        .map((line) => JSON.parse(line) as Record<string, unknown>)
        .map((entry) => (entry.event ?? entry) as Record<string, unknown>);

    test('allowed: the model sees placeholders only, the fields come back re-identified, nothing written holds a value', async () => {
      const before = server.requests.length;
      const res = await submit(modelJob());
      assert.equal(res.statusCode, 202, res.body);
      const jobId = res.json<{ job_id: string }>().job_id;
      const status = await waitForJob(veil.app, jobId);
      assert.equal(status.status, 'succeeded', JSON.stringify(status));
      assert.equal(
        (status.consent as Record<string, unknown>).allow_model_use,
        true,
        'the consent it ran under is recorded',
      );
      assert.equal(server.requests.length, before + 1, 'one request per job');

      // The payload the provider received holds no value the engine detects in the document.
      const sent = server.requests.at(-1)!.body;
      const readable = (JSON.parse(sent) as { messages: { content: string }[] }).messages
        .map((m) => m.content)
        .join('\n');
      const detected = createAnalyzer()(FORM).map((f) => FORM.slice(f.start, f.end));
      assert.equal(detected.length, 5);
      for (const value of [...detected, ...CANARIES])
        assert.ok(
          !sent.includes(value) && !readable.includes(value),
          'a detected value reached the provider',
        );
      assert.match(readable, /<PERSON_1>[^\n]*\nSSN: <US_SSN_1>\nClaim total: <MONEY_1>\n/);

      const fields = await veil.app.inject({
        method: 'GET',
        url: `/v1/jobs/${jobId}/fields`,
        headers: as('processor'),
      });
      assert.equal(fields.statusCode, 200, fields.body);
      const out = fields.json<{ fields: Record<string, { value: unknown; confidence: number }> }>().fields;
      assert.equal(out.claimant!.value, 'Philippa Ashcombe');
      assert.equal(out.email!.value, 'canary.k7q31x@example.org');
      assert.equal(out.ssn!.value, '536-27-1031');
      assert.deepEqual(out.total!.value, { amount: '1250.00', currency: 'EUR' });

      // The exchange is kept (the policy keeps model_exchanges a day), encrypted and pseudonymised.
      const repos = forTenant(
        { db: veil.service.runtime.handle.db, blobs: veil.service.runtime.blobs },
        'acme',
      );
      const kept = (await repos.artifacts.listForJob(jobId)).filter(
        (a) => a.artifactClass === MODEL_EXCHANGE_CLASS,
      );
      assert.equal(kept.length, 1);
      const exchange = JSON.parse(
        (await repos.artifacts.read(kept[0]!.id)).toString('utf8'),
      ) as ModelExchange;
      assert.match(exchange.messages[1]!.content, /SSN: <US_SSN_1>/);
      assert.match(exchange.answer, /<PERSON_1>/);

      const audit = await exportAuditLogText(veil.service.audit, 'acme');
      const request = audit.split('\n').find((line) => line.includes('"ai.request"') && line.includes(jobId));
      assert.ok(request, 'the model call is audited against the job');
      assert.ok(request.includes(exchange.promptHash), 'the audited prompt hash is the kept exchange');

      const everything = [await dumpTables(veil.service.runtime.handle), audit, ...veil.logs].join('\n');
      for (const canary of CANARIES)
        assert.ok(!everything.includes(canary), 'a value is stored, audited or logged in plaintext');
      assert.deepEqual(await filesContaining(veil.dataDir, CANARIES), []);
    });

    test('consent: without allow_model_use the job is refused at submission, audited by rule, and nothing is sent', async () => {
      const before = server.requests.length;
      const res = await submit(modelJob({ allowModelUse: false }));
      assert.equal(res.statusCode, 403, res.body);
      assert.equal(res.json<{ error: { code: string } }>().error.code, 'VEIL_AI_NOT_ALLOWED');
      assert.ok(!res.body.includes('Ashcombe'));
      assert.equal(server.requests.length, before);
      const last = (await refusals()).at(-1)!;
      assert.equal(last.code, 'consent');
      assert.equal(last.purpose, 'claims-ai');
      assert.equal(last.policy_hash, policyHash(policy));
    });

    test('purpose: a purpose whose policy sets model: off is refused, whatever the consent says', async () => {
      const before = server.requests.length;
      const res = await submit({
        ...modelJob({ purpose: 'claims-intake', extractor: 'auto' }),
        outputs: ['fields'],
      });
      assert.equal(res.statusCode, 403, res.body);
      assert.equal(res.json<{ error: { code: string } }>().error.code, 'VEIL_AI_NOT_ALLOWED');
      assert.equal(server.requests.length, before);
      assert.equal((await refusals()).at(-1)!.code, 'purpose');
    });

    test('a rules job of the same purpose runs without consent to model use and sends nothing', async () => {
      const before = server.requests.length;
      const res = await submit(modelJob({ allowModelUse: false, extractor: 'rules' }));
      assert.equal(res.statusCode, 202, res.body);
      assert.equal((await waitForJob(veil.app, res.json<{ job_id: string }>().job_id)).status, 'succeeded');
      assert.equal(server.requests.length, before);
    });
  });
}

describe('region: a provider outside the region the data is pinned to is refused', () => {
  let server: ChatServer;
  let veil: TestService;
  before(async () => {
    server = await startChatServer(({ body }) => ({ message: placeholderAnswer(body, PICKS) }));
    const policy = await aiPolicy();
    veil = await openTestService('pglite', {
      policyFor: () => policy,
      region: 'eu',
      workers: 0,
      ai: { url: server.url, model: 'llama3.1:8b', region: 'us-east', timeoutMs: 10_000, maxRetries: 0 },
    });
  });
  after(async () => {
    await veil?.dispose();
    await server?.close();
  });

  test('VEIL_AI_NOT_ALLOWED at submission, ai.refused with code region, nothing sent or stored', async () => {
    const res = await veil.app.inject({
      method: 'POST',
      url: '/v1/jobs',
      headers: as('processor'),
      payload: modelJob(),
    });
    assert.equal(res.statusCode, 403, res.body);
    assert.equal(res.json<{ error: { code: string } }>().error.code, 'VEIL_AI_NOT_ALLOWED');
    assert.match(res.json<{ error: { message: string } }>().error.message, /VEIL_AI_REGION/);
    assert.equal(server.requests.length, 0);
    const audit = await exportAuditLogText(veil.service.audit, 'acme');
    assert.match(
      audit,
      /"action":"ai\.refused"[^\n]*"code":"region"|"code":"region"[^\n]*"action":"ai\.refused"/,
    );
    const jobs = await veil.app.inject({ method: 'GET', url: '/v1/jobs', headers: as('processor') });
    assert.equal(jobs.json<{ jobs: unknown[] }>().jobs.length, 0, 'a refused job leaves no job behind');
  });
});
