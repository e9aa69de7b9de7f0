#!/usr/bin/env node
import { processIo, runCli } from './run.js';

// A closed pipe (`veil extract big.pdf | head`) means the reader has what it wanted.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

process.exitCode = await runCli(process.argv.slice(2), processIo());
