/**
 * Files of the repository that tests read (docs, policies, fixtures, the built console) and the
 * third-party eval data beside it. Tests run from `test/` under tsx and from `.build/test/` when
 * compiled, so they find these through the package root rather than `../` from their own file.
 */
import { pathToFileURL } from 'node:url';
import { PACKAGE_ROOT } from '../src/package-root.js';

const ROOT_URL = pathToFileURL(`${PACKAGE_ROOT}/`);

/**
 * A file or directory (with a trailing `/`) of the repository, by its path from the root.
 *
 * @example
 * ```ts
 * readFileSync(repoUrl('docs/errors.md'), 'utf8');
 * ```
 */
export function repoUrl(path: string): URL {
  return new URL(path, ROOT_URL);
}

/**
 * The shared eval data: `VEIL_EVAL_DIR` when set (a git worktree has no ../shared next to it),
 * `../shared/eval/` beside the repository otherwise.
 */
export const EVAL_URL = process.env.VEIL_EVAL_DIR
  ? pathToFileURL(`${process.env.VEIL_EVAL_DIR.replace(/\/$/, '')}/`)
  : repoUrl('../shared/eval/');
