import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertModelUse, decideModelUse } from '../../src/ai/gate.js';
import type { ModelUseContext } from '../../src/ai/gate.js';
import { isVeilError } from '../../src/errors/veil-error.js';

const open: ModelUseContext = { consent: { allowModelUse: true }, tenant: { allowModelUse: true }, provider: {} };

test('allowed when the consent or the purpose permits it and the tenant policy does', () => {
  assert.deepEqual(decideModelUse(open), { allowed: true });
  assert.deepEqual(decideModelUse({ ...open, consent: {}, purpose: { model: true } }), { allowed: true });
});

test('refused without consent or a purpose that permits it', () => {
  assert.deepEqual(decideModelUse({ ...open, consent: {} }), { allowed: false, reason: 'consent' });
  assert.deepEqual(decideModelUse({ ...open, consent: { allowModelUse: false }, purpose: { model: false } }), { allowed: false, reason: 'consent' });
});

test('refused when the tenant policy forbids it, whatever the consent', () => {
  assert.deepEqual(decideModelUse({ ...open, tenant: { allowModelUse: false } }), { allowed: false, reason: 'tenant_policy' });
  assert.deepEqual(decideModelUse({ ...open, purpose: { model: true }, tenant: { allowModelUse: false } }), { allowed: false, reason: 'tenant_policy' });
});

test('a pinned region must be the provider region; a provider without a label never matches', () => {
  const pinned = { allowModelUse: true, region: 'eu-west' };
  assert.deepEqual(decideModelUse({ ...open, tenant: pinned, provider: { region: 'EU-West' } }), { allowed: true });
  assert.deepEqual(decideModelUse({ ...open, tenant: pinned, provider: { region: 'us-east' } }), { allowed: false, reason: 'region' });
  assert.deepEqual(decideModelUse({ ...open, tenant: pinned, provider: {} }), { allowed: false, reason: 'region' });
  assert.deepEqual(decideModelUse({ ...open, provider: { region: 'us-east' } }), { allowed: true });
});

test('assertModelUse throws VEIL_AI_NOT_ALLOWED naming the rule', () => {
  assertModelUse(open);
  const cases: [ModelUseContext, RegExp][] = [
    [{ ...open, consent: {} }, /allow_model_use/],
    [{ ...open, tenant: { allowModelUse: false } }, /tenant's policy/],
    [{ ...open, tenant: { allowModelUse: true, region: 'eu' }, provider: { region: 'us' } }, /VEIL_AI_REGION/],
  ];
  for (const [context, message] of cases)
    assert.throws(() => assertModelUse(context), (e: unknown) => isVeilError(e) && e.code === 'VEIL_AI_NOT_ALLOWED' && e.status === 403 && message.test(e.message));
});
