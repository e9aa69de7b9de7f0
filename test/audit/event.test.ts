import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAuditEvent } from '../../src/audit/event.js';
import type { AuditEventInput } from '../../src/audit/event.js';
import { canonicalJson } from '../../src/audit/canonical.js';

const CANARIES = [
  '078-05-1120',
  'jane.canary@example.org',
  '4111 1111 1111 1111',
  'tok_7Hq2ZyXw9LmN3pRs5TuV8bCd',
];

const base: AuditEventInput = {
  time: '2025-01-31T12:00:00.000Z',
  actor: { id: 'usr_01HZX3', role: 'reviewer' },
  tenant: 'acme',
  action: 'job.reveal',
  objects: [{ kind: 'job', id: 'job_01HZX4' }],
  purpose: 'claims-processing',
  reason: {
    code: 'customer_support',
    ticket: 'SUP-1234',
    note: 'customer asked to confirm the policy holder name',
  },
};

function refusedWithoutEcho(event: unknown, canary?: string): void {
  assert.throws(
    () => parseAuditEvent(event),
    (e: Error & { code?: string }) => {
      assert.equal(e.code, 'VEIL_AUDIT_INVALID_EVENT');
      if (canary !== undefined)
        assert.ok(!e.message.includes(canary), 'the error must not echo the refused value');
      return true;
    },
  );
}

test('a valid event parses, gets v: 1, and its canonical JSON is key-order independent', () => {
  const event = parseAuditEvent(base);
  assert.equal(event.v, 1);
  const reordered = parseAuditEvent(Object.fromEntries(Object.entries(base).reverse()));
  assert.equal(canonicalJson(event), canonicalJson(reordered));
  assert.ok(
    canonicalJson(event).startsWith('{"action":"job.reveal","actor":{"id":"usr_01HZX3","role":"reviewer"}'),
  );
});

test('every known action and admin.* is accepted with its required fields', () => {
  const common = { time: base.time, actor: { id: 'svc-worker', role: 'service' as const }, tenant: 'acme' };
  const job = [{ kind: 'job' as const, id: 'job_1' }];
  const hash = 'a'.repeat(64);
  const events: AuditEventInput[] = [
    {
      ...common,
      action: 'job.created',
      objects: job,
      policy_hash: hash,
      purpose: 'claims',
      counts: { documents: 3 },
    },
    {
      ...common,
      action: 'job.step',
      objects: job,
      step: 'detect',
      outcome: 'succeeded',
      counts: { findings: 12 },
    },
    { ...common, action: 'job.download', objects: job },
    {
      ...common,
      action: 'job.deleted',
      objects: job,
      deleted: [
        { class: 'source', count: 1 },
        { class: 'ocr-text', count: 4 },
      ],
      trigger: 'retention',
    },
    { ...common, action: 'key.rotated', key: { id: 'tenant-acme', version: 3 } },
    {
      ...common,
      action: 'api_key.created',
      objects: [{ kind: 'key', id: 'apikey:0a1b2c3d4e5f60718293a4b5' }],
      roles: ['processor', 'reviewer'],
    },
    {
      ...common,
      action: 'api_key.revoked',
      objects: [{ kind: 'key', id: 'apikey:0a1b2c3d4e5f60718293a4b5' }],
    },
    { ...common, action: 'policy.changed', policy_hash: hash, objects: [{ kind: 'policy', id: 'default' }] },
    {
      ...common,
      actor: { id: 'unknown', role: 'anonymous' },
      action: 'auth.failed',
      method: 'api_key',
      code: 'expired',
    },
    {
      ...common,
      action: 'permission.denied',
      permission: 'audit.read',
      objects: [{ kind: 'principal', id: 'usr_9' }],
    },
    {
      ...common,
      actor: { id: 'usr_admin', role: 'admin' },
      action: 'admin.tenant.created',
      objects: [{ kind: 'tenant', id: 'beta' }],
    },
  ];
  for (const event of events) assert.equal(parseAuditEvent(event).action, event.action);
});

