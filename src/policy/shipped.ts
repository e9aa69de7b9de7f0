/**
 * The policies shipped with Veil, found from the package's root (`src/package-root.ts`), so
 * `src/`, `dist/` and `.build/src/` all read the same files.
 */
import { packagePath } from '../package-root.js';

/**
 * The policy used when none is given: `veil redact` without `--policy`, the reports, and the
 * service's tenants without a file of their own.
 */
export const DEFAULT_POLICY_PATH = packagePath('policies', 'default.yaml');

/** The policy directory used when `VEIL_POLICY_DIR` is unset and `./policies` has no `default.yaml`. */
export const DEFAULT_POLICY_DIR = packagePath('policies/');
