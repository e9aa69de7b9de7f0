/**
 * The subject index: what lets a data-subject request find every job that names a person by an
 * identifier only the detector saw. For each direct identifier found in a job, a keyed HMAC of the
 * normalised value (`v<version>:<hex>`, under a subkey of the tenant's data key), and the job's
 * values sealed together under the tenant's key: both in ONE row per job (`subject_index_lists`,
 * the HMACs in its `hmacs` array under a GIN index). Jobs indexed before that have a row per
 * identifier in `subject_index` (with its own sealed value before 0021, with its job's list
 * after); lookups read both, and a re-key moves a job's rows into its list. There is no plaintext
 * index. Lookups compute the HMAC under every live key version; `rebuildSubjectIndex` re-keys
 * what was made under older versions (run after a rotation, before an old version is retired).
 */
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import { sealEnvelope } from '../../crypto/envelope.js';
import type { DataKey } from '../../crypto/envelope.js';
import type { Keyring } from '../../crypto/keyring.js';
import { withTenantScope } from '../../store/index.js';
import type { Schema } from '../../store/index.js';
import { subjectHmacCandidates, subjectHmacs, subjectHmacUnder } from '../consent/subject-ref.js';
import type { SubjectHmacs } from '../consent/subject-ref.js';

/** The envelope class of a row's own sealed value (rows written before the lists). */
const SEAL_CLASS = 'subject-index';
/** The envelope class of a job's sealed list of values. */
const LIST_CLASS = 'subject-index-list';

/** A job's list's envelope binding: the tenant and the job. */
const listBinding = (tenantId: string, jobId: string) => ({
  tenantId,
  objectId: jobId,
  artifactClass: LIST_CLASS,
});

/** The sealed list's plaintext: `[type, value]` pairs, one per indexed identifier. */
type ListEntries = Array<[type: string, value: string]>;

/**
 * Entity types that describe or locate rather than identify a person (dates, places, amounts,
 * organisations, vehicles, devices, business numbers), and secrets: not indexed.
 */
const NOT_DIRECT = new Set([
  'AGE',
  'DATE_TIME',
  'LOCATION',
  'MONEY',
  'NRP',
  'ORGANIZATION',
  'JOB_TITLE',
  'MEDICAL_CONDITION',
  'QUANTITY',
  'ZIP_CODE',
  'URL',
  'SECRET',
  'CRYPTO',
  'SWIFT_CODE',
  'US_ABA_ROUTING',
  'EU_VAT_NUMBER',
  'CA_BUSINESS_NUMBER',
  'SG_UEN',
  'AU_ABN',
  'AU_ACN',
  'IN_GSTIN',
  'IT_VAT_CODE',
  'US_EIN',
  'CASE_NUMBER',
  'LAND_PARCEL',
  'IP_ADDRESS',
  'MAC_ADDRESS',
  'IMEI',
  'VIN',
  'UK_VEHICLE_REGISTRATION',
  'IN_VEHICLE_REGISTRATION',
  'STREET_ADDRESS',
]);

/**
 * True when findings of `type` go into the subject index.
 *
 * @example
 * ```ts
 * isDirectIdentifier('EMAIL_ADDRESS'); // true
 * isDirectIdentifier('DATE_TIME'); // false
 * ```
 */
export function isDirectIdentifier(type: string): boolean {
  return /^[A-Z][A-Z0-9_]{0,63}$/.test(type) && !NOT_DIRECT.has(type);
}

/**
 * The form a value is indexed under, so `Jane@Example.org` and `jane@example.org`, or
 * `415-555-0134` and `(415) 555 0134`, find the same jobs.
 *
 * @example
 * ```ts
 * normaliseIdentifier('PHONE_NUMBER', '(415) 555-0134'); // '4155550134'
 * ```
 */
export function normaliseIdentifier(type: string, value: string): string {
  const text = value.normalize('NFKC').trim();
  if (type === 'EMAIL_ADDRESS') return text.toLowerCase();
  if (type === 'PERSON') return text.toLowerCase().replace(/\s+/g, ' ');
  // Numbers and codes: separators do not matter, case does not either.
  return text.replace(/[\s().\-/+]/g, '').toUpperCase();
}

/** A detected value with its type, as the detect step has it in memory. */
export interface DetectedValue {
  readonly type: string;
  readonly value: string;
}

