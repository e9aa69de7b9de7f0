/**
 * Re-identification risk of released outputs. Each output a job makes (the redacted document, the
 * fields, the transcript) hands out some identifying values: the direct identifiers and
 * quasi-identifiers the policy left readable (kept, generalised or partly masked), every one in a
 * transcript, the `direct` and `quasi` fields of a fields result. Those values, as released,
 * form the output's equivalence class; its k is how many of the tenant's released outputs of the
 * same kind hand out exactly the same set. k = 1 means the output alone singles a person out
 * among what the tenant released.
 *
 * Only a keyed HMAC of the class is stored (`v<key version>:<hex>`, under a subkey of the tenant's
 * data key), beside the count of values in it: never a value, and nothing a reader without the
 * tenant's key can test a guess against. Rows go with their job (cascade), so an erased job
 * leaves no class. Classes are compared within one key version: after a rotation, new outputs
 * start new classes, which can only make k smaller (the figure errs on the side of risk).
 */
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { DataKey } from '../../crypto/envelope.js';
import { deriveSubkey } from '../../crypto/hkdf.js';
import { hmacSha256 } from '../../crypto/hmac.js';
import { configFor } from '../../engine/anonymize/anonymize.js';
import { generalizeOperator } from '../../engine/anonymize/operators/generalize.js';
import { maskOperator } from '../../engine/anonymize/operators/mask.js';
import { TagScope } from '../../engine/anonymize/tag-scope.js';
import type { AnonymizationPlan, OperatorEnv } from '../../engine/anonymize/types.js';
import { withTenantScope } from '../../store/database.js';
import type { Schema } from '../../store/schema.js';
import { isDirectIdentifier, normaliseIdentifier } from '../dsr/subject-index.js';
import { privacyDb } from '../tables.js';

/** The outputs whose re-identification risk is measured (a reveal is a privileged read, not a release of data). */
export const RISK_OUTPUT_KINDS = ['redacted', 'fields', 'text'] as const;
export type RiskOutputKind = (typeof RISK_OUTPUT_KINDS)[number];

/**
 * Entity types that single a person out in combination (Sweeney's date of birth, ZIP code and sex,
 * and their kin): counted with the direct identifiers when they are handed out.
 */
export const QUASI_IDENTIFIER_TYPES: ReadonlySet<string> = new Set([
  'AGE',
  'DATE_OF_BIRTH',
  'DATE_TIME',
  'ZIP_CODE',
  'US_ZIP_CODE',
  'LOCATION',
  'STREET_ADDRESS',
  'NRP',
  'JOB_TITLE',
  'MEDICAL_CONDITION',
  'QUANTITY',
]);

/** The k below which an output counts as at risk when the policy names no `k_anonymity`. */
export const DEFAULT_OUTPUT_K_TARGET = 5;

/** An identifying value as an output hands it out: its type (or field name) and its released form. */
export interface ReleasedValue {
  readonly name: string;
  readonly value: string;
}

/** A finding with its value, as a step holds it in memory. */
export interface ValuedFinding {
  readonly type: string;
  readonly value: string;
}

const identifying = (type: string): boolean => isDirectIdentifier(type) || QUASI_IDENTIFIER_TYPES.has(type);

const OPERATOR_ENV: OperatorEnv = {
  type: 'QUASI_IDENTIFIER',
  keys: undefined,
  vault: undefined,
  tenant: 'local',
  scope: 'output-risk',
  subject: undefined,
  tags: new TagScope(),
};

/**
 * The identifying values a redacted output still shows: those the plan keeps, generalises (as
 * generalised) or masks (as masked, when the mask leaves characters). Replaced, redacted, hashed,
 * encrypted, tokenised, format-preserving-encrypted and date-shifted values hand out no value of
 * the person (a pseudonym links outputs, it does not describe anyone).
 *
 * @example
 * ```ts
 * releasedInRedacted([{ type: 'AGE', value: '47' }], { default: { operator: 'replace' }, operators: { AGE: { operator: 'generalize' } } });
 * // [{ name: 'AGE', value: '40-49' }]
 * ```
 */
