/**
 * The canary leak test (DESIGN, privacy invariant 1): 60 documents seeded with unique fake SSNs,
 * e-mail addresses and names go through the API (JSON text, signed uploads and multipart) on each
 * driver; once every job has finished, every row of every table (Veil's and pg-boss's), every
 * file of the data directory (PGlite's files, blobs, keys), every temp-dir entry created during
 * the run and every log line are searched: no canary may appear in plaintext. Only the reveal
 * response, the one route that returns values, is allowed to hold them.
 */
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { sql } from 'kysely';
import { needleSearch } from '../needles.js';
import { as, DRIVER_NAMES, openTestService, skipReason, textJob, waitForJob } from './jobs-harness.js';
import type { TestService } from './jobs-harness.js';

const DOCUMENTS = 60;
const FIRST = [
  'Zebulon',
  'Ottilie',
  'Leopold',
  'Philippa',
  'Cornelius',
  'Wilhelmina',
  'Bartholomew',
  'Genoveva',
  'Thaddeus',
  'Araminta',
];
const LAST = [
  'Quartermaine',
  'Farnsworth',
  'Vandersloot',
  'Ashcombe',
  'Blackwood',
  'Pemberton',
  'Fairweather',
  'Oglethorpe',
  'Winterbottom',
  'Cavendish',
];

interface Canary {
  readonly ssn: string;
  readonly email: string;
  readonly name: string;
}

function canariesFor(run: number): Canary[] {
  return Array.from({ length: DOCUMENTS }, (_, i) => ({
    // Valid-shaped (area 536, group 10-99, serial 1000-9999) and unique within the run.
    ssn: `536-${String(10 + ((run + i) % 90)).padStart(2, '0')}-${String(1000 + ((run * 7 + i * 131) % 9000))}`,
    email: `canary-${run}${i}@example.org`,
    name: `${FIRST[i % 10]!} ${LAST[Math.floor(i / 10) % 10]!}`,
  }));
}

function documentOf(c: Canary, i: number): string {
  return `Claim note ${i}.\nPlease contact ${c.name} by e-mail at ${c.email} about the claim.\nHer social security number is ${c.ssn}.\n`;
}

/** Every table of every schema (Veil's, pg-boss's, anything else), as text. */
async function dumpDatabase(t: TestService): Promise<string> {
  const db = t.service.runtime.handle.db;
  const tables = await sql<{ schema: string; name: string }>`
    select table_schema as schema, table_name as name from information_schema.tables
    where table_type = 'BASE TABLE' and table_schema not in ('pg_catalog', 'information_schema')`.execute(db);
  assert.ok(
    tables.rows.some((r) => r.schema === 'pgboss'),
    'pg-boss tables are dumped too',
  );
  const parts: string[] = [];
  for (const { schema, name } of tables.rows) {
    const rows = await db.transaction().execute(async (trx) => {
      // Row-level security hides tenant rows unless the scope says all tenants.
      await sql`select set_config('veil.tenant_id', '*', true)`.execute(trx);
      return (await sql.raw(`select * from "${schema}"."${name}"`).execute(trx)).rows;
    });
    parts.push(
      `${schema}.${name}\n${JSON.stringify(rows, (_k, v: unknown) => (v instanceof Uint8Array ? Buffer.from(v).toString('latin1') : v))}`,
    );
  }
  return parts.join('\n');
}

async function walk(path: string): Promise<string[]> {
  const info = await stat(path).catch(() => undefined);
  if (info === undefined) return [];
  if (info.isFile()) return [path];
  if (!info.isDirectory()) return [];
  const out: string[] = [];
  for (const entry of await readdir(path).catch(() => [])) out.push(...(await walk(join(path, entry))));
  return out;
}

function needlesOf(canaries: readonly Canary[]): string[] {
  return canaries.flatMap((c) => [c.ssn, c.ssn.replaceAll('-', ''), c.email, c.name]);
}

async function filesHolding(files: readonly string[], needles: readonly string[]): Promise<string[]> {
  const hits: string[] = [];
  const find = needleSearch(needles);
  for (const file of files) {
    const hit = find(await readFile(file).catch(() => Buffer.alloc(0)));
    if (hit !== undefined) hits.push(`${file} (${hit.slice(0, 3)}…)`);
  }
  return hits;
}

