import type { Command } from 'commander';
import { writeLine } from '../io.js';

/** `veil entities`: lists every entity type the built-in recognizers report. */
export function registerEntities(program: Command): void {
  program
    .command('entities')
    .description('list the entity types Veil detects')
    .action(async () => {
      const { supportedEntities } = await import('../../engine/recognizers/index.js');
      for (const type of supportedEntities()) await writeLine(type);
    });
}