/** A job's keyed HMACs and sealed list, written as one row by {@link insertSubjectIndex}. */
export interface SubjectIndexRows {
  readonly tenantId: string;
  readonly jobId: string;
  /** One per distinct identifier: its type and keyed HMAC. */
  readonly rows: ReadonlyArray<{
    readonly entity_type: string;
    readonly hmac: string;
  }>;
  /** The rows' values, `[type, value]` pairs sealed together (absent when there are no rows). */
  readonly sealed?: Buffer;
}

/**
 * Indexes a job's direct identifiers (idempotent: a step run twice adds nothing). Returns how
 * many distinct identifiers the job now has in the index.
 *
 * @example
 * ```ts
 * await indexSubjects({ db, keyring }, 'acme', jobId, [{ type: 'EMAIL_ADDRESS', value: 'jane@example.org' }]);
 * ```
 */
export async function indexSubjects(
  deps: { readonly db: Kysely<Schema>; readonly keyring: Keyring },
  tenantId: string,
  jobId: string,
  values: readonly DetectedValue[],
): Promise<number> {
  const prepared = await subjectIndexRows(deps.keyring, tenantId, jobId, values);
  if (prepared.rows.length > 0)
    await withTenantScope(deps.db, tenantId, (trx) => insertSubjectIndex(trx, prepared));
  return prepared.rows.length;
}

/**
 * What indexes a job's direct identifiers: a keyed HMAC per distinct identifier and one
 * sealed list of their values, computed before any transaction opens (the tenant's key is a
 * keyring read, which must not wait for a pooled connection while a transaction holds another).
 *
 * @example
 * ```ts
 * const prepared = await subjectIndexRows(keyring, 'acme', jobId, [{ type: 'EMAIL_ADDRESS', value: 'jane@example.org' }]);
 * await withTenantScope(db, 'acme', (trx) => insertSubjectIndex(trx, prepared));
 * ```
 */
export async function subjectIndexRows(
  keyring: Keyring,
  tenantId: string,
  jobId: string,
  values: readonly DetectedValue[],
): Promise<SubjectIndexRows> {
  const rows = new Map<string, { entity_type: string; hmac: string }>();
  const entries: ListEntries = [];
  // The tenant's current key, looked up once for the job (a lookup is a database read): every
  // HMAC and the seal of this call are under the same version.
  // Each entity type's HMAC subkey is derived once for the job, not once per value.
  let dataKey: DataKey | undefined;
  let hmacs: SubjectHmacs | undefined;
  try {
    for (const { type, value } of values) {
      if (!isDirectIdentifier(type)) continue;
      const normalised = normaliseIdentifier(type, value);
      if (normalised === '') continue;
      dataKey ??= await keyring.currentKey(tenantId);
      hmacs ??= subjectHmacs(dataKey, tenantId);
      const hmac = hmacs.of(normalised, type);
      const key = `${type}\0${hmac}`;
      if (rows.has(key)) continue;
      rows.set(key, { entity_type: type, hmac });
      entries.push([type, value]);
    }
  } finally {
    hmacs?.wipe();
  }
  if (dataKey === undefined || entries.length === 0) return { tenantId, jobId, rows: [] };
  return { tenantId, jobId, rows: [...rows.values()], sealed: sealList(dataKey, tenantId, jobId, entries) };
}

/** One job's values sealed together; the plaintext buffer is wiped once sealed. */
function sealList(dataKey: DataKey, tenantId: string, jobId: string, entries: ListEntries): Buffer {
  const plain = Buffer.from(JSON.stringify(entries), 'utf8');
  try {
    return sealEnvelope(dataKey, listBinding(tenantId, jobId), plain);
  } finally {
    plain.fill(0);
  }
}

/** A sealed list's entries (`keyring.decrypt` checks its binding and tag). */
async function openList(
  keyring: Keyring,
  tenantId: string,
  jobId: string,
  ciphertext: Uint8Array,
): Promise<ListEntries> {
  const plain = await keyring.decrypt(listBinding(tenantId, jobId), ciphertext);
  try {
    return JSON.parse(plain.toString('utf8')) as ListEntries;
  } finally {
    plain.fill(0);
  }
}

/**
 * Writes {@link subjectIndexRows}' HMACs and sealed list, one row, in the caller's transaction,
 * under the tenant's scope; a list already there is kept (`on conflict do nothing`, which leaves
 * the transaction usable).
 *
 * @example
 * ```ts
 * await withTenantScope(db, 'acme', (trx) => insertSubjectIndex(trx, prepared));
 * ```
 */
