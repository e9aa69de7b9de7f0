import { Command, CommanderError } from 'commander';
import { isVeilError } from '../errors/veil-error.js';
import { registerAnalyze } from './commands/analyze.js';
import { registerApiKey } from './commands/apikey.js';
import { registerAudit } from './commands/audit.js';
import { registerBackup } from './commands/backup.js';
import { registerCompliance } from './commands/compliance.js';
import { registerConfig } from './commands/config.js';
import { registerEntities } from './commands/entities.js';
import { registerExtract } from './commands/extract.js';
import { registerFields } from './commands/fields.js';
import { registerGovernance } from './commands/governance.js';
import { registerHold } from './commands/hold.js';
import { registerKeys } from './commands/keys.js';
import { registerPrivacy } from './commands/privacy.js';
import { registerRedact } from './commands/redact.js';
import { registerReview } from './commands/review.js';
import { registerRisk } from './commands/risk.js';
import { registerServe } from './commands/serve.js';
import { registerToken } from './commands/token.js';
import { registerWorker } from './commands/worker.js';
import { processCliIo, withCliContext, type CliIo } from './context.js';

/** Exit codes: 0 success, 1 input error (stable code on stderr), 2 usage error. */
const EXIT_INPUT = 1;
const EXIT_USAGE = 2;

/**
 * Every command is registered, so help lists them all; each command module imports only commander
 * and light helpers at load, and its action imports what it runs. `veil --version`, `veil --help`
 * and each command so load only their own code (test/cli/lazy-commands.test.ts holds them to it).
 */
function buildProgram(io: CliIo): Command {
  const program = new Command();
  program
    .name('veil')
    .description('Veil: privacy-first document AI pipeline (detect, redact, pseudonymise, audit)')
    .version('0.1.0')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      outputError: (message, write) => write(message),
    });
  registerAnalyze(program);
  registerApiKey(program);
  registerAudit(program);
  registerBackup(program);
  registerConfig(program);
  registerEntities(program);
  registerExtract(program);
  registerFields(program);
  registerGovernance(program);
  registerHold(program);
  registerKeys(program);
  registerToken(program);
  registerRedact(program);
  registerWorker(program);
  registerServe(program);
  registerRisk(program);
  registerReview(program);
  registerCompliance(program);
  registerPrivacy(program);
  return program;
}

/**
 * Runs the `veil` command line `args` (without the node and script paths) against `io`, and
 * answers the exit code: 0 success, 1 input error (stable code on stderr), 2 usage error, or the
 * code a command set (such as 3 from `veil risk` under its k target). `bin/veil` passes the
 * process's streams; tests pass their own and run commands in-process.
 *
 * @example
 * ```ts
 * process.exitCode = await runCli(process.argv.slice(2), processIo());
 * ```
 */
export async function runCli(args: readonly string[], io: CliIo): Promise<number> {
  return withCliContext(io, async (context) => {
    try {
      await buildProgram(io).parseAsync([...args], { from: 'user' });
      return context.exitCode ?? 0;
    } catch (error) {
      if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : EXIT_USAGE;
      if (isVeilError(error)) {
        // Only the code and the message, which never holds content; never the cause or stack.
        io.stderr.write(`error ${error.code}: ${error.message}\n`);
      } else {
        io.stderr.write(
          'error VEIL_INTERNAL: an unexpected failure; please report it with the command you ran\n',
        );
      }
      return EXIT_INPUT;
    }
  });
}

/** The process's own standard streams, environment and working directory. */
export function processIo(): CliIo {
  return processCliIo;
}
