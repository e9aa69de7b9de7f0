import { rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Command } from 'commander';
import { requireTenantId } from '../../access/principal.js';
import { SYSTEM_AUDIT_LOG } from '../../runtime/system-audit-log.js';
import { defaultDataDir } from '../keyring.js';
import { writeLine } from '../io.js';
import { cli } from '../context.js';

interface ExportFlags {
  tenant?: string;
  output?: string;
  dataDir: string;
}

interface VerifyFlags {
  publicKey?: string;
  output?: string;
}

/**
 * `veil audit export`: the self-contained export of one log (a tenant's, or the system log) from
 * the database that `veil serve` uses (`DATABASE_URL`, else PGlite in the data directory). A head
 * is signed first over any entries the last one does not cover, so the export verifies whole.
 * Returns the JSON Lines text.
 *
 * @example
 * ```ts
 * const text = await auditExportCommand({ dataDir: '.veil', tenant: 'acme' });
 * ```
 */
export async function auditExportCommand(options: {
  dataDir: string;
  tenant?: string;
  env?: Readonly<Record<string, string | undefined>>;
}): Promise<string> {
  const tenant = options.tenant === undefined ? undefined : requireTenantId(options.tenant, '--tenant');
  const { exportAuditLogText, openAuditLogs } = await import('../../runtime/audit.js');
  const { databaseConfigFromEnv, openDatabase } = await import('../../store/index.js');
  const env = { ...(options.env ?? cli().env), VEIL_DATA_DIR: options.dataDir };
  const handle = await openDatabase(databaseConfigFromEnv(env, cli().cwd));
  try {
    const logs = await openAuditLogs({ db: handle.db, dataDir: options.dataDir });
    return await exportAuditLogText(logs, tenant);
  } finally {
    await handle.close();
  }
}

async function writeAtomically(path: string, text: string): Promise<void> {
  // A half-written export would fail verification and look like tampering; rename is atomic.
  const temp = join(dirname(path), `.${process.pid}.${Date.now()}.audit-export.tmp`);
  await writeFile(temp, text, { flag: 'wx' });
  await rename(temp, path);
}

/**
 * `veil audit export [--tenant T] [-o FILE]` and `veil audit verify EXPORT|RECEIPT [--public-key FILE]
 * [--output FILE]` (with `--output`, the file must be the output an `output.released` receipt names).
 * Verify exits 0 when everything holds, 1 naming the first entry that does not, 2 when the file
 * cannot be read.
 *
 * @example
 * ```ts
 * registerAudit(program); // veil audit export --tenant acme -o acme.jsonl && veil audit verify acme.jsonl --public-key key.json
 * ```
 */
export function registerAudit(program: Command): void {
  const audit = program.command('audit').description('export and verify the tamper-evident audit log');
  audit
    .command('export')
    .description(
      `write a self-contained, verifiable export of a tenant's audit log (default: the system log, ${SYSTEM_AUDIT_LOG})`,
    )
    .option('--tenant <id>', 'the tenant whose log to export')
    .option('-o, --output <file>', 'write to this file instead of stdout')
    .option(
      '--data-dir <dir>',
      'where the database (unless DATABASE_URL) and the audit signing key live (VEIL_DATA_DIR)',
      defaultDataDir(),
    )
    .action(async (flags: ExportFlags) => {
      const text = await auditExportCommand({
        dataDir: flags.dataDir,
        ...(flags.tenant === undefined ? {} : { tenant: flags.tenant }),
      });
      if (flags.output === undefined) cli().stdout.write(text);
      else {
        await writeAtomically(flags.output, text);
        cli().stderr.write(`audit export written to ${flags.output}\n`);
      }
    });
  audit
    .command('verify')
    .description(
      'recompute the tree of an export (or check a receipt), every signature and proof; name the first bad entry',
    )
    .argument(
      '<file>',
      'an export (JSON Lines), a receipt (JSON), or an output receipt as the veil-output-receipt header gave it',
    )
    .option(
      '--public-key <file>',
      'the audit public key to pin (JWK as /v1/audit/public-key serves it, or SPKI PEM)',
    )
    .option(
      '--output <file>',
      'with an output receipt: also check that this file is the output Veil released (same SHA-256 and length)',
    )
    .action(async (file: string, flags: VerifyFlags) => {
      const { auditVerifyCommand } = await import('../../audit/index.js');
      const outcome = await auditVerifyCommand(file, {
        ...(flags.publicKey === undefined ? {} : { publicKeyPath: flags.publicKey }),
        ...(flags.output === undefined ? {} : { outputPath: flags.output }),
      });
      // The verdict is the command's output either way; the exit code tells a script which.
      await writeLine(outcome.output.trimEnd());
      cli().exitCode = outcome.exitCode;
    });
}
