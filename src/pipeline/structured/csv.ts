import type { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parse } from 'csv-parse';
import { stringify } from 'csv-stringify';
import { createRowAnonymizer } from '../../engine/anonymize/structured/csv.js';
import type { StructuredOptions } from '../../engine/anonymize/structured/rules.js';
import { malformedCsv } from '../../documents/parsers/csv.js';
import { isVeilError, VeilError } from '../../errors/veil-error.js';
import { enforceKAnonymity } from '../../privacy/risk/k-anonymity.js';
import type { KAnonymityOptions } from '../../privacy/risk/k-anonymity.js';

export interface CsvAnonymizeOptions extends StructuredOptions {
  /** The first record names the columns (default true); it is written through unchanged. */
  readonly header?: boolean;
  /** One character (default `,`). */
  readonly delimiter?: string;
  /** The largest record accepted, so one runaway quoted field cannot take all memory (default 16 MiB). */
  readonly maxRecordBytes?: number;
  /**
   * Require k-anonymity of the output over these quasi-identifier columns (the policy's
   * `k_anonymity`): the anonymised rows are held until the end, generalised and suppressed until
   * every class has k rows, then written; or VEIL_K_ANONYMITY_UNMET and nothing is written. Needs
   * a header. Memory then grows with the table, since classes span the whole of it.
   */
  readonly kAnonymity?: KAnonymityOptions;
}

/** Counts only: a summary can be logged, since it holds no content. */
export interface CsvSummary {
  readonly rows: number;
  /** Anonymised values by entity type. */
  readonly byType: Readonly<Record<string, number>>;
  /** Anonymised values by the operator applied. */
  readonly byOperator: Readonly<Record<string, number>>;
  /** With k-anonymity: k reached, rows suppressed, and the generalisation level of each quasi column. */
  readonly kAnonymity?: {
    readonly k: number;
    readonly suppressedRows: number;
    readonly levels: Readonly<Record<string, number>>;
  };
}

const DEFAULT_MAX_RECORD = 16 * 1024 * 1024;

/**
 * Streams a CSV through the row anonymiser: one record is parsed, anonymised and written at a
 * time with back-pressure, so memory stays flat however large the file is (the replace
 * operator's numbering is the one thing that grows, with the number of distinct values).
 * Parse errors become VEIL_MALFORMED_CSV with the line number and never the content.
 *
 * @example
 * ```ts
 * await anonymizeCsv(createReadStream('in.csv'), createWriteStream('out.csv'), {
 *   plan: { default: { operator: 'replace' } },
 *   rules: { fields: { name: { type: 'PERSON' }, notes: 'detect' } },
 *   analyze: createAnalyzer(),
 * });
 * ```
 */
export async function anonymizeCsv(
  input: Readable,
  output: Writable,
  options: CsvAnonymizeOptions,
): Promise<CsvSummary> {
  const header = options.header ?? true;
  const delimiter = options.delimiter ?? ',';
  const byType: Record<string, number> = {};
  const byOperator: Record<string, number> = {};
  let rows = 0;
  let kAnonymity: CsvSummary['kAnonymity'];
  const parser = parse({
    bom: true,
    delimiter,
    max_record_size: options.maxRecordBytes ?? DEFAULT_MAX_RECORD,
  });
  try {
    await pipeline(
      input,
      parser,
      async function* (records: AsyncIterable<string[]>) {
        let anonymizeRow: ReturnType<typeof createRowAnonymizer> | undefined = header
          ? undefined
          : createRowAnonymizer(undefined, options);
        let columns: string[] | undefined;
        const held: string[][] = [];
        for await (const record of records) {
          if (!anonymizeRow) {
            anonymizeRow = createRowAnonymizer(record, options);
            columns = record;
            yield record;
            continue;
          }
          const done = await anonymizeRow(record);
          rows += 1;
          for (const item of done.items) {
            byType[item.type] = (byType[item.type] ?? 0) + 1;
            byOperator[item.operator] = (byOperator[item.operator] ?? 0) + 1;
          }
          if (options.kAnonymity === undefined) yield done.row;
          else held.push(done.row);
        }
        if (options.kAnonymity !== undefined) {
          if (columns === undefined)
            throw new VeilError(
              'VEIL_INVALID_OPTION',
              'csv: k-anonymity needs a header row naming the quasi-identifier columns',
            );
          const safe = enforceKAnonymity(columns, held, options.kAnonymity);
          kAnonymity = { k: safe.k, suppressedRows: safe.suppressedRows, levels: safe.levels };
          yield* safe.rows;
        }
      },
      stringify({ delimiter }),
      output,
    );
  } catch (error) {
    if (isVeilError(error)) throw error;
    throw malformedCsv(error) ?? error;
  }
  return { rows, byType, byOperator, ...(kAnonymity === undefined ? {} : { kAnonymity }) };
}
