/**
 * Regression cases from reviewers' corrections (opt-in: the job's consent to quality
 * improvement). A case is the page the field was on (its parsed words and boxes, not the
 * original), the field's spec and the corrected value, stored encrypted under the
 * `regression_cases` retention class and tied to its job, so erasing the job erases the case.
 * `veil review regressions` re-runs extraction on a tenant's cases and reports what changed.
 */
import { extractFields } from '../../ai/fields/extract.js';
import type { FieldSpec, FieldStatus, FieldValue } from '../../ai/fields/spec.js';
import type { Document } from '../../documents/model.js';
import { retentionWindows } from '../../policy/index.js';
import type { Policy } from '../../policy/index.js';
import { openLedger } from '../../privacy/retention/ledger.js';
import { forTenant, withTenantScope } from '../../store/index.js';
import type { Job, StoreContext } from '../../store/index.js';
import { reviewSourceId } from './open.js';

/** The envelope class of a regression case; `regression_cases` is its retention class. */
export const REGRESSION_CLASS = 'regression-case';

/** A stored case: the field's page, its spec and what a person said the value is. */
interface RegressionCase {
  readonly version: 1;
  readonly spec: FieldSpec;
  readonly template: string | null;
  readonly expected: FieldValue;
  readonly document: Document;
}

/**
 * Keeps a correction as a regression case: the page of the job's kept document that holds the
 * field (the whole document when the field has no page), the spec and the corrected value.
 * False when the job kept no document (it has no consent to quality improvement, or it was
 * deleted).
 *
 * @example
 * ```ts
 * await saveRegressionCase(store, { job, spec, template: 'receipt', expected: '2024-03-01', policy, retentionDays: 30 });
 * ```
 */
export async function saveRegressionCase(
  store: StoreContext,
  input: {
    readonly job: Job;
    readonly spec: FieldSpec;
    readonly template: string | null;
    readonly expected: FieldValue;
    readonly policy: Policy;
    readonly retentionDays: number;
    readonly now?: Date;
  },
): Promise<boolean> {
  const { job } = input;
  const repos = forTenant(store, job.tenantId);
  if ((await repos.artifacts.get(reviewSourceId(job.id))) === undefined) return false;
  const whole = JSON.parse((await repos.artifacts.read(reviewSourceId(job.id))).toString('utf8')) as Document;
  const fields = JSON.parse((await repos.artifacts.read(`${job.id}.fields`)).toString('utf8')) as {
    fields: Record<string, { page: number | null }>;
  };
  const page = fields.fields[input.spec.name]?.page ?? null;
  const document: Document =
    page === null ? whole : { ...whole, pages: whole.pages.filter((p) => p.number === page) };
  const stored: RegressionCase = {
    version: 1,
    spec: input.spec,
    template: input.template,
    expected: input.expected,
    document,
  };
  const now = input.now ?? new Date();
  const window = retentionWindows(input.policy, input.retentionDays).regression_cases;
  await withTenantScope(store.db, job.tenantId, (trx) =>
    openLedger(trx, job.tenantId, job.id, ['regression_cases'], job.deleteAfter),
  );
  const id = `${job.id}.${REGRESSION_CLASS}.${input.spec.name}`;
  await repos.artifacts.delete(id);
  await repos.artifacts.put(
    { id, jobId: job.id, artifactClass: REGRESSION_CLASS, deleteAfter: new Date(now.getTime() + window) },
    Buffer.from(JSON.stringify(stored), 'utf8'),
  );
  return true;
}

/** One case re-run: what the extractor says now against what a person said. */
export interface RegressionResult {
  readonly caseId: string;
  readonly jobId: string | null;
  readonly field: string;
  readonly type: string;
  readonly template: string | null;
  /** Whether the extractor's value now equals the corrected value. */
  readonly matches: boolean;
  readonly status: FieldStatus;
  readonly confidence: number;
}

function same(a: FieldValue | null, b: FieldValue): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * Re-runs the rule extractor on each of a tenant's regression cases and compares with the
 * corrected value. Values stay in memory; the results hold names, types, scores and a match flag.
 *
 * @example
 * ```ts
 * for (const r of await runRegressions(store, 'acme')) console.log(r.field, r.matches ? 'fixed' : 'still wrong');
 * ```
 */
export async function runRegressions(store: StoreContext, tenant: string): Promise<RegressionResult[]> {
  const repos = forTenant(store, tenant);
  const ids = await withTenantScope(store.db, tenant, (trx) =>
    trx
      .selectFrom('artifacts')
      .select(['id', 'job_id'])
      .where('tenant_id', '=', tenant)
      .where('class', '=', REGRESSION_CLASS)
      .orderBy('created_at')
      .orderBy('id')
      .execute(),
  );
  const results: RegressionResult[] = [];
  for (const { id, job_id: jobId } of ids) {
    const stored = JSON.parse((await repos.artifacts.read(id)).toString('utf8')) as RegressionCase;
    const { fields } = await extractFields(stored.document, [stored.spec]);
    const now = fields[stored.spec.name]!;
    results.push({
      caseId: id,
      jobId,
      field: stored.spec.name,
      type: stored.spec.type,
      template: stored.template,
      matches: same(now.value, stored.expected),
      status: now.status,
      confidence: now.confidence,
    });
  }
  return results;
}
