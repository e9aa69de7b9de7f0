/**
 * Policy as code: one policy per tenant in a directory the deployment names (`VEIL_POLICY_DIR`),
 * `<tenant>.yaml`, else `default.yaml`. Every file is validated at load, so a service refuses to
 * start on an invalid policy and the message names the file and the setting. A reload keeps the
 * policies it had when a changed file is invalid, and reports what changed by hash.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { VeilError, isVeilError } from '../errors/veil-error.js';
import { policyHash } from './hash.js';
import { loadPolicy } from './load.js';
import type { Policy } from './schema.js';

/** The id of the policy tenants without their own file get. */
export const DEFAULT_POLICY_ID = 'default';

/** A loaded policy: its id (the file name without `.yaml`), the policy and its hash. */
export interface TenantPolicy {
  readonly id: string;
  readonly policy: Policy;
  readonly hash: string;
}

/** A policy whose hash changed on reload (added: no old hash; removed: no new hash). */
export interface PolicyChange {
  readonly id: string;
  readonly oldHash: string | undefined;
  readonly newHash: string | undefined;
}

const FILE = /^([!-~]{1,200})\.ya?ml$/;

/**
 * Loads and validates every `*.yaml` in `dir`. Throws `VEIL_POLICY_INVALID` naming the file and
 * the field (`acme.yaml: policy.retention.original: expected …`), or when `default.yaml` is missing.
 *
 * @example
 * ```ts
 * const policies = await loadPolicyDirectory('policies');
 * policies.get('default')?.hash;
 * ```
 */
export async function loadPolicyDirectory(dir: string): Promise<Map<string, TenantPolicy>> {
  let names: string[];
  try {
    names = (await readdir(dir)).sort();
  } catch (cause) {
    throw new VeilError(
      'VEIL_FILE_NOT_FOUND',
      `policy: the policy directory ${dir} cannot be read (VEIL_POLICY_DIR)`,
      { cause },
    );
  }
  const out = new Map<string, TenantPolicy>();
  for (const name of names) {
    const match = FILE.exec(name);
    if (match === null || name.startsWith('.')) continue;
    const id = match[1]!;
    if (out.has(id)) throw new VeilError('VEIL_POLICY_INVALID', `${name}: a second policy with the id ${id}`);
    let policy: Policy;
    try {
      policy = await loadPolicy(join(dir, name));
    } catch (error) {
      if (isVeilError(error)) throw new VeilError(error.code, `${name}: ${error.message}`, { cause: error });
      throw error;
    }
    out.set(id, { id, policy, hash: policyHash(policy) });
  }
  if (!out.has(DEFAULT_POLICY_ID))
    throw new VeilError(
      'VEIL_POLICY_INVALID',
      `${dir}: no ${DEFAULT_POLICY_ID}.yaml (the policy of tenants without their own file)`,
    );
  return out;
}

/** The policies of a directory, reloadable. */
export interface PolicyDirectory {
  readonly dir: string;
  /** The tenant's policy: `<tenant>.yaml`, else `default.yaml`. */
  policyFor(tenantId: string): TenantPolicy;
  /** Every loaded policy, by id. */
  all(): ReadonlyMap<string, TenantPolicy>;
  /** Re-reads the directory; returns the changes (none when a file is now invalid: the old set stays). */
  reload(): Promise<{ readonly changes: readonly PolicyChange[]; readonly error?: VeilError }>;
}

/**
 * Opens a policy directory (validating every file, so an invalid one stops the caller).
 *
 * @example
 * ```ts
 * const policies = await openPolicyDirectory(process.env.VEIL_POLICY_DIR ?? 'policies');
 * policies.policyFor('acme').hash;
 * ```
 */
export async function openPolicyDirectory(dir: string): Promise<PolicyDirectory> {
  let current = await loadPolicyDirectory(dir);
  return {
    dir,
    policyFor: (tenantId) => current.get(tenantId) ?? current.get(DEFAULT_POLICY_ID)!,
    all: () => current,
    async reload() {
      let next: Map<string, TenantPolicy>;
      try {
        next = await loadPolicyDirectory(dir);
      } catch (error) {
        return {
          changes: [],
          error: isVeilError(error)
            ? (error as VeilError)
            : new VeilError('VEIL_POLICY_INVALID', 'policy: the directory cannot be reloaded'),
        };
      }
      const changes: PolicyChange[] = [];
      for (const id of new Set([...current.keys(), ...next.keys()])) {
        const oldHash = current.get(id)?.hash;
        const newHash = next.get(id)?.hash;
        if (oldHash !== newHash) changes.push({ id, oldHash, newHash });
      }
      current = next;
      return { changes: changes.sort((a, b) => (a.id < b.id ? -1 : 1)) };
    },
  };
}

/** One difference between two policies: a dotted path and the values on each side. */
export interface PolicyDifference {
  readonly path: string;
  readonly before: unknown;
  readonly after: unknown;
}

/**
 * The settings that differ between two policies, as dotted paths (what `veil policy diff` prints).
 *
 * @example
 * ```ts
 * diffPolicies(a, b); // [{ path: 'retention.original', before: '10m', after: '2s' }]
 * ```
 */
export function diffPolicies(a: Policy, b: Policy): PolicyDifference[] {
  const out: PolicyDifference[] = [];
  const walk = (x: unknown, y: unknown, path: string): void => {
    const isObject = (v: unknown): v is Record<string, unknown> =>
      v !== null && typeof v === 'object' && !Array.isArray(v);
    if (isObject(x) && isObject(y)) {
      for (const key of [...new Set([...Object.keys(x), ...Object.keys(y)])].sort())
        walk(x[key], y[key], path === '' ? key : `${path}.${key}`);
      return;
    }
    if (JSON.stringify(x) !== JSON.stringify(y)) out.push({ path, before: x, after: y });
  };
  walk(a, b, '');
  return out;
}
