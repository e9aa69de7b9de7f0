import type { Command } from 'commander';
import { defaultDataDir } from '../keyring.js';
import { writeLine } from '../io.js';
import { cli } from '../context.js';

/**
 * `veil policy check DIR` (validates every policy, prints each id and hash), `veil policy diff A
 * B` (the settings that differ), and `veil retention sweep` (one retention pass, for cron).
 *
 * @example
 * ```ts
 * registerGovernance(program); // veil policy check policies/
 * ```
 */
export function registerGovernance(program: Command): void {
  const policy = program.command('policy').description('validate and compare policy files (policy as code)');
  policy
    .command('check')
    .argument('<dir>', 'a policy directory: <tenant>.yaml files and default.yaml')
    .description(
      'validate every policy in DIR and print its id and hash; exits 1 naming the file and field of the first invalid one',
    )
    .action(async (dir: string) => {
      const { loadPolicyDirectory } = await import('../../policy/tenant-policies.js');
      for (const p of (await loadPolicyDirectory(dir)).values()) await writeLine(`${p.id}\t${p.hash}`);
    });
  policy
    .command('diff')
    .argument('<a>', 'a policy file')
    .argument('<b>', 'another policy file')
    .description('print the settings that differ between two policy files, one per line')
    .action(async (a: string, b: string) => {
      const { diffPolicies } = await import('../../policy/tenant-policies.js');
      const { loadPolicy } = await import('../../policy/load.js');
      const differences = diffPolicies(await loadPolicy(a), await loadPolicy(b));
      for (const d of differences)
        await writeLine(
          `${d.path}: ${JSON.stringify(d.before) ?? '(absent)'} -> ${JSON.stringify(d.after) ?? '(absent)'}`,
        );
      if (differences.length === 0) await writeLine('no differences');
    });

  program
    .command('retention')
    .description('retention of job artifacts')
    .command('sweep')
    .description(
      'delete every artifact past its retention deadline now (one pass; `veil serve` and `veil worker` sweep every VEIL_SWEEP_SECONDS)',
    )
    .option('--data-dir <dir>', 'where keys and data live (VEIL_DATA_DIR)', defaultDataDir())
    .action(async (flags: { dataDir: string }) => {
      const { governanceEnv } = await import('../governance-env.js');
      const { commandConfig } = await import('../settings.js');
      const { openRuntime } = await import('../../runtime/runtime.js');
      const { blobSettingsFromConfig } = await import('../../runtime/blobs.js');
      const { openAuditLogs } = await import('../../runtime/audit.js');
      const { retentionAudit } = await import('../../runtime/governance.js');
      const { sweepRetention } = await import('../../privacy/retention/sweeper.js');
      const { DatabaseTokenVault } = await import('../../store/token-vault.js');
      const { region } = governanceEnv(cli().env, cli().cwd);
      const runtime = await openRuntime({
        dataDir: flags.dataDir,
        ...(region === undefined ? {} : { region }),
        ...(cli().env.DATABASE_URL === undefined ? {} : { databaseUrl: cli().env.DATABASE_URL }),
        // The sweep deletes blobs where the service keeps them.
        blobs: blobSettingsFromConfig(commandConfig()),
      });
      try {
        const logs = await openAuditLogs({
          db: runtime.handle.db,
          dataDir: runtime.dataDir,
          ...(region === undefined ? {} : { region }),
        });
        const report = await sweepRetention(
          { db: runtime.handle.db, blobs: runtime.blobs },
          retentionAudit(logs),
          {
            ...(region === undefined ? {} : { region }),
            vault: new DatabaseTokenVault({ db: runtime.handle.db, keyring: runtime.keyring }),
          },
        );
        await writeLine(JSON.stringify(report));
      } finally {
        await runtime.close();
      }
    });
}
