#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { isVeilError } from '../errors/veil-error.js';
import { registerAnalyze } from './commands/analyze.js';
import { registerApiKey } from './commands/apikey.js';
import { registerAudit } from './commands/audit.js';
import { registerBackup } from './commands/backup.js';
import { registerConfig } from './commands/config.js';
import { registerEntities } from './commands/entities.js';
import { registerExtract } from './commands/extract.js';
import { registerFields } from './commands/fields.js';
import { registerGovernance } from './commands/governance.js';
import { registerHold } from './commands/hold.js';
import { registerKeys } from './commands/keys.js';
import { registerToken } from './commands/token.js';
import { registerRedact } from './commands/redact.js';
import { registerWorker } from './commands/worker.js';
import { registerServe } from './commands/serve.js';
import { registerRisk } from './commands/risk.js';
import { registerCompliance } from './commands/compliance.js';
import { registerPrivacy } from './commands/privacy.js';

/** Exit codes: 0 success, 1 input error (stable code on stderr), 2 usage error. */
const EXIT_INPUT = 1;
const EXIT_USAGE = 2;

// A closed pipe (`veil extract big.pdf | head`) means the reader has what it wanted.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

const program = new Command();
program
  .name('veil')
  .description('Veil: privacy-first document AI pipeline (detect, redact, pseudonymise, audit)')
  .version('0.1.0')
  .exitOverride()
  .configureOutput({ outputError: (message, write) => write(message) });

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
registerCompliance(program);
registerPrivacy(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    process.exitCode = error.exitCode === 0 ? 0 : EXIT_USAGE;
  } else if (isVeilError(error)) {
    // Only the code and the message, which never holds content; never the cause or stack.
    process.stderr.write(`error ${error.code}: ${error.message}\n`);
    process.exitCode = EXIT_INPUT;
  } else {
    process.stderr.write(
      'error VEIL_INTERNAL: an unexpected failure; please report it with the command you ran\n',
    );
    process.exitCode = EXIT_INPUT;
  }
}
