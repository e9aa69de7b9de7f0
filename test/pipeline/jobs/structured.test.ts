/**
 * One redaction path: a CSV or JSON job honours the policy's `fields:` rules exactly as
 * `veil redact` does, since both go through `redactInput`.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { after, before, test } from 'node:test';
import { readRedacted } from '../../../src/pipeline/jobs/commands.js';
import { submitJob } from '../../../src/pipeline/jobs/submit.js';
import { redactInput } from '../../../src/pipeline/redact-input.js';
import type { InputFormat } from '../../../src/pipeline/input-formats.js';
import { startWorkers } from '../../../src/pipeline/worker.js';
import { openRuntime } from '../../../src/runtime/runtime.js';
import type { Workers } from '../../../src/pipeline/worker.js';
import type { Runtime } from '../../../src/runtime/runtime.js';
import { planFromPolicy, validatePolicy } from '../../../src/policy/index.js';
import type { Policy } from '../../../src/policy/index.js';
import { DEFAULT_POLICY, waitForJob } from './fixtures.js';
import { servicePGlite } from '../../store/pglite-template.js';

const POLICY: Policy = validatePolicy({
  ...DEFAULT_POLICY,
  entities: ['EMAIL_ADDRESS', 'US_SSN'],
  fields: {
    // A column the detector would mask, kept; a column it would miss, replaced whole.
    contact: 'keep',
    member: { type: 'US_SSN' },
    '$.desk': 'keep',
    '$.patient.member': { type: 'US_SSN' },
  },
  other_fields: 'detect',
});

const CSV = [
  'member,contact,notes',
  'M-1001,desk@example.org,write to ann.lee@example.org',
  'M-1002,desk@example.org,no change',
  'M-1003,desk@example.org,call bob.ray@example.net',
  '',
].join('\n');

const JSON_DOCUMENT = JSON.stringify({
  desk: 'desk@example.org',
  patient: { member: 'M-2001', note: 'mail ann.lee@example.org' },
});

/** What `veil redact` writes for this input and policy (its action calls the same command). */
async function cliOutput(format: InputFormat, input: string): Promise<string> {
  const chunks: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk);
      done();
    },
  });
  await redactInput(format, Readable.from([Buffer.from(input)]), sink, {
    policy: POLICY,
    plan: planFromPolicy(POLICY),
    context: { tenant: 'default' },
  });
  return Buffer.concat(chunks).toString('utf8');
}

let dataDir: string;
let runtime: Runtime;
let workers: Workers;
before(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'veil-structured-'));
  // A copy of the migrated template with the job queues: no initdb, migrations or queue set-up.
  await servicePGlite(join(dataDir, 'pglite'));
  runtime = await openRuntime({ dataDir });
  workers = await startWorkers({ ...runtime, pollingIntervalSeconds: 0.5 });
});
after(async () => {
  await workers?.stop();
  await runtime?.close();
  await rm(dataDir, { recursive: true, force: true });
});

async function redactedByJob(bytes: string): Promise<{ mediaType: string; text: string }> {
  const { jobId } = await submitJob(
    { db: runtime.handle.db, blobs: runtime.blobs, boss: runtime.boss },
    {
      tenant: 'acme',
      bytes: Buffer.from(bytes),
      purpose: 'claims-intake',
      consent: { basis: 'contract', allowManualReview: false },
      outputs: ['redacted'],
      retentionDays: 1,
      policy: POLICY,
    },
  );
  const store = { db: runtime.handle.db, blobs: runtime.blobs };
  const view = await waitForJob(store, 'acme', jobId, ['succeeded', 'failed'], 120_000);
  assert.equal(view.status, 'succeeded', JSON.stringify(view));
  const { bytes: out, mediaType } = await readRedacted(store, { tenant: 'acme', jobId });
  return { mediaType, text: out.toString('utf8') };
}

test("a CSV job applies the policy's column rules, byte for byte as veil redact", async () => {
  const job = await redactedByJob(CSV);
  assert.equal(job.mediaType, 'text/csv');
  assert.equal(
    job.text,
    [
      'member,contact,notes',
      // member: the whole cell is a US_SSN, masked by the policy's US_SSN operator.
      '*-1001,desk@example.org,write to <EMAIL_ADDRESS_1>',
      '*-1002,desk@example.org,no change',
      '*-1003,desk@example.org,call <EMAIL_ADDRESS_2>',
      '',
    ].join('\n'),
  );
  assert.equal(job.text, await cliOutput('csv', CSV));
});

test("a JSON job applies the policy's path rules, byte for byte as veil redact", async () => {
  const job = await redactedByJob(JSON_DOCUMENT);
  assert.equal(job.mediaType, 'application/json');
  assert.deepEqual(JSON.parse(job.text), {
    desk: 'desk@example.org',
    patient: { member: '*-2001', note: 'mail <EMAIL_ADDRESS_1>' },
  });
  assert.equal(job.text, await cliOutput('json', JSON_DOCUMENT));
});
