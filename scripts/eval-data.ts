/**
 * Where the scripts find the shared evaluation data (`../shared/eval`, third-party datasets that
 * are never copied into the repository): `VEIL_EVAL_DIR` when set (a git worktree has no
 * ../shared beside it), the folder beside the repository otherwise.
 */
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

/**
 * The evaluation data's folder (or `sub`, a folder or file inside it) as a URL; when it is absent
 * the script prints why it skipped and exits 0, so a checkout without the data runs cleanly.
 *
 * @example
 * ```ts
 * const sroie = evalDataOrSkip('eval:fields', 'sroie/');
 * ```
 */
export function evalDataOrSkip(script: string, sub = ''): URL {
  const root = process.env.VEIL_EVAL_DIR
    ? pathToFileURL(`${process.env.VEIL_EVAL_DIR.replace(/\/$/, '')}/`)
    : new URL('../../shared/eval/', import.meta.url);
  const url = new URL(sub, root);
  if (!existsSync(url)) {
    console.log(`${script} skipped: the shared evaluation data (../shared/eval/${sub}) is absent`);
    process.exit(0);
  }
  return url;
}
