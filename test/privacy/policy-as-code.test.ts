import assert from 'node:assert/strict';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import {
  checkPurpose,
  diffPolicies,
  loadPolicyDirectory,
  openPolicyDirectory,
  policyHash,
  retentionWindows,
  validatePolicy,
} from '../../src/policy/index.js';
import { openService } from '../../src/runtime/service.js';
import { runVeil } from '../cli/veil.js';
import { policyDir, shippedDefault } from './governance-fixtures.js';

describe('policy as code', () => {
  test('a policy extending the shipped default by changing only retention, region and purposes loads', async () => {
    const base = await shippedDefault();
    const policy = validatePolicy({
      ...base,
      retention: { original: '5s', redacted: '7d', audit: '10y' },
      region: 'eu',
      purposes: {
        kyc: { outputs: ['redacted'], review: 'never', model: 'off', legal_basis: ['legal_obligation'] },
      },
    });
    assert.equal(policy.region, 'eu');
    const windows = retentionWindows(policy);
    assert.equal(windows.original, 5000);
    assert.equal(windows.redacted, 7 * 86_400_000);
    assert.equal(windows.extracted_text, 0, 'a class the policy leaves out keeps its default');
    assert.notEqual(policyHash(policy), policyHash(validatePolicy(base)));
  });

  test('the shipped default allows the common purposes with fields and redacted outputs, review with consent, no model', async () => {
    const policy = validatePolicy(await shippedDefault());
    const bases = {
      claims_processing: 'contract',
      invoice_processing: 'contract',
      kyc: 'legal_obligation',
      patient_intake: 'consent',
      claims: 'contract',
      'claims-intake': 'contract',
    };
    for (const [purpose, basis] of Object.entries(bases)) {
      checkPurpose(policy, { purpose, basis, outputs: ['fields', 'redacted'], manualReview: true });
      assert.throws(
        () => checkPurpose(policy, { purpose, basis, outputs: ['redacted'], modelUse: true }),
        (e: { code?: string }) => e.code === 'VEIL_PURPOSE_NOT_ALLOWED',
      );
    }
    assert.throws(
      () => checkPurpose(policy, { purpose: 'marketing', basis: 'consent', outputs: ['redacted'] }),
      (e: { code?: string }) => e.code === 'VEIL_PURPOSE_NOT_ALLOWED',
    );
  });

  test('invalid policies are refused with the file and field named; durations past a cap too', async () => {
    const dir = await policyDir({ default: {}, acme: { retention: { original: '45d' } } });
    try {
      await assert.rejects(loadPolicyDirectory(dir), (e: { code?: string; message?: string }) => {
        assert.equal(e.code, 'VEIL_POLICY_INVALID');
        assert.equal(
          e.message,
          'acme.yaml: policy.retention.original: expected at most 30d (the cap for this class)',
        );
        return true;
      });
      await writeFile(
        join(dir, 'acme.yaml'),
        'version: 1\noperators: { default: { operator: replace } }\nretention: { original: soon }\n',
      );
      await assert.rejects(
        loadPolicyDirectory(dir),
        /acme\.yaml: policy\.retention\.original: expected a duration/,
      );
      await writeFile(
        join(dir, 'acme.yaml'),
        'version: 1\noperators: { default: { operator: replace } }\npurposes: { kyc: { outputs: [redacted] } }\n',
      );
      await assert.rejects(
        loadPolicyDirectory(dir),
        /acme\.yaml: policy\.purposes\.kyc\.legal_basis: is required/,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('the service refuses to start on an invalid policy, naming the field, before it opens anything', async () => {
    const dir = await policyDir({ default: { region: 'Europe West' } });
    try {
      await assert.rejects(
        openService({
          dataDir: join(dir, 'never-created'),
          policyDir: dir,
          authenticate: async () => {
            throw new Error('unused');
          },
        }),
        (e: { code?: string; message?: string }) =>
          e.code === 'VEIL_POLICY_INVALID' &&
          e.message === 'default.yaml: policy.region: expected a region code such as eu or us-east',
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('a reload reports each changed policy by its old and new hash, and keeps the old set when a file turns invalid', async () => {
    const dir = await policyDir({ default: {} });
    try {
      const policies = await openPolicyDirectory(dir);
      const before = policies.policyFor('acme');
      assert.equal(before.id, 'default');
      await writeFile(
        join(dir, 'acme.yaml'),
        'version: 1\noperators: { default: { operator: redact } }\nregion: eu\n',
      );
      const { changes } = await policies.reload();
      assert.deepEqual(changes, [
        { id: 'acme', oldHash: undefined, newHash: policies.policyFor('acme').hash },
      ]);
      assert.equal(policies.policyFor('acme').policy.region, 'eu');
      await writeFile(join(dir, 'acme.yaml'), 'version: 1\noperators: { default: { operator: nope } }\n');
      const refused = await policies.reload();
      assert.deepEqual(refused.changes, []);
      assert.equal(refused.error?.code, 'VEIL_POLICY_INVALID');
      assert.equal(policies.policyFor('acme').policy.region, 'eu', 'the policies in force stay');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('veil policy check prints each id and hash; veil policy diff prints what changed', async () => {
    const dir = await policyDir({ default: {}, acme: { retention: { original: '2s' }, region: 'eu' } });
    try {
      const check = await runVeil(['policy', 'check', dir]);
      assert.equal(check.code, 0, check.stderr);
      const lines = check.stdout.trim().split('\n');
      const all = await loadPolicyDirectory(dir);
      assert.deepEqual(lines, [`acme\t${all.get('acme')!.hash}`, `default\t${all.get('default')!.hash}`]);
      const diff = await runVeil(['policy', 'diff', join(dir, 'default.yaml'), join(dir, 'acme.yaml')]);
      assert.equal(diff.code, 0, diff.stderr);
      assert.deepEqual(diff.stdout.trim().split('\n'), [
        'region: (absent) -> "eu"',
        'retention.audit: "7y" -> (absent)',
        'retention.error_dumps: "7d" -> (absent)',
        'retention.extracted_text: "0s" -> (absent)',
        'retention.fields: "30d" -> (absent)',
        'retention.model_exchanges: "0s" -> (absent)',
        'retention.original: "10m" -> "2s"',
        'retention.redacted: "30d" -> (absent)',
        'retention.review_crops: "1d" -> (absent)',
      ]);
      assert.deepEqual(diffPolicies(all.get('default')!.policy, all.get('default')!.policy), []);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
