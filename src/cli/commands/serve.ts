import type { Command } from 'commander';
import type { Logger } from 'pino';
import type { ApiDependencies } from '../../api/index.js';
import type { Keyring } from '../../crypto/keyring.js';
import { cli } from '../context.js';

interface ServeFlags {
  host?: string;
  port?: string;
  dataDir?: string;
  workers?: string;
  detectionThreads?: string;
  tlsCert?: string;
  tlsKey?: string;
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
  const { authorize } = await import('../../access/permissions.js');
  const { createOperatorKeys } = await import('../../crypto/operator-keys.js');
  const { localAuthenticate } = await import('../../runtime/sign-in.js');
  return {
    authenticate: await localAuthenticate(dataDir),
    authorize: (principal, permission) => {
      authorize(principal, permission);
    },
    tenantKeys: (tenantId) => createOperatorKeys(keyring, tenantId),
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
 * `VEIL_DATA_DIR` (or `--data-dir`, default `.veil`); every flag stands for a setting of the
 * configuration schema (`src/runtime/config.ts`), validated before anything opens. Every `/v1`
 * route needs a bearer token (an external OIDC issuer's when `VEIL_OIDC_ISSUER` is set, else the
 * local issuer's) or a service API key (`veil apikey create`); HTTPS with `--tls-cert` and
 * `--tls-key`. Logs are JSON lines on stdout, the banner goes to stderr.
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
    .option('--host <host>', 'address to listen on (VEIL_HOST, default 127.0.0.1)')
    .option('--port <port>', 'port to listen on, 0 picks a free one (VEIL_PORT, default 8080)')
    .option('--data-dir <dir>', 'where keys and data live (VEIL_DATA_DIR, default .veil)')
    .option(
      '--workers <n>',
      'jobs each step runs at once in this process; 0: none, run `veil worker` (VEIL_WORKERS, default 1)',
    )
    .option(
      '--detection-threads <n>',
      'threads analysing texts for /v1/analyze and /v1/anonymize; 0: in the request thread (VEIL_DETECTION_THREADS, default one per core)',
    )
    .option('--tls-cert <file>', 'PEM certificate chain: serve HTTPS (VEIL_TLS_CERT, with --tls-key)')
    .option('--tls-key <file>', 'PEM private key of --tls-cert (VEIL_TLS_KEY)')
    .action(async (flags: ServeFlags) => {
      const { commandConfig } = await import('../settings.js');
      const config = commandConfig([
        { setting: 'VEIL_HOST', flag: '--host', value: flags.host },
        { setting: 'VEIL_PORT', flag: '--port', value: flags.port },
        { setting: 'VEIL_DATA_DIR', flag: '--data-dir', value: flags.dataDir },
        { setting: 'VEIL_WORKERS', flag: '--workers', value: flags.workers },
        { setting: 'VEIL_DETECTION_THREADS', flag: '--detection-threads', value: flags.detectionThreads },
        { setting: 'VEIL_TLS_CERT', flag: '--tls-cert', value: flags.tlsCert },
        { setting: 'VEIL_TLS_KEY', flag: '--tls-key', value: flags.tlsKey },
      ]);
      // Loaded once the configuration holds: a misconfigured start stops without loading the service.
      const { governanceEnv } = await import('../governance-env.js');
      const { startConfiguredService } = await import('../../runtime/configured-service.js');
      const { pino } = await import('pino');
      const logger = pino({ level: config.VEIL_LOG_LEVEL });
      // The runtime (database, keys, blobs, queue), embedded workers, the audit logs and every
      // route, wired once in src/runtime; the service itself accepts API keys (`Bearer veil_…`)
      // before asking the configured issuer.
      const service = await startConfiguredService(config, {
        logger,
        // VEIL_POLICY_DIR, VEIL_REGION, VEIL_SWEEP_SECONDS: an invalid policy stops the start here.
        ...governanceEnv(cli().env, cli().cwd),
      });
      onShutdown(() => service.close(), logger);
      const { url } = service;
      const lines = [
        `Veil API listening on ${url}`,
        `API docs: ${url}/docs (OpenAPI: ${url}/openapi.json)`,
        service.issuer === 'oidc'
          ? `Sign-in: tokens of ${config.VEIL_OIDC_ISSUER} (tenant claim ${config.VEIL_OIDC_TENANT_CLAIM}, roles claim ${config.VEIL_OIDC_ROLES_CLAIM})`
          : `Development token: veil token --role processor --tenant T  (then: Authorization: Bearer <token>)`,
        `Service API key: veil apikey create --tenant T --role processor  (then: Authorization: Bearer veil_…)`,
      ];
      if (!service.tls && !LOOPBACK.has(config.VEIL_HOST)) {
        lines.push(
          'Warning: listening beyond loopback without TLS; pass --tls-cert and --tls-key, or put a TLS-terminating proxy in front.',
        );
      }
      cli().stderr.write(`${lines.join('\n')}\n`);
    });
}
