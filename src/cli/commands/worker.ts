import { InvalidArgumentError, type Command } from 'commander';
import { VeilError } from '../../errors/veil-error.js';
import type { WorkerEvent } from '../../pipeline/worker.js';
import { cli } from '../context.js';

interface WorkerFlags {
  concurrency?: string;
  fusedConcurrency?: number;
  dataDir?: string;
  pollSeconds: number;
}

function parsePollSeconds(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0.5 || n > 60)
    throw new InvalidArgumentError('expected seconds from 0.5 to 60');
  return n;
}

/** One JSON line per event on stderr: ids, steps, codes and the OCR engine's name only. */
function logEvent(event: WorkerEvent | { kind: 'ocr-engine'; engine: string }): void {
  cli().stderr.write(`${JSON.stringify({ time: new Date().toISOString(), ...event })}\n`);
}

/**
 * `veil worker [--concurrency N]`: runs job workers alone against the PostgreSQL server named
 * by `DATABASE_URL`, for scale-out; the key file and blobs are under `VEIL_DATA_DIR`. It runs
 * until SIGINT or SIGTERM, then finishes the steps in flight and exits.
 *
 * @example
 * ```ts
 * registerWorker(program); // DATABASE_URL=postgres://veil@db/veil veil worker --concurrency 4
 * ```
 */
export function registerWorker(program: Command): void {
  program
    .command('worker')
    .description(
      'run job workers against the PostgreSQL at DATABASE_URL (scale-out; `veil serve` embeds them)',
    )
    .option('--concurrency <n>', 'jobs each step runs at once in this process (VEIL_WORKERS, default 1)')
    .option('--data-dir <dir>', 'where the key file, audit key and blobs live (VEIL_DATA_DIR, default .veil)')
    .option(
      '--fused-concurrency <n>',
      'fused jobs (small texts, every step in one message) run at once (default 8 × concurrency)',
      (value: string) => {
        const n = Number(value);
        if (!Number.isInteger(n) || n < 1 || n > 256) throw new InvalidArgumentError('expected 1 to 256');
        return n;
      },
    )
    .option('--poll-seconds <s>', 'how often an idle worker polls its queue', parsePollSeconds, 1)
    .action(async (flags: WorkerFlags) => {
      const { commandConfig } = await import('../settings.js');
      // The same configuration as `veil serve`: one environment serves both processes.
      const config = commandConfig([
        { setting: 'VEIL_WORKERS', flag: '--concurrency', value: flags.concurrency },
        { setting: 'VEIL_DATA_DIR', flag: '--data-dir', value: flags.dataDir },
      ]);
      const databaseUrl = config.DATABASE_URL;
      const concurrency = config.VEIL_WORKERS;
      if (concurrency < 1)
        throw new VeilError(
          'VEIL_CONFIG_INVALID',
          'configuration: --concurrency (VEIL_WORKERS): a worker runs at least 1 job per step',
        );
      if (databaseUrl === undefined)
        throw new VeilError(
          'VEIL_CONFIG_INVALID',
          'configuration: DATABASE_URL: `veil worker` needs it to name the PostgreSQL server the API uses (postgres://user@host:5432/db); embedded PGlite runs its workers inside `veil serve`',
        );
      // Loaded once the configuration holds: a misconfigured worker stops without loading the pipeline.
      const { governanceEnv } = await import('../governance-env.js');
      const { openPolicyDirectory } = await import('../../policy/tenant-policies.js');
      const { startWorkers } = await import('../../pipeline/worker.js');
      const { openRuntime } = await import('../../runtime/runtime.js');
      const { jobModelServices, modelProviderFromConfig } = await import('../../runtime/ai.js');
      const { openAuditLogs, recordWorkerEvent } = await import('../../runtime/audit.js');
      const { blobSettingsFromConfig } = await import('../../runtime/blobs.js');
      const { keyProviderFromConfig } = await import('../../runtime/key-provider.js');
      const { ocrFromConfig } = await import('../../runtime/ocr.js');
      const { recordPoliciesInForce, startGovernance } = await import('../../runtime/governance.js');
      const { reviewStepServices } = await import('../../runtime/review.js');
      await ocrFromConfig(config, (engine) => logEvent({ kind: 'ocr-engine', engine }));
      const governanceSettings = governanceEnv(cli().env, cli().cwd);
      // Validated before anything opens: an invalid policy stops the worker, naming the field.
      const policies = await openPolicyDirectory(governanceSettings.policyDir);
      const { region } = governanceSettings;
      const runtime = await openRuntime({
        databaseUrl,
        ...(region === undefined ? {} : { region }),
        dataDir: config.VEIL_DATA_DIR,
        keyProvider: await keyProviderFromConfig(config),
        blobs: blobSettingsFromConfig(config),
        onQueueError: (error) => logEvent({ kind: 'queue-error', detail: error.message.slice(0, 200) }),
      });
      const logs = await openAuditLogs({
        db: runtime.handle.db,
        dataDir: runtime.dataDir,
        ...(region === undefined ? {} : { region }),
      });
      await recordPoliciesInForce(runtime.handle, logs, policies);
      // The retention sweeper runs here too: sweepers on several workers claim disjoint rows.
      const governance = startGovernance({
        store: { db: runtime.handle.db, blobs: runtime.blobs },
        logs,
        policies,
        intervalSeconds: governanceSettings.sweepIntervalSeconds,
        ...(region === undefined ? {} : { region }),
        keyring: runtime.keyring,
      });
      const ai = modelProviderFromConfig(config);
      const workers = await startWorkers({
        ...runtime,
        concurrency,
        ...(ai === undefined ? {} : { model: jobModelServices(ai, logs) }),
        ...(flags.fusedConcurrency === undefined ? {} : { fusedConcurrency: flags.fusedConcurrency }),
        pollingIntervalSeconds: flags.pollSeconds,
        review: reviewStepServices(logs),
        onEvent: (event) => {
          logEvent(event);
          recordWorkerEvent(logs, event).catch(() =>
            logEvent({ kind: 'queue-error', detail: 'audit: job step not recorded' }),
          );
        },
      });
      cli().stderr.write(
        `veil worker: ${concurrency} worker(s) per step, pid ${process.pid}; stop with SIGTERM or Ctrl-C\n`,
      );
      await new Promise<void>((resolve) => {
        process.once('SIGINT', () => resolve());
        process.once('SIGTERM', () => resolve());
      });
      cli().stderr.write('veil worker: stopping after the steps in flight\n');
      await workers.stop();
      await governance.stop();
      await runtime.close();
    });
}
