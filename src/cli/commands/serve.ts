import { InvalidArgumentError, type Command } from 'commander';
import { pino } from 'pino';
import type { Logger } from 'pino';
import { authorize, createAuthenticator, createTokenVerifier, openLocalIssuer } from '../../access/index.js';
import { createOperatorKeys } from '../../crypto/operator-keys.js';
import type { ApiDependencies } from '../../api/index.js';
import type { Keyring } from '../../crypto/keyring.js';
import { startService } from '../../runtime/service.js';
import { governanceEnv } from '../governance-env.js';
import { DEFAULT_DATA_DIR } from '../keyring.js';

interface ServeFlags {
  host: string;
  port: number;
  dataDir: string;
  workers: number;
  detectionThreads?: number;
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new InvalidArgumentError('expected a port from 0 to 65535');
  return port;
}

function parseWorkers(value: string): number {
  const workers = Number(value);
  if (!Number.isInteger(workers) || workers < 0 || workers > 64) throw new InvalidArgumentError('expected 0 to 64');
  return workers;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

/**
 * The embedded mode's adapters: bearer tokens signed by the local issuer whose key lives in
 * `dataDir` (what `veil token` mints), the access layer's permission matrix, and operator keys
 * from the given keyring (the runtime's, in `veil serve`) for the keyed anonymizers.
 *
 * @example
 * ```ts
 * const app = await buildApp({ ...(await localApiDependencies('.veil', runtime.keyring)), logger: pino() });
 * ```
 */
export async function localApiDependencies(dataDir: string, keyring: Keyring): Promise<ApiDependencies> {
  return {
    authenticate: await localAuthenticate(dataDir),
    authorize: (principal, permission) => {
      authorize(principal, permission);
    },
    tenantKeys: (tenantId) => createOperatorKeys(keyring, tenantId),
  };
}

/**
 * Authentication against the local issuer in `dataDir`: the tokens `veil token` mints.
 *
 * @example
 * ```ts
 * const authenticate = await localAuthenticate('.veil');
 * ```
 */
export async function localAuthenticate(dataDir: string): Promise<ApiDependencies['authenticate']> {
  const issuer = await openLocalIssuer(dataDir);
  const authenticator = createAuthenticator({ tokens: await createTokenVerifier(issuer.verifierOptions()) });
  return async (headers) => {
    const header = headers.authorization;
    return authenticator.authenticate(typeof header === 'string' ? header : undefined);
  };
}

function onShutdown(close: () => Promise<void>, logger: Logger): void {
  let closing = false;
  const stop = (signal: NodeJS.Signals): void => {
    // A second signal while draining means the operator wants out now.
    if (closing) process.exit(130);
    closing = true;
    logger.info({ signal }, 'shutting down');
    close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

/**
 * `veil serve`: runs the HTTP API on `--host` (127.0.0.1) and `--port` (8080), with its data in
 * `VEIL_DATA_DIR` (or `--data-dir`, default `.veil`). Every `/v1` route needs a bearer token from
 * the local issuer or a service API key (`veil apikey create`); logs are JSON lines on stdout, the
 * banner goes to stderr.
 *
 * @example
 * ```ts
 * registerServe(program); // veil serve --port 8080
 * ```
 */
export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('run the HTTP API (OpenAPI document at /openapi.json, docs at /docs)')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--port <port>', 'port to listen on (0 picks a free one)', parsePort, 8080)
    .option('--data-dir <dir>', 'where keys and data live (VEIL_DATA_DIR)', DEFAULT_DATA_DIR)
    .option('--workers <n>', 'jobs each step runs at once in this process (0: none, run `veil worker`)', parseWorkers, 1)
    .option('--detection-threads <n>', 'threads analysing texts for /v1/analyze and /v1/anonymize (0: in the request thread; default: one per core)', parseWorkers)
    .action(async (flags: ServeFlags) => {
      const logger = pino({ level: process.env.VEIL_LOG_LEVEL ?? 'info' });
      // The runtime (database, keys, blobs, queue), embedded workers, the audit logs and every
      // route, wired once in src/runtime/service.ts; tokens are the local issuer's, and the
      // service itself accepts API keys (`Bearer veil_…`).
      const service = await startService({
        dataDir: flags.dataDir,
        ...(process.env.DATABASE_URL === undefined ? {} : { databaseUrl: process.env.DATABASE_URL }),
        host: flags.host,
        port: flags.port,
        workers: flags.workers,
        ...(flags.detectionThreads === undefined ? {} : { detectionThreads: flags.detectionThreads }),
        authenticate: await localAuthenticate(flags.dataDir),
        logger,
        // VEIL_POLICY_DIR, VEIL_REGION, VEIL_SWEEP_SECONDS: an invalid policy stops the start here.
        ...governanceEnv(process.env, process.cwd()),
      });
      onShutdown(() => service.close(), logger);
      const { url } = service;
      const hasTokenCommand = program.commands.some((command) => command.name() === 'token');
      const lines = [
        `Veil API listening on ${url}`,
        `API docs: ${url}/docs (OpenAPI: ${url}/openapi.json)`,
        hasTokenCommand
          ? `Development token: veil token --role processor --tenant T  (then: Authorization: Bearer <token>)`
          : `Development token: \`veil token --role processor --tenant T\` is not available in this build yet; tokens must be signed by the key in ${flags.dataDir}`,
        `Service API key: veil apikey create --tenant T --role processor  (then: Authorization: Bearer veil_…)`,
      ];
      if (!LOOPBACK.has(flags.host)) {
        lines.push('Warning: listening beyond loopback without TLS; put a TLS-terminating proxy in front.');
      }
      process.stderr.write(`${lines.join('\n')}\n`);
    });
}