export async function insertSubjectIndex(trx: Kysely<Schema>, prepared: SubjectIndexRows): Promise<void> {
  if (prepared.rows.length === 0 || prepared.sealed === undefined) return;
  await trx
    .insertInto('subject_index_lists')
    .values({
      tenant_id: prepared.tenantId,
      job_id: prepared.jobId,
      ciphertext: prepared.sealed,
      hmacs: distinctHmacs(prepared.rows),
    })
    .onConflict((oc) => oc.columns(['tenant_id', 'job_id']).doNothing())
    .execute();
}

/** The rows' HMACs, each once (two types never share one: each type has its own subkey). */
const distinctHmacs = (rows: ReadonlyArray<{ readonly hmac: string }>): string[] => [
  ...new Set(rows.map((r) => r.hmac)),
];

/**
 * The jobs whose index holds any of the identifiers (under any live key version).
 *
 * @example
 * ```ts
 * await jobsByIdentifiers({ db, keyring }, 'acme', [{ type: 'EMAIL_ADDRESS', value: 'jane@example.org' }]); // ['4f0c…']
 * ```
 */
export async function jobsByIdentifiers(
  deps: { readonly db: Kysely<Schema>; readonly keyring: Keyring },
  tenantId: string,
  identifiers: readonly DetectedValue[],
): Promise<string[]> {
  const hmacs: string[] = [];
  for (const { type, value } of identifiers)
    hmacs.push(
      ...(await subjectHmacCandidates(deps.keyring, tenantId, normaliseIdentifier(type, value), type)),
    );
  if (hmacs.length === 0) return [];
  const rows = await withTenantScope(deps.db, tenantId, (trx) =>
    trx
      .selectFrom('subject_index_lists')
      .select('job_id')
      .where('tenant_id', '=', tenantId)
      .where(sql<boolean>`hmacs && ${sql.val(hmacs)}::text[]`)
      // Jobs indexed before 0022: a row per identifier.
      .union(
        trx
          .selectFrom('subject_index')
          .select('job_id')
          .where('tenant_id', '=', tenantId)
          .where('hmac', 'in', hmacs),
      )
      .execute(),
  );
  return rows.map((r) => r.job_id).sort();
}

/**
 * Every indexed identifier of a job, decrypted: what a subject-access export shows.
 *
 * @example
 * ```ts
 * await indexedValues({ db, keyring }, 'acme', jobId); // [{ type: 'EMAIL_ADDRESS', value: 'jane@example.org' }]
 * ```
 */
export async function indexedValues(
  deps: { readonly db: Kysely<Schema>; readonly keyring: Keyring },
  tenantId: string,
  jobId: string,
): Promise<DetectedValue[]> {
  const { rows, lists } = await withTenantScope(deps.db, tenantId, async (trx) => ({
    // Rows written before the lists hold their own sealed value.
    rows: await trx
      .selectFrom('subject_index')
      .select(['entity_type', 'ciphertext'])
      .where('tenant_id', '=', tenantId)
      .where('job_id', '=', jobId)
      .where('ciphertext', 'is not', null)
      .execute(),
    lists: await trx
      .selectFrom('subject_index_lists')
      .select('ciphertext')
      .where('tenant_id', '=', tenantId)
      .where('job_id', '=', jobId)
      .execute(),
  }));
  const out: DetectedValue[] = [];
  for (const row of rows) {
    const value = await deps.keyring.decrypt(
      { tenantId, objectId: `${jobId}/${row.entity_type}`, artifactClass: SEAL_CLASS },
      row.ciphertext!,
    );
    out.push({ type: row.entity_type, value: value.toString('utf8') });
  }
  for (const list of lists)
    for (const [type, value] of await openList(deps.keyring, tenantId, jobId, list.ciphertext))
      out.push({ type, value });
  return out.sort((a, b) => (a.type < b.type ? -1 : a.type > b.type ? 1 : 0));
}

/**
 * Re-keys every index entry made under an older key version to the tenant's current version
 * (decrypting the sealed values in memory, never writing them in plaintext). Returns how many
 * HMACs were re-keyed (and their values re-sealed under the current version: a row's own sealed
 * value, or its job's sealed list). A job whose HMACs were rows beside its list has them in its
 * list afterwards. What `veil keys rotate` runs after adding a version.
 *
 * @example
 * ```ts
 * await keyring.rotate('acme');
 * await rebuildSubjectIndex({ db, keyring }, 'acme'); // 42
 * ```
 */
