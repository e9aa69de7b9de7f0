import { rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Command } from 'commander';
import { requireTenantId } from '../../access/principal.js';
import { VeilError } from '../../errors/veil-error.js';
import type { Policy } from '../../policy/index.js';
import type { ComplianceReport } from '../../privacy/compliance/index.js';
import { defaultDataDir } from '../keyring.js';
import { cli } from '../context.js';

/**
 * A period such as `30d`, `12h` or `2w` as milliseconds.
 *
 * @throws VeilError `VEIL_INVALID_OPTION` naming the flag.
 *
 * @example
 * ```ts
 * parsePeriod('30d', '--since'); // 2592000000
 * ```
 */
export function parsePeriod(text: string, flag: string): number {
  const match = /^(\d{1,5})([hdw])$/.exec(text);
  if (match === null)
    throw new VeilError('VEIL_INVALID_OPTION', `${flag}: expected a period such as 30d, 12h or 2w`);
  const unit = { h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 }[match[2] as 'h' | 'd' | 'w'];
  return Number(match[1]) * unit;
}

/**
 * The policy a tenant runs under, for reports: `--policy FILE`, else the shipped default. A seam:
 * once per-tenant policies live in `VEIL_POLICY_DIR` (governance), the tenant's file is read here.
 */
export async function reportPolicy(_tenant: string, file: string | undefined): Promise<Policy> {
  const { loadPolicy } = await import('../../policy/load.js');
  const { DEFAULT_POLICY_PATH } = await import('../../policy/shipped.js');
  return loadPolicy(file ?? DEFAULT_POLICY_PATH);
}

/**
 * Builds the compliance report of a tenant from the database `veil serve` uses.
 *
 * @example
 * ```ts
 * const report = await complianceReportCommand({ dataDir: '.veil', tenant: 'acme', sinceMs: 30 * 86_400_000 });
 * ```
 */
export async function complianceReportCommand(options: {
  dataDir: string;
  tenant: string;
  sinceMs: number;
  policyFile?: string;
  env?: Readonly<Record<string, string | undefined>>;
  now?: Date;
}): Promise<ComplianceReport> {
  const { policyHash } = await import('../../policy/hash.js');
  const { openAuditLogs } = await import('../../runtime/audit.js');
  const { tenantComplianceReport } = await import('../../runtime/policy.js');
  const { databaseConfigFromEnv, openDatabase } = await import('../../store/index.js');
  const tenant = requireTenantId(options.tenant, '--tenant');
  const policy = await reportPolicy(tenant, options.policyFile);
  const env = { ...(options.env ?? cli().env), VEIL_DATA_DIR: options.dataDir };
  const handle = await openDatabase(databaseConfigFromEnv(env, cli().cwd));
  try {
    const logs = await openAuditLogs({ db: handle.db, dataDir: options.dataDir });
    const until = options.now ?? new Date();
    const since = new Date(until.getTime() - options.sinceMs);
    return await tenantComplianceReport(logs, tenant, { policy, hash: policyHash(policy) }, since, until);
  } finally {
    await handle.close();
  }
}

/**
 * Writes `text` to `path` whole or not at all (a temporary file renamed into place).
 *
 * @example
 * ```ts
 * await writeReportFile('report.html', html);
 * ```
 */
export async function writeReportFile(path: string, text: string): Promise<void> {
  const temp = join(dirname(path), `.${process.pid}.${Date.now()}.report.tmp`);
  await writeFile(temp, text, { flag: 'wx', mode: 0o600 });
  await rename(temp, path);
}

/**
 * Prints a report to stdout, or writes it to `output` (whole or not at all) and says so on stderr.
 *
 * @example
 * ```ts
 * await emitReport(renderMarkdown(report), flags.output, 'compliance report');
 * ```
 */
export async function emitReport(text: string, output: string | undefined, what: string): Promise<void> {
  if (output === undefined) cli().stdout.write(text);
  else {
    await writeReportFile(output, text);
    cli().stderr.write(`${what} written to ${output}\n`);
  }
}

interface ReportFlags {
  tenant: string;
  format: string;
  output?: string;
  since: string;
  policy?: string;
  dataDir: string;
}

/**
 * `veil compliance report [--tenant T] [--format md|json|html] [-o FILE] [--since 30d] [--policy FILE]`.
 *
 * @example
 * ```ts
 * registerCompliance(program); // veil compliance report --tenant acme --format html -o acme.html
 * ```
 */
export function registerCompliance(program: Command): void {
  program
    .command('compliance')
    .description('compliance evidence')
    .command('report')
    .description(
      "join the control registry with a tenant's policy and audit log: status, clauses, policy values, tests, audit counts, signed tree head",
    )
    .option('--tenant <id>', 'the tenant', 'default')
    .option('--format <format>', 'md, json or html (one file, no external assets)', 'md')
    .option('-o, --output <file>', 'write to this file instead of stdout')
    .option('--since <period>', 'the period the audit counts cover, e.g. 30d, 12h, 2w', '30d')
    .option('--policy <file>', "the tenant's policy file (default: the shipped policy)")
    .option(
      '--data-dir <dir>',
      'where the database (unless DATABASE_URL) and the audit signing key live (VEIL_DATA_DIR)',
      defaultDataDir(),
    )
    .action(async (flags: ReportFlags) => {
      if (!['md', 'json', 'html'].includes(flags.format))
        throw new VeilError('VEIL_INVALID_OPTION', '--format: expected md, json or html');
      const report = await complianceReportCommand({
        dataDir: flags.dataDir,
        tenant: flags.tenant,
        sinceMs: parsePeriod(flags.since, '--since'),
        ...(flags.policy === undefined ? {} : { policyFile: flags.policy }),
      });
      const { renderHtml, renderMarkdown } = await import('../../privacy/compliance/index.js');
      const text =
        flags.format === 'json'
          ? `${JSON.stringify(report, null, 2)}\n`
          : flags.format === 'html'
            ? renderHtml(report)
            : renderMarkdown(report);
      await emitReport(text, flags.output, 'compliance report');
    });
}
