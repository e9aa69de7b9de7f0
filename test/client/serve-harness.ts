/**
 * A real `veil serve` for the SDK and console tests: the service `veil serve` runs, listening on
 * 127.0.0.1 (a free port) over PGlite in a temp data directory (a copy of the migrated template),
 * authenticating the local issuer's tokens exactly as the CLI wires it; tokens minted as
 * `veil token` mints them.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mintDevelopmentToken } from '../../src/access/index.js';
import type { Role } from '../../src/access/index.js';
import { localAuthenticate } from '../../src/runtime/sign-in.js';
import { startService } from '../../src/runtime/service.js';
import type { Service, ServiceOptions } from '../../src/runtime/service.js';
import { servicePGlite } from '../store/pglite-template.js';

export interface ServedVeil {
  readonly service: Service;
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly dataDir: string;
  /** A local-issuer token for `role` (or roles) in `tenant`. */
  token(role: Role | readonly Role[], tenant?: string): Promise<string>;
  close(): Promise<void>;
}

/**
 * Starts the service on loopback.
 *
 * @example
 * ```ts
 * const veil = await serveVeil();
 * const client = new VeilClient({ baseUrl: veil.url, token: await veil.token('processor') });
 * ```
 */
export async function serveVeil(options: Partial<ServiceOptions> = {}): Promise<ServedVeil> {
  const dataDir = await mkdtemp(join(tmpdir(), 'veil-serve-client-'));
  // A copy of the migrated template with the job queues: no initdb, migrations or queue set-up.
  await servicePGlite(join(dataDir, 'pglite'));
  const service = await startService({
    dataDir,
    host: '127.0.0.1',
    port: 0,
    workers: 1,
    pollingIntervalSeconds: 0.5,
    detectionThreads: 0,
    uploadSweepIntervalSeconds: 0,
    authenticate: await localAuthenticate(dataDir),
    api: { rateLimit: { max: 100_000, windowMs: 60_000 } },
    ...options,
  });
  return {
    service,
    url: service.url,
    dataDir,
    token: (role, tenant = 'acme') => mintDevelopmentToken(dataDir, { role, tenant }),
    async close() {
      await service.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
