/**
 * `veil privacy report [--tenant T] [--since 30d] [--format md|json] [-o FILE]`: a tenant's
 * privacy metrics from the database `veil serve` uses, as the readable report or as the JSON of
 * `GET /v1/privacy/metrics`.
 */
import type { Command } from 'commander';
import { requireTenantId } from '../../access/principal.js';
import { VeilError } from '../../errors/veil-error.js';
import type { PrivacyMetrics } from '../../privacy/metrics/index.js';
import { defaultDataDir } from '../keyring.js';
import { emitReport, parsePeriod } from './compliance.js';
import { cli } from '../context.js';

/**
 * A tenant's privacy metrics over the `sinceMs` before `now`, under its policy from
 * `VEIL_POLICY_DIR` (the retention windows the ages are compared with).
 *
 * @example
 * ```ts
 * const metrics = await privacyReportCommand({ dataDir: '.veil', tenant: 'acme', sinceMs: 30 * 86_400_000 });
 * ```
 */
export async function privacyReportCommand(options: {
  dataDir: string;
  tenant: string;
  sinceMs: number;
  env?: Readonly<Record<string, string | undefined>>;
  now?: Date;
}): Promise<PrivacyMetrics> {
  const { openPolicyDirectory } = await import('../../policy/tenant-policies.js');
  const { collectPrivacyMetrics } = await import('../../privacy/metrics/index.js');
  const { databaseConfigFromEnv, openDatabase } = await import('../../store/index.js');
  const { governanceEnv } = await import('../governance-env.js');
  const tenant = requireTenantId(options.tenant, '--tenant');
  const env = { ...(options.env ?? cli().env), VEIL_DATA_DIR: options.dataDir };
  const policies = await openPolicyDirectory(governanceEnv(env, cli().cwd).policyDir);
  const handle = await openDatabase(databaseConfigFromEnv(env, cli().cwd));
  try {
    const until = options.now ?? new Date();
    const { metrics } = await collectPrivacyMetrics(
      { db: handle.db },
      {
        tenant,
        since: new Date(until.getTime() - options.sinceMs),
        until,
        policy: (await policies.policyFor(tenant)).policy,
      },
    );
    return metrics;
  } finally {
    await handle.close();
  }
}

interface ReportFlags {
  tenant: string;
  format: string;
  output?: string;
  since: string;
  dataDir: string;
}

/**
 * Registers `veil privacy report`.
 *
 * @example
 * ```ts
 * registerPrivacy(program); // veil privacy report --tenant acme --since 7d -o acme-privacy.md
 * ```
 */
export function registerPrivacy(program: Command): void {
  program
    .command('privacy')
    .description('privacy as a measured quantity')
    .command('report')
    .description(
      "a tenant's privacy metrics: raw-document lifetime, artifacts alive, deletion lag, outputs, reveals, model calls, review exposure, data-subject requests",
    )
    .option('--tenant <id>', 'the tenant', 'default')
    .option('--since <period>', 'the period the report covers, e.g. 30d, 12h, 2w', '30d')
    .option('--format <format>', 'md or json (the JSON of GET /v1/privacy/metrics)', 'md')
    .option('-o, --output <file>', 'write to this file instead of stdout')
    .option(
      '--data-dir <dir>',
      'where the database lives unless DATABASE_URL is set (VEIL_DATA_DIR)',
      defaultDataDir(),
    )
    .action(async (flags: ReportFlags) => {
      if (!['md', 'json'].includes(flags.format))
        throw new VeilError('VEIL_INVALID_OPTION', '--format: expected md or json');
      const metrics = await privacyReportCommand({
        dataDir: flags.dataDir,
        tenant: flags.tenant,
        sinceMs: parsePeriod(flags.since, '--since'),
      });
      const { renderPrivacyReport } = await import('../../privacy/metrics/index.js');
      const text =
        flags.format === 'json' ? `${JSON.stringify(metrics, null, 2)}\n` : renderPrivacyReport(metrics);
      await emitReport(text, flags.output, 'privacy report');
    });
}
