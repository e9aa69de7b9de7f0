/**
 * The subject index since 0022: a job's keyed HMACs in its list's row (one row per job, a GIN
 * index over the array), found by lookups and re-keyed on rotation; jobs indexed in the earlier
 * forms (a row per identifier, with its own sealed value or pointing at the list) are still found,
 * and a re-key moves the later form's rows into the list.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import { Keyring } from '../../../src/crypto/keyring.js';
import { createLocalFileKeyProvider } from '../../../src/crypto/key-providers/local-file.js';
import {
  indexSubjects,
  indexedValues,
  jobsByIdentifiers,
  rebuildSubjectIndex,
  subjectIndexRows,
} from '../../../src/privacy/dsr/subject-index.js';
import {
  DatabaseKeyringStore,
  ensureTenant,
  SYSTEM_SCOPE,
  withTenantScope,
} from '../../../src/store/index.js';
import type { Schema } from '../../../src/store/index.js';
import { DRIVERS } from '../../store/drivers.js';
import type { TestDatabase } from '../../store/drivers.js';
import { insertSucceededJob } from '../../store/job-rows.js';

const EMAIL = { type: 'EMAIL_ADDRESS', value: 'index-canary@example.org' };
const PHONE = { type: 'PHONE_NUMBER', value: '(415) 555-0134' };

for (const driver of DRIVERS) {
  describe(`the subject index on ${driver.name}`, { skip: driver.skip }, () => {
    let database: TestDatabase;
    let db: Kysely<Schema>;
    let dir: string;
    let keyring: Keyring;

    before(async () => {
      database = await driver.open();
      db = database.handle.db;
      dir = await mkdtemp(join(tmpdir(), 'veil-subject-index-'));
      keyring = new Keyring({
        provider: createLocalFileKeyProvider({ path: join(dir, 'kek.key') }),
        store: new DatabaseKeyringStore(db),
        cacheTtlMs: 0,
      });
      for (const tenant of ['acme', 'globex']) await ensureTenant(db, tenant);
    });
    after(async () => {
      await database?.dispose();
      if (dir !== undefined) await rm(dir, { recursive: true, force: true });
    });

    const addJob = (tenantId: string, id: string) => insertSucceededJob(db, tenantId, id);
    const listOf = async (jobId: string) =>
      (
        await withTenantScope(db, SYSTEM_SCOPE, (trx) =>
          sql<{ hmacs: string[] | null; rows: number }>`select l.hmacs,
              (select count(*)::int from subject_index s where s.job_id = l.job_id) as rows
            from subject_index_lists l where l.job_id = ${jobId}`.execute(trx),
        )
      ).rows;

    test('a job is indexed in one row: its HMACs and sealed values, no row per identifier', async () => {
      await addJob('acme', 'job-new');
      const values = [
        EMAIL,
        PHONE,
        { ...EMAIL, value: 'INDEX-canary@Example.org' },
        { type: 'DATE_TIME', value: '3 March' },
      ];
      assert.equal(await indexSubjects({ db, keyring }, 'acme', 'job-new', values), 2);
      // Run again (a step retried): nothing is added.
      assert.equal(await indexSubjects({ db, keyring }, 'acme', 'job-new', values), 2);
      const [list, ...more] = await listOf('job-new');
      assert.deepEqual(more, []);
      assert.equal(list!.rows, 0);
      assert.equal(list!.hmacs!.length, 2);
      for (const hmac of list!.hmacs!) assert.match(hmac, /^v1:[0-9a-f]{64}$/);
      assert.deepEqual(
        await jobsByIdentifiers({ db, keyring }, 'acme', [{ ...PHONE, value: '415 555 0134' }]),
        ['job-new'],
      );
      assert.deepEqual(
        await jobsByIdentifiers({ db, keyring }, 'acme', [{ ...EMAIL, value: 'other@example.org' }]),
        [],
      );
      // Another tenant's key makes other HMACs, and its scope sees none of acme's rows.
      assert.deepEqual(await jobsByIdentifiers({ db, keyring }, 'globex', [EMAIL]), []);
      assert.deepEqual(await indexedValues({ db, keyring }, 'acme', 'job-new'), [EMAIL, PHONE]);
    });

    test('the database refuses anything but keyed HMACs in a list', async () => {
      await addJob('acme', 'job-refused');
      const prepared = await subjectIndexRows(keyring, 'acme', 'job-refused', [EMAIL]);
      await assert.rejects(
        withTenantScope(db, 'acme', (trx) =>
          trx
            .insertInto('subject_index_lists')
            .values({
              tenant_id: 'acme',
              job_id: 'job-refused',
              ciphertext: prepared.sealed!,
              hmacs: [EMAIL.value],
            })
            .execute(),
        ),
      );
    });

    test('jobs indexed in the earlier forms are found, and a re-key moves rows that point at a list into it', async () => {
      // 0021's form: a row per identifier without a value, the values in the job's list.
      await addJob('acme', 'job-0021');
      const prepared = await subjectIndexRows(keyring, 'acme', 'job-0021', [EMAIL]);
      // Before 0021: a row holding its own sealed value.
      await addJob('acme', 'job-0007');
      const [own] = (await subjectIndexRows(keyring, 'acme', 'job-0007', [PHONE])).rows;
      const ownValue = await keyring.encrypt(
        { tenantId: 'acme', objectId: 'job-0007/PHONE_NUMBER', artifactClass: 'subject-index' },
        Buffer.from(PHONE.value),
      );
      await withTenantScope(db, 'acme', async (trx) => {
        await trx
          .insertInto('subject_index_lists')
          .values({ tenant_id: 'acme', job_id: 'job-0021', ciphertext: prepared.sealed!, hmacs: null })
          .execute();
        await trx
          .insertInto('subject_index')
          .values([
            ...prepared.rows.map((r) => ({ tenant_id: 'acme', job_id: 'job-0021', ciphertext: null, ...r })),
            { tenant_id: 'acme', job_id: 'job-0007', ciphertext: ownValue, ...own! },
          ])
          .execute();
      });
      assert.deepEqual(await jobsByIdentifiers({ db, keyring }, 'acme', [EMAIL]), ['job-0021', 'job-new']);
      assert.deepEqual(await jobsByIdentifiers({ db, keyring }, 'acme', [PHONE]), ['job-0007', 'job-new']);
      assert.deepEqual(await indexedValues({ db, keyring }, 'acme', 'job-0021'), [EMAIL]);

      await keyring.rotate('acme');
      // job-new's 2 HMACs, job-0021's row and job-0007's row.
      assert.equal(await rebuildSubjectIndex({ db, keyring }, 'acme'), 4);
      const [moved] = await listOf('job-0021');
      assert.equal(moved!.rows, 0, "the list holds the job's HMACs; its rows are gone");
      assert.equal(moved!.hmacs!.length, 1);
      assert.match(moved!.hmacs![0]!, /^v2:/);
      const [rekeyed] = await listOf('job-new');
      assert.equal(rekeyed!.hmacs!.length, 2);
      for (const hmac of rekeyed!.hmacs!) assert.match(hmac, /^v2:/);
      assert.deepEqual(await jobsByIdentifiers({ db, keyring }, 'acme', [EMAIL]), ['job-0021', 'job-new']);
      assert.deepEqual(await jobsByIdentifiers({ db, keyring }, 'acme', [PHONE]), ['job-0007', 'job-new']);
      assert.deepEqual(await indexedValues({ db, keyring }, 'acme', 'job-new'), [EMAIL, PHONE]);
      // Nothing is left under version 1: a second pass has nothing to do.
      assert.equal(await rebuildSubjectIndex({ db, keyring }, 'acme'), 0);
    });
  });
}
