/**
 * The governance settings `veil serve`, `veil worker` and `veil retention sweep` read from the
 * environment: `VEIL_POLICY_DIR`, `VEIL_REGION`, `VEIL_SWEEP_SECONDS`.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { VeilError } from '../errors/veil-error.js';
import { DEFAULT_SWEEP_SECONDS } from '../runtime/governance.js';
import { DEFAULT_POLICY_DIR } from '../policy/shipped.js';
import { cli } from './context.js';

/** The settings, validated; the message names the variable. */
export interface GovernanceEnv {
  readonly policyDir: string;
  readonly region?: string;
  readonly sweepIntervalSeconds: number;
}

/**
 * Reads the governance settings. `VEIL_POLICY_DIR` defaults to `./policies` when it holds a
 * `default.yaml`, else to the policies shipped with Veil.
 *
 * @example
 * ```ts
 * const { policyDir, region, sweepIntervalSeconds } = governanceEnv(process.env, process.cwd());
 * ```
 */
export function governanceEnv(env: Readonly<Record<string, string | undefined>>, cwd: string): GovernanceEnv {
  const dir = env.VEIL_POLICY_DIR;
  const local = join(cwd, 'policies');
  const policyDir =
    dir !== undefined && dir !== ''
      ? dir
      : existsSync(join(local, 'default.yaml'))
        ? local
        : DEFAULT_POLICY_DIR;
  const region = env.VEIL_REGION;
  if (region !== undefined && region !== '' && !/^[a-z][a-z0-9-]{0,31}$/.test(region))
    throw new VeilError('VEIL_INVALID_OPTION', 'VEIL_REGION must be a region code such as eu or us-east');
  const seconds =
    env.VEIL_SWEEP_SECONDS === undefined || env.VEIL_SWEEP_SECONDS === ''
      ? DEFAULT_SWEEP_SECONDS
      : Number(env.VEIL_SWEEP_SECONDS);
  if (!Number.isFinite(seconds) || seconds < 0 || seconds > 86_400)
    throw new VeilError(
      'VEIL_INVALID_OPTION',
      'VEIL_SWEEP_SECONDS must be a number of seconds from 0 (never) to 86400',
    );
  return {
    policyDir,
    ...(region === undefined || region === '' ? {} : { region }),
    sweepIntervalSeconds: seconds,
  };
}

/**
 * `VEIL_REGION` as an option to spread, for the audit logs a command opens: its events carry the
 * region as every process of the deployment records it.
 *
 * @example
 * ```ts
 * const logs = await openAuditLogs({ db, dataDir, ...deploymentRegion() });
 * ```
 */
export function deploymentRegion(): { region?: string } {
  const { region } = governanceEnv(cli().env, cli().cwd);
  return region === undefined ? {} : { region };
}
