import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { VeilError } from '../../errors/veil-error.js';
import type { RiskReport } from '../../privacy/risk/measure.js';
import { writeLine } from '../io.js';
import { cli } from '../context.js';

interface RiskFlags {
  quasi: string;
  sensitive?: string;
  k?: string;
  json?: boolean;
}

/**
 * The risk report of a CSV file with a header row: k, the share of unique rows and, with a
 * sensitive column, l-diversity. Figures only, never a cell value.
 *
 * @example
 * ```ts
 * const report = await riskCommand('patients.csv', { quasi: ['age', 'zip', 'sex'], sensitive: 'diagnosis' });
 * report.k; // 1 → at least one person is alone in their class
 * ```
 */
export async function riskCommand(
  file: string,
  options: { quasi: readonly string[]; sensitive?: string; kTarget?: number },
): Promise<RiskReport> {
  const { parse } = await import('csv-parse/sync');
  const { malformedCsv } = await import('../../documents/parsers/csv.js');
  const { measureRisk } = await import('../../privacy/risk/measure.js');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    throw new VeilError('VEIL_FILE_NOT_FOUND', 'the input file does not exist or cannot be read', { cause });
  }
  let records: string[][];
  try {
    records = parse(text, { bom: true, relax_column_count: false }) as string[][];
  } catch (error) {
    throw malformedCsv(error) ?? error;
  }
  const [header, ...rows] = records;
  if (header === undefined) throw new VeilError('VEIL_INVALID_INPUT', 'risk: the file has no header row');
  return measureRisk(header, rows, options);
}

function percent(share: number): string {
  return `${(share * 100).toFixed(1)}%`;
}

/**
 * `veil risk FILE.csv --quasi age,zip,sex [--sensitive col] [--k N] [--json]`: exits 0, or 3 when
 * `--k` is given and the table is not k-anonymous.
 *
 * @example
 * ```ts
 * registerRisk(program); // veil risk out.csv --quasi age,zip,sex --sensitive diagnosis --k 5
 * ```
 */
export function registerRisk(program: Command): void {
  program
    .command('risk')
    .description('re-identification risk of a CSV table: k-anonymity, unique rows, l-diversity')
    .argument('<file>', 'a CSV file with a header row')
    .requiredOption('--quasi <columns>', 'the quasi-identifier columns, comma-separated (e.g. age,zip,sex)')
    .option('--sensitive <column>', 'a sensitive column, for l-diversity')
    .option('--k <n>', 'the k the table must reach; exit 3 when it does not')
    .option('--json', 'print the report as JSON')
    .action(async (file: string, flags: RiskFlags) => {
      const quasi = flags.quasi
        .split(',')
        .map((c) => c.trim())
        .filter((c) => c !== '');
      const kTarget = flags.k === undefined ? undefined : Number(flags.k);
      if (kTarget !== undefined && !(Number.isInteger(kTarget) && kTarget >= 1))
        throw new VeilError('VEIL_INVALID_OPTION', 'risk: --k must be a whole number of at least 1');
      const report = await riskCommand(file, {
        quasi,
        ...(flags.sensitive === undefined ? {} : { sensitive: flags.sensitive }),
        ...(kTarget === undefined ? {} : { kTarget }),
      });
      if (flags.json === true) await writeLine(JSON.stringify(report));
      else {
        await writeLine(`rows: ${report.rows}`);
        await writeLine(`quasi-identifiers: ${report.quasi.join(', ')}`);
        await writeLine(`equivalence classes: ${report.classes}`);
        await writeLine(`k (smallest class): ${report.k}`);
        await writeLine(`unique rows: ${percent(report.uniqueShare)}`);
        if (report.rowsBelowK !== undefined)
          await writeLine(`rows in classes below k=${kTarget}: ${report.rowsBelowK}`);
        if (report.l !== undefined) {
          await writeLine(`l-diversity of ${report.sensitive}: ${report.l}`);
          await writeLine(`classes with one ${report.sensitive} value: ${report.homogeneousClasses}`);
        }
      }
      if (kTarget !== undefined && report.rows > 0 && report.k < kTarget) cli().exitCode = 3;
    });
}
