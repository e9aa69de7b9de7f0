/**
 * Policy directories for the governance tests: the shipped default with some top-level keys
 * changed, written to a temp directory as an operator would.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { repoUrl } from '../repo-paths.js';
import { tempDir } from '../temp-dir.js';

export const SHIPPED_DEFAULT = repoUrl('policies/default.yaml');

/** The shipped default policy as data. */
export async function shippedDefault(): Promise<Record<string, unknown>> {
  return parse(await readFile(SHIPPED_DEFAULT, 'utf8'), { maxAliasCount: 100 }) as Record<string, unknown>;
}

/** A policy directory whose files are the shipped default with `changes` applied (top-level keys). */
export async function policyDir(files: Readonly<Record<string, Record<string, unknown>>>): Promise<string> {
  const dir = tempDir('veil-policies-');
  const base = await shippedDefault();
  for (const [name, changes] of Object.entries(files))
    await writeFile(join(dir, `${name}.yaml`), stringify({ ...base, ...changes }));
  return dir;
}

/**
 * API settings for these tests: generous rate limits, and no load shedding on event-loop delay,
 * which the embedded workers' detection causes on a loaded two-core machine (the shedding has its
 * own tests).
 */
export const QUIET_API = {
  rateLimit: { max: 100_000, windowMs: 60_000 },
  overload: { maxEventLoopDelayMs: 0 },
};
