// VEIL_FUSED_MAX_BYTES: the configuration decides which text jobs `veil serve` sends as one fused
// queue message and which through the per-step queues.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sql } from 'kysely';
import { DEFAULT_FUSED_MAX_BYTES } from '../../src/pipeline/jobs/fused.js';
import { FUSED_QUEUE, STEP_QUEUES } from '../../src/pipeline/jobs/queues.js';
import { loadConfig } from '../../src/runtime/config.js';
import { withTextJobService } from './text-job-service.js';

test('VEIL_FUSED_MAX_BYTES defaults to 256 KiB, takes 0, and refuses more than 16 MiB', () => {
  assert.equal(loadConfig({}).config.VEIL_FUSED_MAX_BYTES, DEFAULT_FUSED_MAX_BYTES);
  assert.equal(DEFAULT_FUSED_MAX_BYTES, 262_144);
  assert.equal(loadConfig({ VEIL_FUSED_MAX_BYTES: '0' }).config.VEIL_FUSED_MAX_BYTES, 0);
  assert.throws(() => loadConfig({ VEIL_FUSED_MAX_BYTES: String(16 * 1024 * 1024 + 1) }), {
    code: 'VEIL_CONFIG_INVALID',
    message: 'configuration: VEIL_FUSED_MAX_BYTES: expected an integer from 0 to 16777216',
  });
});

test(
  'veil serve sends a text job fused up to VEIL_FUSED_MAX_BYTES and per step above it',
  { timeout: 120_000 },
  async () => {
    await withTextJobService({ VEIL_FUSED_MAX_BYTES: '100' }, async (submit, service) => {
      await submit('Mail jane@example.org today.'.padEnd(100, '.'));
      await submit('Mail jane@example.org today.'.padEnd(101, '.'));
      const queues = await sql<{ name: string }>`select name from pgboss.job order by created_on`.execute(
        service.runtime.handle.db,
      );
      assert.deepEqual(
        queues.rows.map((r) => r.name),
        [FUSED_QUEUE, STEP_QUEUES.intake],
      );
    });
  },
);
