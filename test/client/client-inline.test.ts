/**
 * `VeilClient` against a real `veil serve` that runs small text jobs inline
 * (`VEIL_INLINE_MAX_BYTES`): the submission answers `succeeded`, and the waiting helper and the
 * output reads work as for a queued job.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { VeilClient } from '../../src/client/index.js';
import { serveVeil } from './serve-harness.js';
import type { ServedVeil } from './serve-harness.js';

const EMAIL = 'canary-sdk-inline@example.org';
const TEXT = `Claim note. Write to ${EMAIL} about the policy.`;

let veil: ServedVeil;
let client: VeilClient;
before(async () => {
  veil = await serveVeil({ workers: 0, inlineMaxBytes: 4096 });
  client = new VeilClient({ baseUrl: veil.url, token: await veil.token(['processor', 'auditor']) });
});
after(async () => {
  await veil?.close();
});

test('an inline job: submitted succeeded, waited for in one read, its redacted output read at once', async () => {
  const { jobId, status } = await client.submitJob({
    text: TEXT,
    purpose: 'claims-intake',
    consent: { basis: 'contract' },
  });
  assert.equal(status, 'succeeded');
  const seen: string[] = [];
  const done = await client.waitForJob(jobId, { timeoutMs: 10_000, onStatus: (s) => seen.push(s.status) });
  assert.equal(done.status, 'succeeded');
  assert.deepEqual(seen, ['succeeded']);
  assert.deepEqual(done.counts_by_type, { EMAIL_ADDRESS: 1 });
  const redacted = await client.getRedacted(jobId);
  assert.ok(!Buffer.from(redacted.bytes).toString('utf8').includes(EMAIL));
});
