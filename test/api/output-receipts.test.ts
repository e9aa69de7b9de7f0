import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { auditVerifyCommand, verifyReceipt } from '../../src/audit/index.js';
import { decodeOutputReceipt, OUTPUT_RECEIPT_HEADER, verifyOutputReceipt } from '../../src/client/index.js';
import { as, openTestService, policyWithFullText, textJob, waitForJob } from './jobs-harness.js';
import type { TestService } from './jobs-harness.js';

const SSN = '536-22-7391';
const TEXT = `Invoice for Zebulon Quartermaine, SSN ${SSN}.\nAmount due: EUR 1.234,50\nDue date: 31 March 2025\n`;

interface Receipt {
  event: {
    action: string;
    objects: { kind: string; id: string }[];
    policy_hash?: string;
    output: { kind: string; sha256: string; bytes: number };
  };
}

describe('output receipts: every release is recorded by hash and provable offline', () => {
  let t: TestService;
  let dir: string;
  before(async () => {
    const policy = await policyWithFullText('expenses');
    t = await openTestService('pglite', { policyFor: () => policy });
    dir = await mkdtemp(join(tmpdir(), 'veil-output-receipts-'));
  });
  after(async () => {
    await t?.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  test('redacted, fields, text and reveal each carry an output.released receipt of the exact body', async () => {
    const { app } = t;
    const created = await app.inject({
      method: 'POST',
      url: '/v1/jobs',
      headers: as('processor'),
      payload: textJob(TEXT, {
        purpose: 'expenses',
        consent: { basis: 'contract', allow_full_text: true },
        outputs: ['redacted', 'fields', 'text'],
        fields: [{ name: 'total', type: 'money', hint: 'Amount due' }],
      }),
    });
    assert.equal(created.statusCode, 202, created.body);
    const jobId = created.json<{ job_id: string }>().job_id;
    const done = await waitForJob(app, jobId);
    assert.equal(done.status, 'succeeded', JSON.stringify(done));
    const { jwk } = (await app.inject({ method: 'GET', url: '/v1/audit/public-key' })).json<{
      jwk: { kty: string; crv: string; x: string };
    }>();
    const keyFile = join(dir, 'key.json');
    await writeFile(keyFile, JSON.stringify(jwk));

    const releases = [
      {
        kind: 'redacted',
        request: { method: 'GET', url: `/v1/jobs/${jobId}/redacted`, headers: as('processor') },
      },
      {
        kind: 'fields',
        request: { method: 'GET', url: `/v1/jobs/${jobId}/fields`, headers: as('processor') },
      },
      { kind: 'text', request: { method: 'GET', url: `/v1/jobs/${jobId}/text`, headers: as('processor') } },
      {
        kind: 'reveal',
        request: {
          method: 'POST',
          url: `/v1/jobs/${jobId}/reveal`,
          headers: as('dpo'),
          payload: { reason: { code: 'other', ticket: 'T-7' } },
        },
      },
    ] as const;
    const leaves: number[] = [];
    for (const { kind, request } of releases) {
      const res = await app.inject(request);
      assert.equal(res.statusCode, 200, `${kind}: ${res.body}`);
      const body = res.rawPayload;
      const header = res.headers[OUTPUT_RECEIPT_HEADER];
      assert.equal(typeof header, 'string', `${kind}: no receipt header`);
      const receipt = decodeOutputReceipt(String(header)) as Receipt & { leaf_index: number };
      leaves.push(receipt.leaf_index);
      // The event names the job, the kind, the policy, and the hash and size of the body: never content.
      assert.equal(receipt.event.action, 'output.released');
      assert.deepEqual(receipt.event.objects, [{ kind: 'job', id: jobId }]);
      assert.equal(receipt.event.policy_hash, done.policy_hash);
      assert.deepEqual(receipt.event.output, {
        kind,
        sha256: createHash('sha256').update(body).digest('hex'),
        bytes: body.length,
      });
      assert.ok(!JSON.stringify(receipt).includes(SSN) && !JSON.stringify(receipt).includes('Quartermaine'));
      // JSON answers are sent as canonical JSON, so what a caller parses is what was hashed.
      if (kind !== 'redacted') assert.match(String(res.headers['content-type']), /^application\/json/);

      // The portable (SDK) verifier: the body verifies; one changed byte does not.
      assert.equal(verifyReceipt(receipt, jwk).ok, true);
      assert.equal((await verifyOutputReceipt(receipt, jwk, new Uint8Array(body))).ok, true);
      const altered = Buffer.from(body);
      altered[altered.length - 2]! ^= 1;
      const wrong = await verifyOutputReceipt(receipt, jwk, new Uint8Array(altered));
      assert.deepEqual([wrong.ok, !wrong.ok && wrong.problem], [false, 'output']);

      // The CLI: the header value saved as it came, and the body saved as it came.
      const receiptFile = join(dir, `${kind}.receipt`);
      const outputFile = join(dir, `${kind}.out`);
      await writeFile(receiptFile, String(header));
      await writeFile(outputFile, body);
      const good = await auditVerifyCommand(receiptFile, { publicKeyPath: keyFile, outputPath: outputFile });
      assert.equal(good.exitCode, 0, good.output);
      assert.match(
        good.output,
        new RegExp(`output verified: .* is the ${kind} output Veil released for job ${jobId}`),
      );
      await writeFile(outputFile, altered);
      const bad = await auditVerifyCommand(receiptFile, { publicKeyPath: keyFile, outputPath: outputFile });
      assert.equal(bad.exitCode, 1, bad.output);
      assert.match(bad.output, /output does NOT match/);
    }
    assert.equal(new Set(leaves).size, 4, 'one event per release');

    // A receipt of another event (the deletion) is no output receipt.
    const deleted = await app.inject({
      method: 'DELETE',
      url: `/v1/jobs/${jobId}`,
      headers: as('processor'),
    });
    const deletion = deleted.json<{ receipt: unknown }>().receipt;
    assert.equal((await verifyOutputReceipt(deletion, jwk, new Uint8Array(0))).ok, false);
    await writeFile(join(dir, 'deleted.json'), deleted.body);
    const notOutput = await auditVerifyCommand(join(dir, 'deleted.json'), {
      publicKeyPath: keyFile,
      outputPath: join(dir, 'redacted.out'),
    });
    assert.equal(notOutput.exitCode, 1);
    assert.match(notOutput.output, /not of an `output.released` event/);
  });
});
