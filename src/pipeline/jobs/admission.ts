/**
 * What a job must pass before anything of it is stored: the tenant's region pin, the purpose and
 * what it permits (policy), model use (the AI gate), the retention it may ask for, and a data
 * subject's withdrawn consent (privacy commands). The intake step of the request lifecycle; it reads, never writes.
 */
import type { Kysely } from 'kysely';
import { assertModelUse } from '../../ai/gate.js';
import type { Keyring } from '../../crypto/keyring.js';
import { VeilError } from '../../errors/veil-error.js';
import { checkPurpose, jobRetentionDays, purposeOf } from '../../policy/index.js';
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
  /** Present when the job asks for the `model` or `auto` extractor: what the model gate needs. */
  readonly model?: ModelUseRequest | undefined;
  readonly manualReview?: boolean;
  readonly retentionDays?: number | undefined;
  readonly subjectRef?: string | undefined;
  /** The deployment's region; undefined when the deployment declares none. */
  readonly region?: string | undefined;
}

/** What the model gate needs of a job that asks for a model. */
export interface ModelUseRequest {
  /** The job's consent: `allow_model_use`. */
  readonly allowModelUse: boolean;
  /** The configured provider's region label (`VEIL_AI_REGION`). */
  readonly providerRegion?: string | undefined;
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
 * Refuses (`VEIL_AI_NOT_ALLOWED`, a {@link ModelUseRefusedError} naming the rule) a job that asks
 * for a model when its consent, its purpose's `model` permission or the region its data is pinned
 * to (the policy's `region`, else the deployment's) does not allow the configured provider. The
 * submission and the extract step both ask, so a provider moved to another region after a job
 * was admitted is refused before the job's text is sent.
 *
 * @example
 * ```ts
 * checkModelUse(policy, 'claims', 'eu', { allowModelUse: true, providerRegion: 'us' }); // throws (region)
 * ```
 */
export function checkModelUse(
  policy: GovernedPolicy,
  purpose: string,
  region: string | undefined,
  request: ModelUseRequest,
): void {
  const entry = purposeOf(policy, purpose);
  assertModelUse({
    consent: { allowModelUse: request.allowModelUse },
    ...(policy.purposes === undefined ? {} : { purpose: { model: entry?.model } }),
    region: policy.region ?? region,
    provider: { region: request.providerRegion },
  });
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
    ...(request.manualReview === undefined ? {} : { manualReview: request.manualReview }),
  });
  if (request.model !== undefined)
    checkModelUse(request.policy, request.purpose, request.region, request.model);
  const retentionDays = jobRetentionDays(request.policy, request.outputs, request.retentionDays);
  const retentionClasses = jobRetentionClasses(request.outputs, { model: request.model !== undefined });
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
