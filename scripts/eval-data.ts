/**
 * Where the scripts find the shared evaluation data (`../shared/eval`, third-party datasets that
 * are never copied into the repository): `VEIL_EVAL_DIR` when set (a git worktree has no
 * ../shared beside it), the folder beside the repository otherwise.
 */
import { existsSync, readFileSync } from 'node:fs';
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

/**
 * The texts of presidio-research's generated samples (`generated_small.json`, `generated_large.json`).
 *
 * @example
 * ```ts
 * const sentences = presidioTexts(evalDataOrSkip('bench:detect'), 'generated_large.json');
 * ```
 */
export function presidioTexts(evalData: URL, name: string): string[] {
  const samples = JSON.parse(readFileSync(new URL(`presidio-research/${name}`, evalData), 'utf8')) as Array<{
    full_text: string;
  }>;
  return samples.map((sample) => sample.full_text);
}

/**
 * The texts of the TAB court judgments, train then dev.
 *
 * @example
 * ```ts
 * const judgments = tabTexts(evalDataOrSkip('bench:detect'));
 * ```
 */
export function tabTexts(evalData: URL): string[] {
  return ['tab/tab144_train.jsonl', 'tab/tab144_dev.jsonl'].flatMap((file) =>
    readFileSync(new URL(file, evalData), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => (JSON.parse(line) as { text: string }).text),
  );
}