export async function rebuildSubjectIndex(
  deps: { readonly db: Kysely<Schema>; readonly keyring: Keyring },
  tenantId: string,
): Promise<number> {
  const current = await deps.keyring.currentKey(tenantId);
  const { version } = current;
  const { stale, staleLists } = await withTenantScope(deps.db, tenantId, async (trx) => ({
    stale: await trx
      .selectFrom('subject_index')
      .select(['job_id', 'entity_type', 'hmac', 'ciphertext'])
      .where('tenant_id', '=', tenantId)
      .where('hmac', 'not like', `v${version}:%`)
      .execute(),
    // Lists holding their job's HMACs, any of them under an older version.
    staleLists: await trx
      .selectFrom('subject_index_lists')
      .select(['job_id', sql<number>`cardinality(hmacs)`.as('count')])
      .where('tenant_id', '=', tenantId)
      .where(sql<boolean>`exists (select 1 from unnest(hmacs) h where h not like ${`v${version}:%`})`)
      .execute(),
  }));
  // Jobs whose values are in their list: re-keyed job by job, from the list.
  const listed = new Set<string>(staleLists.map((list) => list.job_id));
  for (const row of stale) {
    if (row.ciphertext === null) {
      listed.add(row.job_id);
      continue;
    }
    const binding = { tenantId, objectId: `${row.job_id}/${row.entity_type}`, artifactClass: SEAL_CLASS };
    const plain = await deps.keyring.decrypt(binding, row.ciphertext);
    const value = plain.toString('utf8');
    const hmac = subjectHmacUnder(
      current,
      tenantId,
      normaliseIdentifier(row.entity_type, value),
      row.entity_type,
    );
    // Sealed again under the current version too, so retiring the old one loses nothing.
    const ciphertext = sealEnvelope(current, binding, plain);
    plain.fill(0);
    await withTenantScope(deps.db, tenantId, async (trx) => {
      await trx
        .insertInto('subject_index')
        .values({ tenant_id: tenantId, job_id: row.job_id, entity_type: row.entity_type, hmac, ciphertext })
        .onConflict((oc) => oc.columns(['tenant_id', 'job_id', 'entity_type', 'hmac']).doNothing())
        .execute();
      await trx
        .deleteFrom('subject_index')
        .where('tenant_id', '=', tenantId)
        .where('job_id', '=', row.job_id)
        .where('entity_type', '=', row.entity_type)
        .where('hmac', '=', row.hmac)
        .execute();
    });
  }
  for (const jobId of listed) await rekeyList(deps, tenantId, current, jobId);
  return stale.length + staleLists.reduce((sum, list) => sum + Number(list.count), 0);
}

/**
 * Re-keys one job's list: its HMACs computed under `current` from its sealed values, the list
 * sealed again under `current`, and the job's rows that pointed at the list (written before the
 * HMACs moved into it) deleted, in one transaction.
 */
async function rekeyList(
  deps: { readonly db: Kysely<Schema>; readonly keyring: Keyring },
  tenantId: string,
  current: DataKey,
  jobId: string,
): Promise<void> {
  const list = await withTenantScope(deps.db, tenantId, (trx) =>
    trx
      .selectFrom('subject_index_lists')
      .select('ciphertext')
      .where('tenant_id', '=', tenantId)
      .where('job_id', '=', jobId)
      .executeTakeFirst(),
  );
  if (list === undefined) return;
  const entries = await openList(deps.keyring, tenantId, jobId, list.ciphertext);
  const hmacs = subjectHmacs(current, tenantId);
  let rows: Array<{ hmac: string }>;
  try {
    rows = entries.map(([type, value]) => ({ hmac: hmacs.of(normaliseIdentifier(type, value), type) }));
  } finally {
    hmacs.wipe();
  }
  const sealed = sealList(current, tenantId, jobId, entries);
  await withTenantScope(deps.db, tenantId, async (trx) => {
    await trx
      .updateTable('subject_index_lists')
      .set({ ciphertext: sealed, hmacs: distinctHmacs(rows) })
      .where('tenant_id', '=', tenantId)
      .where('job_id', '=', jobId)
      .execute();
    await trx
      .deleteFrom('subject_index')
      .where('tenant_id', '=', tenantId)
      .where('job_id', '=', jobId)
      .where('ciphertext', 'is', null)
      .execute();
  });
}
