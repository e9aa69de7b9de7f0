// VEIL_INLINE_MAX_BYTES: the configuration decides which text jobs `veil serve` runs in the
// request that submits them (answered `succeeded`) and which it queues.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { sql } from 'kysely';
import { mintDevelopmentToken } from '../../src/access/index.js';
import { FUSED_QUEUE } from '../../src/pipeline/jobs/queues.js';
import { loadConfig } from '../../src/runtime/config.js';
import { startConfiguredService } from '../../src/runtime/configured-service.js';

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
    const dataDir = mkdtempSync(join(tmpdir(), 'veil-inline-setting-'));
    const { config } = loadConfig({
      VEIL_DATA_DIR: dataDir,
      VEIL_PORT: '0',
      VEIL_WORKERS: '0',
      VEIL_DETECTION_THREADS: '0',
      VEIL_INLINE_MAX_BYTES: '100',
    });
    const service = await startConfiguredService(config);
    try {
      const token = await mintDevelopmentToken(dataDir, { role: 'processor', tenant: 'acme' });
      const submit = async (text: string): Promise<string> => {
        const response = await fetch(`${service.url}/v1/jobs`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify({
            text,
            purpose: 'claims',
            consent: { basis: 'contract' },
            outputs: ['redacted'],
          }),
        });
        assert.equal(response.status, 202);
        return ((await response.json()) as { status: string }).status;
      };
      assert.equal(await submit('Mail jane@example.org today.'.padEnd(100, '.')), 'succeeded');
      assert.equal(await submit('Mail jane@example.org today.'.padEnd(101, '.')), 'queued');
      const queues = await sql<{ name: string }>`select name from pgboss.job`.execute(
        service.runtime.handle.db,
      );
      assert.deepEqual(
        queues.rows.map((r) => r.name),
        [FUSED_QUEUE],
      );
    } finally {
      await service.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  },
);