export function releasedInRedacted(
  findings: readonly ValuedFinding[],
  plan: AnonymizationPlan,
): ReleasedValue[] {
  const released: ReleasedValue[] = [];
  for (const { type, value } of findings) {
    if (!identifying(type)) continue;
    const config = configFor(plan, type);
    const env = { ...OPERATOR_ENV, type };
    let shown: string | undefined;
    if (config.operator === 'keep') shown = value;
    else if (config.operator === 'generalize') {
      const out = generalizeOperator.apply(value, config, env) as
        string | { text: string; operator?: string };
      // A value the operator cannot read falls back to a tag: nothing of it is shown.
      shown = typeof out === 'string' ? out : undefined;
    } else if (config.operator === 'mask') {
      const out = maskOperator.apply(value, config, env) as string | { text: string };
      const text = typeof out === 'string' ? out : out.text;
      shown = /[\p{L}\p{N}]/u.test(text) ? text : undefined;
    }
    if (shown !== undefined) released.push({ name: type, value: normaliseIdentifier(type, shown) });
  }
  return released;
}

/**
 * The identifying values a transcript hands out: every identifying finding, as written.
 *
 * @example
 * ```ts
 * releasedInText([{ type: 'EMAIL_ADDRESS', value: 'Jane@Example.org' }]); // [{ name: 'EMAIL_ADDRESS', value: 'jane@example.org' }]
 * ```
 */
export function releasedInText(findings: readonly ValuedFinding[]): ReleasedValue[] {
  return findings
    .filter((f) => identifying(f.type))
    .map((f) => ({ name: f.type, value: normaliseIdentifier(f.type, f.value) }));
}

/** A fields result as far as its risk goes: each field's value and sensitivity class. */
export interface FieldsForRisk {
  readonly fields: Readonly<Record<string, { readonly value: unknown; readonly sensitivity: string }>>;
}

/**
 * The identifying values a fields result hands out: its `direct` and `quasi` fields with a value.
 *
 * @example
 * ```ts
 * releasedInFields({ fields: { date: { value: '2024-03-01', sensitivity: 'quasi' }, total: { value: 12, sensitivity: 'none' } } });
 * // [{ name: 'date', value: '"2024-03-01"' }]
 * ```
 */
export function releasedInFields(result: FieldsForRisk): ReleasedValue[] {
  return Object.entries(result.fields)
    .filter(([, f]) => (f.sensitivity === 'direct' || f.sensitivity === 'quasi') && f.value !== null)
    .map(([name, f]) => ({ name, value: JSON.stringify(f.value) }));
}

/**
 * The keyed HMAC of an output's class: the sorted multiset of its released values, under a
 * subkey of the tenant's data key for the output kind. Equal sets give equal HMACs.
 *
 * @example
 * ```ts
 * outputClassHmac(await keyring.currentKey('acme'), 'acme', 'text', released); // 'v1:5be0…'
 * ```
 */
export function outputClassHmac(
  dataKey: DataKey,
  tenantId: string,
  kind: RiskOutputKind,
  released: readonly ReleasedValue[],
): string {
  const members = released.map((r) => JSON.stringify([r.name, r.value])).sort();
  const key = deriveSubkey(dataKey.key, 'privacy/output-class', [tenantId, kind]);
  try {
    return `v${dataKey.version}:${hmacSha256(key, `[${members.join(',')}]`).toString('hex')}`;
  } finally {
    key.fill(0);
  }
}

/** A job output's class as a step records it: the values it hands out, keyed by the tenant's data key. */
export interface OutputClassRecord {
  readonly tenant: string;
  readonly jobId: string;
  readonly kind: RiskOutputKind;
  readonly dataKey: DataKey;
  readonly released: readonly ReleasedValue[];
}

/**
 * Records the class of a job's output as the step that makes it holds it (idempotent: the first
 * record of a job's output stands, so a step re-run after a crash changes nothing).
 *
 * @example
 * ```ts
 * await recordOutputClass(db, { tenant: 'acme', jobId, kind: 'text', dataKey, released: releasedInText(findings) });
 * ```
 */
export async function recordOutputClass(db: Kysely<Schema>, record: OutputClassRecord): Promise<void> {
  await withTenantScope(db, record.tenant, (trx) => insertOutputClass(trx, record));
}

/**
 * {@link recordOutputClass} inside the caller's transaction, under the tenant's scope: a job step
 * records the class in the transaction that stores the output. The first record stands
 * (`on conflict do nothing`, which leaves the transaction usable).
 *
 * @example
 * ```ts
 * await withTenantScope(db, 'acme', (trx) => insertOutputClass(trx, { tenant: 'acme', jobId, kind: 'text', dataKey, released }));
 * ```
 */
