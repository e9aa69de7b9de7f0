/**
 * Where Veil's own files live: the directory holding its package.json (the repository in a
 * checkout, the installed package otherwise). `policies/`, `dist/console/` and, in a checkout,
 * `docs/` and `test/fixtures/` sit there. Code that reads one of them joins it to this root instead
 * of counting `../` from its own file, because the depth of a compiled file depends on the build:
 * `src/runtime/x.ts` (tsx), `dist/runtime/x.js` (`npm run build`) and `.build/src/runtime/x.js` (the
 * compiled test run, `tsconfig.test.json`) all find the same root.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { VeilError } from './errors/veil-error.js';

/**
 * The nearest directory at or above `from` that holds a package.json. Neither `.build/` nor
 * `dist/` holds one, so from any of Veil's source or compiled files it is the package's root.
 *
 * @example
 * ```ts
 * packageRoot('/srv/veil/dist/runtime'); // '/srv/veil'
 * ```
 */
export function packageRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir)
      throw new VeilError('VEIL_INTERNAL', 'no package.json above the running module');
  }
}

/** Veil's root directory, found once from this module. */
export const PACKAGE_ROOT = packageRoot(dirname(fileURLToPath(import.meta.url)));

/**
 * A path inside Veil's root directory; a last segment ending in `/` keeps its slash (a directory).
 *
 * @example
 * ```ts
 * readFileSync(packagePath('policies', 'default.yaml'), 'utf8');
 * packagePath('dist', 'console/'); // '/srv/veil/dist/console/'
 * ```
 */
export function packagePath(...segments: readonly string[]): string {
  return join(PACKAGE_ROOT, ...segments);
}
