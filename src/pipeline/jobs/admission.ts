/**
 * What a job must pass before anything of it is stored: the tenant's region pin, the purpose and
 * what it permits (policy), the retention it may ask for, and a data subject's withdrawn consent
 * (privacy commands). The intake step of the request lifecycle; it reads, never writes.
 */
import type { Kysely } from 'kysely';
import type { Keyring } from '../../crypto/keyring.js';
import { VeilError } from '../../errors/veil-error.js';
import { checkPurpose, jobRetentionDays } from '../../policy/index.js';
import type { GovernedPolicy, RetentionClass } from '../../policy/index.js';
import { assertConsentStands } from '../../privacy/consent/withdrawals.js';
import { subjectHmac, subjectHmacCandidates } from '../../privacy/consent/subject-ref.js';
import { jobRetentionClasses } from '../../privacy/retention/classes.js';
import type { Schema } from '../../store/index.js';

/** What {@link admitJob} checks. */
export interface AdmissionRequest {
  readonly tenant: string;
  readonly policy: GovernedPolicy;
  readonly purpose: string;
  readonly basis: string;
  readonly outputs: readonly string[];
  readonly templates?: readonly string[];
  readonly modelUse?: boolean;
  readonly manualReview?: boolean;
  readonly retentionDays?: number | undefined;
  readonly subjectRef?: string | undefined;
  /** The deployment's region; undefined when the deployment declares none. */
  readonly region?: string | undefined;
}

/** What the job is admitted with. */
export interface Admission {
  readonly retentionDays: number;
  readonly retentionClasses: RetentionClass[];
  readonly subjectHmac?: string;
}

/**
 * Refuses (`VEIL_REGION_MISMATCH`) a tenant whose policy pins a region other than the
 * deployment's. A pinned tenant on a deployment that declares no region is refused too: its
 * data's residence could not be vouched for.
 *
 * @example
 * ```ts
 * checkRegion({ region: 'eu' }, 'us'); // throws VEIL_REGION_MISMATCH
 * ```
 */
export function checkRegion(policy: GovernedPolicy, region: string | undefined): void {
  if (policy.region === undefined || policy.region === region) return;
  throw new VeilError(
    'VEIL_REGION_MISMATCH',
    `jobs: this tenant's data is pinned to region ${policy.region}; this deployment is ${region === undefined ? 'in no declared region' : `in region ${region}`}`,
  );
}

/**
 * Checks a job against its tenant's policy and withdrawals; returns its retention and the HMAC
 * of its subject reference.
 *
 * @example
 * ```ts
 * const { retentionDays, subjectHmac } = await admitJob({ db, keyring }, { tenant, policy, purpose: 'kyc', basis: 'legal_obligation', outputs: ['redacted'] });
 * ```
 */
export async function admitJob(
  deps: { readonly db: Kysely<Schema>; readonly keyring?: Keyring | undefined },
  request: AdmissionRequest,
): Promise<Admission> {
  checkRegion(request.policy, request.region);
  checkPurpose(request.policy, {
    purpose: request.purpose,
    basis: request.basis,
    outputs: request.outputs,
    ...(request.templates === undefined ? {} : { templates: request.templates }),
    ...(request.modelUse === undefined ? {} : { modelUse: request.modelUse }),
    ...(request.manualReview === undefined ? {} : { manualReview: request.manualReview }),
  });
  const retentionDays = jobRetentionDays(request.policy, request.outputs, request.retentionDays);
  const retentionClasses = jobRetentionClasses(request.outputs);
  if (request.subjectRef === undefined) return { retentionDays, retentionClasses };
  if (deps.keyring === undefined)
    throw new VeilError(
      'VEIL_INVALID_OPTION',
      'jobs: a subject reference needs the keyring (its HMAC is keyed)',
    );
  const candidates = await subjectHmacCandidates(deps.keyring, request.tenant, request.subjectRef);
  await assertConsentStands(deps.db, request.tenant, candidates, request.purpose);
  return {
    retentionDays,
    retentionClasses,
    subjectHmac: await subjectHmac(deps.keyring, request.tenant, request.subjectRef),
  };
}
