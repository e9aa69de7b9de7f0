import { InvalidArgumentError, type Command } from 'commander';
import { HOLD_REASONS } from '../../privacy/legal-holds/codes.js';
import type { HoldReason } from '../../privacy/legal-holds/codes.js';
import type { LegalHold } from '../../privacy/legal-holds/holds.js';
import type { HoldRequestTarget } from '../../api/routes/legal-holds.js';
import type { DatabaseHandle } from '../../store/database.js';
import { defaultDataDir, withKeyring } from '../keyring.js';
import { writeLine } from '../io.js';

const CLI_ACTOR = { id: 'veil-cli', role: 'admin' } as const;

interface CommonFlags {
  tenant: string;
  dataDir: string;
}

interface PlaceFlags extends CommonFlags {
  job?: string;
  subjectRef?: string;
  wholeTenant?: boolean;
  reason: HoldReason;
  reference: string;
}

function parseReason(value: string): HoldReason {
  if (!(HOLD_REASONS as readonly string[]).includes(value))
    throw new InvalidArgumentError(`expected one of ${HOLD_REASONS.join(', ')}`);
  return value as HoldReason;
}

function targetOf(flags: PlaceFlags): HoldRequestTarget {
  const given = [flags.job, flags.subjectRef, flags.wholeTenant].filter((v) => v !== undefined);
  if (given.length !== 1)
    throw new InvalidArgumentError('give exactly one of --job, --subject-ref or --whole-tenant');
  if (flags.job !== undefined) return { scope: 'job', jobId: flags.job };
  if (flags.subjectRef !== undefined) return { scope: 'subject', subjectRef: flags.subjectRef };
  return { scope: 'tenant' };
}

/** One line per hold: id, scope, job, reason, reference, placed, lifted. */
function holdLine(hold: LegalHold): string {
  return [
    hold.id,
    hold.scope,
    hold.jobId ?? '-',
    hold.reason,
    hold.reference,
    hold.placedAt.toISOString(),
    hold.liftedAt === null ? 'standing' : `lifted ${hold.liftedAt.toISOString()}`,
  ].join('\t');
}

/**
 * `veil hold place|lift|list`: legal holds from the command line, through the same commands
 * as `/v1/legal-holds` (audited as `legal_hold.placed` and `legal_hold.lifted` by `veil-cli`).
 *
 * @example
 * ```ts
 * registerHold(program); // veil hold place --tenant acme --whole-tenant --reason litigation --reference MATTER-17
 * ```
 */
export function registerHold(program: Command): void {
  const hold = program
    .command('hold')
    .description('legal holds: keep a job, a data subject or a tenant from retention deletion and erasure');
  const withCommon = (command: Command) =>
    command
      .option('--tenant <id>', 'the tenant', 'default')
      .option('--data-dir <dir>', 'where keys and data live (VEIL_DATA_DIR)', defaultDataDir());
  const logsFor = async (db: DatabaseHandle['db'], dataDir: string) => {
    const { openAuditLogs } = await import('../../runtime/audit.js');
    const { deploymentRegion } = await import('../governance-env.js');
    return openAuditLogs({ db, dataDir, ...deploymentRegion() });
  };

  withCommon(hold.command('place').description('place a legal hold; prints the hold'))
    .option('--job <id>', 'hold one job')
    .option('--subject-ref <ref>', "hold a data subject's jobs (your reference, stored only as HMACs)")
    .option('--whole-tenant', 'hold every job of the tenant (a matter)')
    .requiredOption('--reason <code>', `why: ${HOLD_REASONS.join(', ')}`, parseReason)
    .requiredOption('--reference <id>', 'the matter or ticket id the hold serves')
    .action(async (flags: PlaceFlags) => {
      const target = targetOf(flags);
      const { placeLegalHold } = await import('../../runtime/governance.js');
      const placed = await withKeyring(flags.dataDir, async (keyring, db) =>
        placeLegalHold({ db, keyring }, await logsFor(db, flags.dataDir), CLI_ACTOR, flags.tenant, target, {
          reason: flags.reason,
          reference: flags.reference,
        }),
      );
      await writeLine(holdLine(placed.hold));
    });

  withCommon(hold.command('lift').description('lift a legal hold; what it kept is deleted at the next sweep'))
    .argument('<id>', 'the hold id')
    .action(async (id: string, flags: CommonFlags) => {
      const { liftLegalHold } = await import('../../runtime/governance.js');
      const lifted = await withKeyring(flags.dataDir, async (_keyring, db) =>
        liftLegalHold(db, await logsFor(db, flags.dataDir), CLI_ACTOR, flags.tenant, id),
      );
      await writeLine(holdLine(lifted.hold));
    });

  withCommon(hold.command('list').description("list the tenant's standing holds"))
    .option('--all', 'lifted holds too')
    .action(async (flags: CommonFlags & { all?: boolean }) => {
      const { listHolds } = await import('../../privacy/legal-holds/holds.js');
      const holds = await withKeyring(flags.dataDir, (_keyring, db) =>
        listHolds(db, flags.tenant, { includeLifted: flags.all === true }),
      );
      for (const h of holds) await writeLine(holdLine(h));
      if (holds.length === 0) await writeLine(`tenant ${flags.tenant}: no legal holds`);
    });
}
