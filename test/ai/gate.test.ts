import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertModelUse, decideModelUse, ModelUseRefusedError } from '../../src/ai/gate.js';
import type { ModelUseContext } from '../../src/ai/gate.js';

const open: ModelUseContext = {
  consent: { allowModelUse: true },
  purpose: { model: 'pseudonymised' },
  provider: {},
};

test('allowed only when consent and purpose both permit it', () => {
  assert.deepEqual(decideModelUse(open), { allowed: true });
  // A policy that limits no purposes (library use, the CLI) leaves consent and region.
  assert.deepEqual(decideModelUse({ consent: { allowModelUse: true }, provider: {} }), { allowed: true });
});

test('refused without consent, whatever the purpose permits', () => {
  assert.deepEqual(decideModelUse({ ...open, consent: {} }), { allowed: false, reason: 'consent' });
  assert.deepEqual(decideModelUse({ ...open, consent: { allowModelUse: false } }), {
    allowed: false,
    reason: 'consent',
  });
});

test("refused when the purpose's model permission is off or unset, whatever the consent", () => {
  assert.deepEqual(decideModelUse({ ...open, purpose: { model: 'off' } }), {
    allowed: false,
    reason: 'purpose',
  });
  assert.deepEqual(decideModelUse({ ...open, purpose: {} }), { allowed: false, reason: 'purpose' });
});

test('a pinned region must be the provider region; a provider without a label never matches', () => {
  assert.deepEqual(decideModelUse({ ...open, region: 'eu-west', provider: { region: 'EU-West' } }), {
    allowed: true,
  });
  assert.deepEqual(decideModelUse({ ...open, region: 'eu-west', provider: { region: 'us-east' } }), {
    allowed: false,
    reason: 'region',
  });
  assert.deepEqual(decideModelUse({ ...open, region: 'eu-west', provider: {} }), {
    allowed: false,
    reason: 'region',
  });
  assert.deepEqual(decideModelUse({ ...open, provider: { region: 'us-east' } }), { allowed: true });
});

test('assertModelUse throws VEIL_AI_NOT_ALLOWED (403) carrying the rule', () => {
  assertModelUse(open);
  const cases: [ModelUseContext, string, RegExp][] = [
    [{ ...open, consent: {} }, 'consent', /allow_model_use/],
    [{ ...open, purpose: { model: 'off' } }, 'purpose', /model: pseudonymised/],
    [{ ...open, region: 'eu', provider: { region: 'us' } }, 'region', /VEIL_AI_REGION/],
  ];
  for (const [context, reason, message] of cases)
    assert.throws(
      () => assertModelUse(context),
      (e: unknown) =>
        e instanceof ModelUseRefusedError &&
        e.code === 'VEIL_AI_NOT_ALLOWED' &&
        e.status === 403 &&
        e.reason === reason &&
        message.test(e.message),
    );
});
