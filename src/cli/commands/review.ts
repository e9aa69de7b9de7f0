import type { Command } from 'commander';
import { requireTenantId } from '../../access/principal.js';
import { writeLine } from '../io.js';
import { defaultDataDir } from '../keyring.js';
import { cli } from '../context.js';

/**
 * `veil review regressions --tenant T`: re-runs extraction on the tenant's regression cases (the
 * corrections reviewers made on jobs whose consent allows quality improvement) and prints, one
 * line per case, whether the extractor now gives the corrected value. Names, types, scores and a
 * verdict only: no value is printed.
 *
 * @example
 * ```ts
 * registerReview(program); // veil review regressions --tenant acme
 * ```
 */
export function registerReview(program: Command): void {
  program
    .command('review')
    .description('the human review of uncertain fields')
    .command('regressions')
    .description(
      "re-run extraction on a tenant's regression cases (reviewers' corrections) and print what changed; exits 1 when any case still differs",
    )
    .requiredOption('--tenant <tenant>', 'the tenant whose cases to run')
    .option('--data-dir <dir>', 'where keys and data live (VEIL_DATA_DIR)', defaultDataDir())
    .action(async (flags: { tenant: string; dataDir: string }) => {
      const tenant = requireTenantId(flags.tenant, '--tenant');
      const { commandConfig } = await import('../settings.js');
      const { openRuntime } = await import('../../runtime/runtime.js');
      const { blobSettingsFromConfig } = await import('../../runtime/blobs.js');
      const { runRegressions } = await import('../../pipeline/review/regressions.js');
      const runtime = await openRuntime({
        dataDir: flags.dataDir,
        ...(cli().env.DATABASE_URL === undefined ? {} : { databaseUrl: cli().env.DATABASE_URL }),
        // The cases are read where the service stored them.
        blobs: blobSettingsFromConfig(commandConfig()),
      });
      try {
        const results = await runRegressions({ db: runtime.handle.db, blobs: runtime.blobs }, tenant);
        for (const r of results)
          await writeLine(
            [
              r.matches ? 'fixed' : 'differs',
              r.jobId ?? '-',
              r.field,
              r.type,
              r.template ?? '-',
              r.status,
              r.confidence.toFixed(2),
            ].join('\t'),
          );
        const differing = results.filter((r) => !r.matches).length;
        cli().stderr.write(
          `veil review regressions: ${results.length} case(s), ${results.length - differing} now extracted as corrected, ${differing} still differ\n`,
        );
        if (differing > 0) cli().exitCode = 1;
      } finally {
        await runtime.close();
      }
    });
}