for (const driver of DRIVER_NAMES) {
  describe(`canary leak test (${driver})`, { skip: skipReason(driver) }, () => {
    test(
      `${DOCUMENTS} canary documents through the API leave no plaintext canary anywhere`,
      { timeout: 240_000 },
      async () => {
        // Every temp file this process makes during the run lands in a directory of its own: the
        // shared temp directory also holds whatever the files running beside this one make (with
        // four at a time, enough to walk and read that this test once timed out doing so).
        const sharedTemp = tmpdir();
        const runTemp = await mkdtemp(join(sharedTemp, 'veil-canary-run-'));
        process.env.TMPDIR = runTemp;
        const run = randomInt(10_000, 99_999);
        const canaries = canariesFor(run);
        const t = await openTestService(driver, { workers: 2 });
        try {
          const { app } = t;
          const jobIds: string[] = [];
          for (const [i, c] of canaries.entries()) {
            const text = documentOf(c, i);
            let res;
            if (i % 3 === 0) {
              res = await app.inject({
                method: 'POST',
                url: '/v1/jobs',
                headers: as('processor'),
                payload: textJob(text),
              });
            } else if (i % 3 === 1) {
              const issued = (
                await app.inject({
                  method: 'POST',
                  url: '/v1/uploads',
                  headers: as('processor'),
                  payload: {},
                })
              ).json<{ upload_id: string; upload_url: string }>();
              const put = await app.inject({
                method: 'PUT',
                url: issued.upload_url,
                headers: { ...as('processor'), 'content-type': 'text/plain' },
                payload: text,
              });
              assert.equal(put.statusCode, 201);
              res = await app.inject({
                method: 'POST',
                url: '/v1/jobs',
                headers: as('processor'),
                payload: {
                  upload_id: issued.upload_id,
                  purpose: 'claims-intake',
                  consent: { basis: 'contract' },
                },
              });
            } else {
              const boundary = `b${run}x${i}`;
              const options = JSON.stringify({ purpose: 'claims-intake', consent: { basis: 'contract' } });
              res = await app.inject({
                method: 'POST',
                url: '/v1/jobs',
                headers: { ...as('admin'), 'content-type': `multipart/form-data; boundary=${boundary}` },
                payload:
                  `--${boundary}\r\nContent-Disposition: form-data; name="options"\r\n\r\n${options}\r\n` +
                  `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="doc-${i}.txt"\r\nContent-Type: text/plain\r\n\r\n${text}\r\n--${boundary}--\r\n`,
              });
            }
            assert.equal(res.statusCode, 202, res.body);
            jobIds.push(res.json<{ job_id: string }>().job_id);
          }
          for (const jobId of jobIds)
            assert.equal((await waitForJob(app, jobId, 'acme', 120_000)).status, 'succeeded');

          // Read every output, reveal two jobs (their responses may hold values), delete ten.
          const responses: string[] = [];
          for (const jobId of jobIds) {
            const status = await app.inject({
              method: 'GET',
              url: `/v1/jobs/${jobId}`,
              headers: as('auditor'),
            });
            const redacted = await app.inject({
              method: 'GET',
              url: `/v1/jobs/${jobId}/redacted`,
              headers: as('dpo'),
            });
            assert.equal(redacted.statusCode, 200);
            responses.push(status.body, redacted.body);
          }
          for (const jobId of jobIds.slice(0, 2)) {
            const revealed = await app.inject({
              method: 'POST',
              url: `/v1/jobs/${jobId}/reveal`,
              headers: as('dpo'),
              payload: { reason: { code: 'quality_review', ticket: 'QA-1' } },
            });
            assert.equal(revealed.statusCode, 200);
            assert.ok(
              canaries.some((c) => revealed.body.includes(c.email)),
              'the reveal returns the values',
            );
          }
          for (const jobId of jobIds.slice(-10)) {
            const deleted = await app.inject({
              method: 'DELETE',
              url: `/v1/jobs/${jobId}`,
              headers: as('processor'),
            });
            assert.equal(deleted.statusCode, 200);
            responses.push(deleted.body);
          }
          const audit = await app.inject({
            method: 'GET',
            url: '/v1/audit/entries?limit=1000',
            headers: as('auditor'),
          });
          responses.push(audit.body);

          const needles = needlesOf(canaries);
          // The SSNs and e-mails are detected and masked, so no non-reveal response holds them.
          const strictNeedles = canaries.flatMap((c) => [c.ssn, c.email]);
          assert.deepEqual(
            responses.filter((r) => strictNeedles.some((n) => r.includes(n))).map((r) => r.slice(0, 80)),
            [],
            'a status, redacted, deletion or audit response holds a canary',
          );

          const dump = await dumpDatabase(t);
          assert.ok(dump.length > 10_000, 'the dump holds the tables');
          assert.deepEqual(
            needles.filter((n) => dump.includes(n)),
            [],
            'a database row holds a canary',
          );

          // The one-pass search finds a canary where one is: the last document's bytes, mid-buffer.
          const lastDocument = Buffer.from(
            `\u0000${documentOf(canaries.at(-1)!, DOCUMENTS - 1)}\u0000`,
            'utf8',
          );
          assert.equal(needleSearch(needles)(lastDocument.subarray(1)), canaries.at(-1)!.name);

          const dataFiles = await walk(t.dataDir);
          assert.ok(
            dataFiles.some((f) => f.includes(`${join(t.dataDir, 'blobs')}`)),
            'blobs were written',
          );
          if (driver === 'pglite')
            assert.ok(
              dataFiles.some((f) => f.includes(join(t.dataDir, 'pglite'))),
              "PGlite's files are walked",
            );
          assert.deepEqual(
            await filesHolding(dataFiles, needles),
            [],
            'a data-directory file holds a canary',
          );

          const tempFiles = await walk(runTemp);
          assert.ok(
            dataFiles.every((f) => tempFiles.includes(f)),
            'the temp-dir walk saw the data directory at least',
          );
          assert.deepEqual(await filesHolding(tempFiles, needles), [], 'a temp file holds a canary');

          const logs = t.logs.join('\n');
          assert.ok(t.logs.length > DOCUMENTS, 'requests were logged');
          assert.deepEqual(
            needles.filter((n) => logs.includes(n)),
            [],
            'a log line holds a canary',
          );
        } finally {
          await t.dispose();
          process.env.TMPDIR = sharedTemp;
          await rm(runTemp, { recursive: true, force: true });
        }
      },
    );
  });
}
