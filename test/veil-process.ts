/**
 * How a test starts `veil` as its own process, from the tree the test itself runs from: the
 * compiled `.build/src/cli/main.js` under `npm test`, `src/cli/main.ts` through tsx when one test
 * file runs under tsx (the same choice `src/runtime/detection-pool.ts` makes for its workers).
 */
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';

const extension = extname(fileURLToPath(import.meta.url));

/** The CLI's entry point in this tree (absolute, so any working directory will do). */
export const VEIL_MAIN = fileURLToPath(new URL(`../src/cli/main${extension}`, import.meta.url));

/**
 * The arguments after `node` that run `veil ARGS`.
 *
 * @example
 * ```ts
 * spawnSync(process.execPath, veilNodeArgs(['worker', '--concurrency', '2']), { cwd: PACKAGE_ROOT });
 * ```
 */
export function veilNodeArgs(args: readonly string[]): string[] {
  return extension === '.ts' ? ['--import', 'tsx', VEIL_MAIN, ...args] : [VEIL_MAIN, ...args];
}
