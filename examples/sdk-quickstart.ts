/**
 * The SDK in a few lines: submit a document with the safe defaults, wait for it, download the
 * redacted text, delete the job and verify the deletion receipt offline.
 *
 *   veil serve &                                   # http://127.0.0.1:8080
 *   export VEIL_TOKEN=$(veil token --role processor,auditor --tenant acme)
 *   npx tsx examples/sdk-quickstart.ts
 */
import { VeilClient, isVeilApiError } from 'veil/client';

const veil = new VeilClient({
  baseUrl: process.env.VEIL_URL ?? 'http://127.0.0.1:8080',
  token: process.env.VEIL_TOKEN ?? '',
});

try {
  // Defaults: redacted output only, kept 7 days, no model training, no manual review.
  const { jobId } = await veil.submitJob({
    text: 'Claim 7: please call Jane Example on +1 415 555 0100 or write to jane@example.org.',
    purpose: 'claims-intake',
    consent: { basis: 'contract' },
  });
  const done = await veil.waitForJob(jobId, { signal: AbortSignal.timeout(120_000) });
  console.log(`job ${jobId}: ${done.status}, found ${JSON.stringify(done.counts_by_type)}`);
  if (done.status === 'succeeded') {
    const { bytes } = await veil.getRedacted(jobId);
    console.log(`redacted: ${new TextDecoder().decode(bytes).trim()}`);
  }
  // Pin the key out of band in real use; here the server's own key is fetched once.
  const { receipt } = await veil.deleteJob(jobId);
  const verified = await veil.verifyReceipt(receipt);
  console.log(
    verified.ok
      ? `deleted; receipt verified at entry ${verified.index} of ${verified.treeSize}`
      : `receipt does NOT verify: ${verified.reason}`,
  );
} catch (error) {
  if (!isVeilApiError(error)) throw error;
  console.error(`${error.code}: ${error.message}`);
  process.exitCode = 1;
}
