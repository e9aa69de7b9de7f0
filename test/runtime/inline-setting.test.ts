// VEIL_INLINE_MAX_BYTES: the configuration decides which text jobs `veil serve` runs in the
// request that submits them (answered `succeeded`) and which it queues.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sql } from 'kysely';
import { FUSED_QUEUE } from '../../src/pipeline/jobs/queues.js';
import { loadConfig } from '../../src/runtime/config.js';
import { withTextJobService } from './text-job-service.js';

test('VEIL_INLINE_MAX_BYTES defaults to 0 (off) and refuses more than 1 MiB', () => {
  assert.equal(loadConfig({}).config.VEIL_INLINE_MAX_BYTES, 0);
  assert.equal(loadConfig({ VEIL_INLINE_MAX_BYTES: '65536' }).config.VEIL_INLINE_MAX_BYTES, 65_536);
  assert.throws(() => loadConfig({ VEIL_INLINE_MAX_BYTES: String(1024 * 1024 + 1) }), {
    code: 'VEIL_CONFIG_INVALID',
    message: 'configuration: VEIL_INLINE_MAX_BYTES: expected an integer from 0 to 1048576',
  });
});

test(
  'veil serve runs a text job inline up to VEIL_INLINE_MAX_BYTES and queues it above',
  { timeout: 120_000 },
  async () => {
    await withTextJobService({ VEIL_INLINE_MAX_BYTES: '100' }, async (submit, service) => {
      assert.equal(await submit('Mail jane@example.org today.'.padEnd(100, '.')), 'succeeded');
      assert.equal(await submit('Mail jane@example.org today.'.padEnd(101, '.')), 'queued');
      const queues = await sql<{ name: string }>`select name from pgboss.job`.execute(
        service.runtime.handle.db,
      );
      assert.deepEqual(
        queues.rows.map((r) => r.name),
        [FUSED_QUEUE],
      );
    });
  },
);
