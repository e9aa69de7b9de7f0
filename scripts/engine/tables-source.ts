/**
 * The engine's generated tables, derived from the sources they describe: the prefilter facts of
 * every built-in pattern (`src/engine/scan/regex-facts.generated.json`) and the gazetteers' hash
 * table (`src/engine/ner/data/gazetteer-table.generated.json`). Deriving them cost most of the
 * engine's import time, so it is done here once; a test regenerates them and fails when a
 * committed file differs (`npm run generate:engine-tables` rewrites them).
 */
import { readFileSync } from 'node:fs';
import { gazetteerEntries } from '../../src/engine/ner/gazetteer.js';
import { toBase64 } from '../../src/engine/ner/perceptron.js';
import { sortedWordHashes } from '../../src/engine/ner/tokenizer.js';
import { defaultRecognizers } from '../../src/engine/recognizers/index.js';
import { PHONE_CANDIDATE } from '../../src/engine/recognizers/contact.js';
import { readRegexFacts, toRegexFactsRecord } from '../../src/engine/scan/regex-facts.js';
import { packagePath } from '../../src/package-root.js';

/** The command that rewrites the tables, for messages. */
export const REGENERATE_COMMAND = 'npm run generate:engine-tables';

/** One generated file: where it lives (relative to the repository) and what it holds. */
export interface GeneratedTable {
  readonly path: string;
  readonly text: string;
}

/**
 * Every regular expression of the built-in pattern recognizers, each once, in key order.
 *
 * @example
 * ```ts
 * builtInPatterns().length; // a few hundred
 * ```
 */
export function builtInPatterns(): RegExp[] {
  // The phone recognizer is not a pattern recognizer; it reads the length of its candidate pattern.
  const byKey = new Map<string, RegExp>([[String(PHONE_CANDIDATE), PHONE_CANDIDATE]]);
  for (const recognizer of defaultRecognizers())
    if ('patterns' in recognizer)
      for (const regex of recognizer.patterns as readonly RegExp[]) byKey.set(String(regex), regex);
  return [...byKey.keys()].sort().map((key) => byKey.get(key)!);
}

/**
 * The regex-facts table: each built-in pattern's facts, read from its syntax tree, one per line.
 *
 * @example
 * ```ts
 * regexFactsTable().path; // 'src/engine/scan/regex-facts.generated.json'
 * ```
 */
export function regexFactsTable(): GeneratedTable {
  const lines = builtInPatterns().map(
    (regex) =>
      `  ${JSON.stringify(String(regex))}: ${JSON.stringify(toRegexFactsRecord(readRegexFacts(regex)))}`,
  );
  return { path: 'src/engine/scan/regex-facts.generated.json', text: `{\n${lines.join(',\n')}\n}\n` };
}

/**
 * The gazetteer table: the entries of `gazetteerEntries` over `data/gazetteers.json` (keys as
 * 32-bit integers, list masks as 16-bit ones) and the everyday words' sorted hashes, packed.
 *
 * @example
 * ```ts
 * gazetteerTable().path; // 'src/engine/ner/data/gazetteer-table.generated.json'
 * ```
 */
export function gazetteerTable(): GeneratedTable {
  const lists = JSON.parse(
    readFileSync(packagePath('src', 'engine', 'ner', 'data', 'gazetteers.json'), 'utf8'),
  ) as Record<string, readonly string[]>;
  const entries = gazetteerEntries(lists);
  const table = {
    comment: `Generated from gazetteers.json and gazetteer.ts by ${REGENERATE_COMMAND}; do not edit.`,
    keys: toBase64(new Uint8Array(Int32Array.from(entries.keys()).buffer)),
    bits: toBase64(new Uint8Array(Uint16Array.from(entries.values()).buffer)),
    everyday: toBase64(new Uint8Array(sortedWordHashes(lists.everyday ?? []).buffer)),
  };
  return {
    path: 'src/engine/ner/data/gazetteer-table.generated.json',
    text: `${JSON.stringify(table, null, 1)}\n`,
  };
}

/**
 * Every generated table of the engine.
 *
 * @example
 * ```ts
 * engineTables().map((table) => table.path);
 * ```
 */
export function engineTables(): GeneratedTable[] {
  return [regexFactsTable(), gazetteerTable()];
}
