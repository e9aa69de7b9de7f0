/**
 * Opening review tasks at the extract step. The crops are rendered here, once, when the task is
 * made: the decrypted original, its parsed document with word boxes and the findings are all in
 * memory at this step, while rendering on demand would mean keeping the layout and re-parsing (or
 * re-OCRing) the original for every view. Each crop is stored encrypted under the short
 * `review_crops` retention class and deleted when its task is decided or expires.
 */
import { labelList } from '../../ai/fields/spec.js';
import type { FieldSpec, FieldsResult } from '../../ai/fields/spec.js';
import type { Keyring } from '../../crypto/keyring.js';
import type { Crop, CropRequest } from '../../documents/crop.js';
import type { Document } from '../../documents/model.js';
import type { Finding } from '../../engine/types.js';
import { isVeilError } from '../../errors/veil-error.js';
import { queueOf, retentionWindows, reviewAllowed, reviewSettings } from '../../policy/index.js';
import type { Policy } from '../../policy/index.js';
import { openLedger } from '../../privacy/retention/ledger.js';
import { withTenantScope } from '../../store/index.js';
import type { Job, StoreContext, TenantRepositories } from '../../store/index.js';
import { fieldsToReview, withStatus } from './routing.js';
import { ReviewTasks } from './tasks.js';
import type { NewReviewTask } from './tasks.js';

/** Renders the crop of one field, masking every other detected value inside it (the documents layer's `renderFieldCrop`). */
export type RenderFieldCrop = (request: CropRequest) => Promise<Crop>;

/** The envelope class of a crop; `review_crops` is its retention class. */
export const CROP_CLASS = 'review-crop';
/** The parsed document kept while a job's tasks are open, for regression cases (`extracted_text`). */
export const REVIEW_SOURCE_CLASS = 'review-source';

/** The id of a field's crop: fixed per job and field, so a re-run cannot store two. */
export function cropArtifactId(jobId: string, field: string): string {
  return `${jobId}.${CROP_CLASS}.${field}`;
}

/** The id of the parsed document a job keeps for regression cases while its tasks are open. */
export function reviewSourceId(jobId: string): string {
  return `${jobId}.${REVIEW_SOURCE_CLASS}`;
}

/** What opening tasks needs beyond the job. */
export interface OpenReviewInput {
  readonly store: StoreContext;
  readonly keyring: Keyring;
  readonly repos: TenantRepositories;
  readonly job: Job;
  readonly policy: Policy;
  readonly specs: readonly FieldSpec[];
  readonly template: string | null;
  readonly result: FieldsResult;
  readonly document: Document;
  /** The decrypted original and its media type, read only when a crop is rendered. */
  readonly original: () => Promise<{ readonly bytes: Uint8Array; readonly mediaType: string }>;
  readonly findings: () => Promise<readonly Finding[]>;
  readonly renderCrop?: RenderFieldCrop | undefined;
  readonly now?: Date;
}

async function storeCrop(
  input: OpenReviewInput,
  field: string,
  crop: Crop,
  deleteAfter: Date,
): Promise<string> {
  const id = cropArtifactId(input.job.id, field);
  // A run that crashed after storing it left one: replace it, so its size is the one recorded.
  await input.repos.artifacts.delete(id);
  await input.repos.artifacts.put(
    { id, jobId: input.job.id, artifactClass: CROP_CLASS, deleteAfter },
    crop.png,
  );
  return id;
}

/**
 * Routes a job's uncertain fields. With the job's consent to manual review and a purpose that
 * permits it, each becomes a task (with a crop where the document has geometry) and its status
 * `needs_review`; otherwise no task and no crop is made, and its status is `unverified`. Returns
 * the fields result to store. Safe to repeat: a field that has a task gets no second one.
 *
 * @example
 * ```ts
 * const stored = await openReviewTasks({ store, keyring, repos, job, policy, specs, template: 'receipt', result, document, original, findings, renderCrop });
 * ```
 */
export async function openReviewTasks(input: OpenReviewInput): Promise<FieldsResult> {
  const { job, policy, result } = input;
  const settings = reviewSettings(policy);
  const routed = fieldsToReview(input.specs, result, settings.below);
  if (routed.length === 0) return result;
  const names = routed.map((r) => r.spec.name);
  if (!reviewAllowed(policy, job.purpose, job.consent.allowManualReview))
    return withStatus(result, names, 'unverified');

  const tasks = new ReviewTasks(input.store.db, input.keyring, job.tenantId);
  const existing = new Set((await tasks.forJob(job.id)).map((t) => t.field.name));
  const now = input.now ?? new Date();
  const cropsUntil = new Date(now.getTime() + retentionWindows(policy).review_crops);
  const queue = queueOf(policy, job.purpose, input.template);
  const geometry = input.document.pages.some((p) => p.unit !== null);
  await withTenantScope(input.store.db, job.tenantId, (trx) =>
    openLedger(
      trx,
      job.tenantId,
      job.id,
      job.consent.allowQualityImprovement === true ? ['review_crops', 'regression_cases'] : ['review_crops'],
      job.deleteAfter,
    ),
  );
  if (
    job.consent.allowQualityImprovement === true &&
    !(await input.repos.artifacts.get(reviewSourceId(job.id)))
  )
    await input.repos.artifacts.put(
      {
        id: reviewSourceId(job.id),
        jobId: job.id,
        artifactClass: REVIEW_SOURCE_CLASS,
        deleteAfter: job.deleteAfter,
      },
      Buffer.from(JSON.stringify(input.document), 'utf8'),
    );

  const fresh: NewReviewTask[] = [];
  for (const { spec, reason } of routed) {
    if (existing.has(spec.name)) continue;
    const field = result.fields[spec.name]!;
    let crop: NewReviewTask['crop'] = null;
    if (input.renderCrop !== undefined && geometry && field.page !== null && field.box !== null) {
      try {
        const original = await input.original();
        const rendered = await input.renderCrop({
          bytes: original.bytes,
          mediaType: original.mediaType,
          document: input.document,
          findings: await input.findings(),
          page: field.page,
          box: field.box,
          maxPageShare: settings.maxPageShare,
        });
        crop = {
          artifactId: await storeCrop(input, spec.name, rendered, cropsUntil),
          width: rendered.width,
          height: rendered.height,
          pageShare: rendered.pageShare,
        };
      } catch (error) {
        // A box larger than the cap, or a page that cannot be drawn: the task shows no image.
        if (!isVeilError(error)) throw error;
      }
    }
    fresh.push({
      jobId: job.id,
      queue,
      field: {
        name: spec.name,
        type: spec.type,
        hint: spec.hint === undefined ? null : [...labelList(spec.hint)],
      },
      reason,
      confidence: field.confidence,
      candidate: field.value,
      crop,
      expiresAt: new Date(now.getTime() + settings.expireMs),
    });
  }
  await tasks.create(fresh);
  return withStatus(result, names, 'needs_review');
}