export async function insertOutputClass(trx: Kysely<Schema>, record: OutputClassRecord): Promise<void> {
  await privacyDb(trx)
    .insertInto('output_classes')
    .values({
      tenant_id: record.tenant,
      job_id: record.jobId,
      kind: record.kind,
      class_hmac: outputClassHmac(record.dataKey, record.tenant, record.kind, record.released),
      identifiers: record.released.length,
    })
    .onConflict((oc) => oc.columns(['tenant_id', 'job_id', 'kind']).doNothing())
    .execute();
}

/** An output's risk as of its release: its class size among the tenant's released outputs, and how many values it hands out. */
export interface OutputRisk {
  readonly k: number;
  readonly identifiers: number;
}

/**
 * Marks a job's output released (its first release counts) and returns its k: how many of the
 * tenant's released outputs of that kind share its class, itself included. Undefined when the
 * output has no recorded class (a job made before classes were recorded).
 *
 * @example
 * ```ts
 * await outputReleased(db, { tenant: 'acme', jobId, kind: 'fields' }); // { k: 3, identifiers: 2 }
 * ```
 */
export async function outputReleased(
  db: Kysely<Schema>,
  release: {
    readonly tenant: string;
    readonly jobId: string;
    readonly kind: RiskOutputKind;
    readonly at?: Date;
  },
): Promise<OutputRisk | undefined> {
  return withTenantScope(db, release.tenant, async (trx) => {
    const pdb = privacyDb(trx);
    const own = await pdb
      .updateTable('output_classes')
      .set({ released_at: sql<Date>`coalesce(released_at, ${release.at ?? new Date()})` })
      .where('tenant_id', '=', release.tenant)
      .where('job_id', '=', release.jobId)
      .where('kind', '=', release.kind)
      .returning(['class_hmac', 'identifiers'])
      .executeTakeFirst();
    if (own === undefined) return undefined;
    const same = await pdb
      .selectFrom('output_classes')
      .select((eb) => eb.fn.countAll<string | number>().as('k'))
      .where('tenant_id', '=', release.tenant)
      .where('kind', '=', release.kind)
      .where('class_hmac', '=', own.class_hmac)
      .where('released_at', 'is not', null)
      .executeTakeFirstOrThrow();
    return { k: Number(same.k), identifiers: own.identifiers };
  });
}

/** The risk of one kind of output among those released in a period. */
export interface OutputRiskFigures {
  /** Outputs of the kind first released in the period. */
  readonly released: number;
  /** The smallest k among them (null without releases). */
  readonly min_k: number | null;
  /** The share of them alone in their class (k = 1). */
  readonly unique_share: number | null;
  /** How many of them have k below the target. */
  readonly below_target: number;
}

/**
 * The k of each output first released in [since, until), counted among every output of its kind
 * the tenant had released by `until`, by kind.
 *
 * @example
 * ```ts
 * const ks = await releasedOutputKs(trx, 'acme', since, until); // { redacted: [12, 12, 3], fields: [1], text: [] }
 * ```
 */
export async function releasedOutputKs(
  db: Kysely<Schema>,
  tenant: string,
  since: Date,
  until: Date,
): Promise<Record<RiskOutputKind, number[]>> {
  const rows = await sql<{ kind: RiskOutputKind; k: string | number }>`
    with released as (
      select kind, class_hmac, released_at from output_classes
      where tenant_id = ${tenant} and released_at is not null and released_at < ${until}),
    sizes as (select kind, class_hmac, count(*) as k from released group by 1, 2)
    select r.kind, s.k from released r join sizes s on s.kind = r.kind and s.class_hmac = r.class_hmac
    where r.released_at >= ${since}
    order by s.k`.execute(db);
  const ks = Object.fromEntries(RISK_OUTPUT_KINDS.map((kind) => [kind, [] as number[]])) as Record<
    RiskOutputKind,
    number[]
  >;
  for (const row of rows.rows) ks[row.kind]?.push(Number(row.k));
  return ks;
}

/**
 * The figures of one kind's k values against a target.
 *
 * @example
 * ```ts
 * outputRiskFigures([1, 4, 4, 9], 5); // { released: 4, min_k: 1, unique_share: 0.25, below_target: 3 }
 * ```
 */
export function outputRiskFigures(ks: readonly number[], target: number): OutputRiskFigures {
  return {
    released: ks.length,
    min_k: ks.length === 0 ? null : Math.min(...ks),
    unique_share: ks.length === 0 ? null : ks.filter((k) => k === 1).length / ks.length,
    below_target: ks.filter((k) => k < target).length,
  };
}