test('actions without their required fields, unknown actions and unknown keys are refused', () => {
  refusedWithoutEcho({ ...base, reason: undefined });
  refusedWithoutEcho({ ...base, action: 'job.deleted' });
  refusedWithoutEcho({
    ...base,
    reason: undefined,
    action: 'api_key.created',
    objects: [{ kind: 'key', id: 'apikey:1' }],
  });
  refusedWithoutEcho({ ...base, reason: undefined, action: 'api_key.revoked' });
  refusedWithoutEcho({ ...base, action: 'job.exploded' });
  refusedWithoutEcho({ ...base, action: 'admin.' });
  refusedWithoutEcho({ ...base, time: '31/01/2025' });
  refusedWithoutEcho({ ...base, counts: { pages: -1 } });
  refusedWithoutEcho({ ...base, counts: { pages: 1.5 } });
});

test('a canary value is refused in every field that could carry one, and never echoed', () => {
  for (const canary of CANARIES) {
    refusedWithoutEcho({ ...base, text: canary }, canary); // content has no field at all
    refusedWithoutEcho({ ...base, reason: { code: 'other', note: `value was ${canary}` } }, canary);
    refusedWithoutEcho({ ...base, reason: { code: 'other', ticket: canary } }, canary);
    refusedWithoutEcho({ ...base, tenant: canary }, canary);
    refusedWithoutEcho({ ...base, actor: { id: canary, role: 'user' } }, canary);
    refusedWithoutEcho({ ...base, objects: [{ kind: 'job', id: canary }] }, canary);
    refusedWithoutEcho({ ...base, purpose: canary }, canary);
    refusedWithoutEcho({ ...base, counts: { [canary]: 1 } }, canary);
    refusedWithoutEcho({ ...base, policy_hash: canary }, canary);
    refusedWithoutEcho({ ...base, objects: [{ kind: 'job', id: 'job_1', value: canary }] }, canary);
  }
  // A reason longer than the bound is refused even when it is innocent words.
  refusedWithoutEcho({ ...base, reason: { code: 'other', note: 'word '.repeat(40) } });
});

test('events above the size bound are refused', () => {
  const objects = Array.from({ length: 32 }, (_, i) => ({
    kind: 'document' as const,
    id: `doc_${i}_${'x'.repeat(120)}`,
  }));
  refusedWithoutEcho({ ...base, objects });
});

test('ai.request and ai.egress_blocked: the provider, a prompt hash and counts, never a value', () => {
  const common = {
    time: base.time,
    actor: { id: 'svc-worker', role: 'service' as const },
    tenant: 'acme',
    objects: [{ kind: 'job' as const, id: 'job_1' }],
  };
  const provider = { host: '127.0.0.1:11434', model: 'llama3.1:8b', region: 'on-prem' };
  const request: AuditEventInput = {
    ...common,
    action: 'ai.request',
    provider,
    prompt_hash: 'b'.repeat(64),
    outcome: 'succeeded',
    counts: { duration_ms: 812, prompt_tokens: 431, completion_tokens: 57 },
  };
  assert.deepEqual(parseAuditEvent(request).provider, provider);
  assert.equal(
    parseAuditEvent({
      ...common,
      action: 'ai.egress_blocked',
      provider: { host: '[::1]:8000', model: 'Qwen/Qwen2.5-7B-Instruct' },
      counts: { email_address: 1 },
    }).action,
    'ai.egress_blocked',
  );
  refusedWithoutEcho({ ...request, provider: undefined });
  refusedWithoutEcho({ ...request, prompt_hash: undefined });
  refusedWithoutEcho({ ...request, outcome: undefined });
  refusedWithoutEcho({ ...common, action: 'ai.egress_blocked', provider });
  refusedWithoutEcho({ ...request, provider: { ...provider, extra: 'x' } });
  for (const canary of CANARIES) {
    refusedWithoutEcho({ ...request, provider: { ...provider, host: canary } }, canary);
    refusedWithoutEcho({ ...request, provider: { ...provider, model: canary } }, canary);
    refusedWithoutEcho({ ...request, provider: { ...provider, region: canary } }, canary);
    refusedWithoutEcho({ ...request, prompt_hash: canary }, canary);
  }
});
