/**
 * A configured `veil serve` (embedded PGlite, no workers, no detection threads) for the tests of
 * a setting that routes text jobs, with a submit that sends a text job as a tenant's processor.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mintDevelopmentToken } from '../../src/access/index.js';
import { loadConfig } from '../../src/runtime/config.js';
import { startConfiguredService } from '../../src/runtime/configured-service.js';

type Service = Awaited<ReturnType<typeof startConfiguredService>>;

/** Submits a text job asking for the redacted output; answers the job's status in the 202. */
export type SubmitText = (text: string) => Promise<string>;

/**
 * Runs `work` against a service started with `settings` (e.g. `{ VEIL_FUSED_MAX_BYTES: '100' }`),
 * then closes it and removes its data directory.
 *
 * @example
 * ```ts
 * await withTextJobService({ VEIL_INLINE_MAX_BYTES: '100' }, async (submit) => {
 *   assert.equal(await submit('short'), 'succeeded');
 * });
 * ```
 */
export async function withTextJobService(
  settings: Readonly<Record<string, string>>,
  work: (submit: SubmitText, service: Service) => Promise<void>,
): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'veil-text-job-service-'));
  const { config } = loadConfig({
    VEIL_DATA_DIR: dataDir,
    VEIL_PORT: '0',
    VEIL_WORKERS: '0',
    VEIL_DETECTION_THREADS: '0',
    ...settings,
  });
  const service = await startConfiguredService(config);
  try {
    const token = await mintDevelopmentToken(dataDir, { role: 'processor', tenant: 'acme' });
    const submit: SubmitText = async (text) => {
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
    await work(submit, service);
  } finally {
    await service.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
