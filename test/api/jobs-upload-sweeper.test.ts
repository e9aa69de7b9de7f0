import assert from 'node:assert/strict';
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { parseAuditExport } from '../../src/audit/index.js';
import { exportAuditLogText } from '../../src/runtime/audit.js';
import { sweepExpiredUploads } from '../../src/runtime/upload-sweeper.js';
import { as, DRIVER_NAMES, openTestService, skipReason } from './jobs-harness.js';
import type { TestService } from './jobs-harness.js';

const CANARY = 'canary-sweeper@example.org';

for (const driver of DRIVER_NAMES) {
  describe(`expired uploads sweeper (${driver})`, { skip: skipReason(driver) }, () => {
    let t: TestService;
    before(async () => {
      // No timer: the test sweeps by hand, at times it chooses.
      t = await openTestService(driver, { workers: 0, uploadSweepIntervalSeconds: 0 });
    });
    after(async () => {
      await t?.dispose();
    });

    test('unused uploads are deleted (blob, then row) once expired past the grace, each deletion audited', async () => {
      const { app } = t;
      const db = t.service.runtime.handle.db;
      const open = async (tenant: string, bytes?: string): Promise<string> => {
        const issued = await app.inject({
          method: 'POST',
          url: '/v1/uploads',
          headers: as('processor', tenant),
          payload: {},
        });
        assert.equal(issued.statusCode, 201, issued.body);
        const upload = issued.json<{ upload_id: string; upload_url: string }>();
        if (bytes !== undefined) {
          const put = await app.inject({
            method: 'PUT',
            url: upload.upload_url,
            headers: { ...as('processor', tenant), 'content-type': 'text/plain' },
            payload: bytes,
          });
          assert.equal(put.statusCode, 201, put.body);
        }
        return upload.upload_id;
      };
      const filled = await open('acme', `Write to ${CANARY}.`);
      const empty = await open('acme');
      const fresh = await open('acme', `Write to ${CANARY}.`);
      const inGrace = await open('acme');
      const otherTenant = await open('globex', `Write to ${CANARY}.`);
      const now = Date.now();
      const rows = await db.transaction().execute(async (trx) => {
        await sql`select set_config('veil.tenant_id', '*', true)`.execute(trx);
        await sql`update uploads set expires_at = ${new Date(now - 300_000)} where id = ${filled}`.execute(
          trx,
        );
        await sql`update uploads set expires_at = ${new Date(now - 200_000)} where id = ${empty}`.execute(
          trx,
        );
        await sql`update uploads set expires_at = ${new Date(now - 100_000)} where id = ${otherTenant}`.execute(
          trx,
        );
        // Expired, but only just: a job may still be reading it.
        await sql`update uploads set expires_at = ${new Date(now - 10_000)} where id = ${inGrace}`.execute(
          trx,
        );
        return (
          await sql<{ id: string; blob_name: string | null }>`select id, blob_name from uploads`.execute(trx)
        ).rows;
      });
      const blobOf = (id: string): string => {
        const name = rows.find((r) => r.id === id)?.blob_name;
        assert.ok(name, `upload ${id} has a blob`);
        return join(t.dataDir, 'blobs', name.slice(2, 4), name);
      };
      const exists = (path: string) =>
        access(path).then(
          () => true,
          () => false,
        );
      const blobs = { filled: blobOf(filled), fresh: blobOf(fresh), otherTenant: blobOf(otherTenant) };
      for (const path of Object.values(blobs)) assert.equal(await exists(path), true);

      const swept = await sweepExpiredUploads({ db, blobs: t.service.runtime.blobs }, t.service.audit, {
        now: new Date(now),
      });
      assert.deepEqual(swept, [
        { tenantId: 'acme', uploadId: filled, hadBlob: true },
        { tenantId: 'acme', uploadId: empty, hadBlob: false },
        { tenantId: 'globex', uploadId: otherTenant, hadBlob: true },
      ]);
      const left = await db.transaction().execute(async (trx) => {
        await sql`select set_config('veil.tenant_id', '*', true)`.execute(trx);
        return (await sql<{ id: string }>`select id from uploads order by id`.execute(trx)).rows.map(
          (r) => r.id,
        );
      });
      assert.deepEqual(left, [fresh, inGrace].sort());
      assert.equal(await exists(blobs.filled), false);
      assert.equal(await exists(blobs.otherTenant), false);
      assert.equal(await exists(blobs.fresh), true);

      // Each deletion is in its own tenant's log, by id and class only.
      const deletions = async (tenant: string) =>
        parseAuditExport(await exportAuditLogText(t.service.audit, tenant))
          .entries.map((e) => e.event as Record<string, unknown>)
          .filter((e) => e.action === 'admin.upload.deleted')
          .map(({ actor, objects, deleted, trigger }) => ({ actor, objects, deleted, trigger }));
      const actor = { id: 'veil-upload-sweeper', role: 'system' };
      assert.deepEqual(await deletions('acme'), [
        {
          actor,
          objects: [{ kind: 'document', id: filled }],
          deleted: [
            { class: 'blob', count: 1 },
            { class: 'upload', count: 1 },
          ],
          trigger: 'retention',
        },
        {
          actor,
          objects: [{ kind: 'document', id: empty }],
          deleted: [{ class: 'upload', count: 1 }],
          trigger: 'retention',
        },
      ]);
      assert.deepEqual(await deletions('globex'), [
        {
          actor,
          objects: [{ kind: 'document', id: otherTenant }],
          deleted: [
            { class: 'blob', count: 1 },
            { class: 'upload', count: 1 },
          ],
          trigger: 'retention',
        },
      ]);
      assert.ok(!(await exportAuditLogText(t.service.audit, 'acme')).includes(CANARY));

      // A second sweep finds nothing and records nothing; the upload in its grace goes later.
      assert.deepEqual(
        await sweepExpiredUploads({ db, blobs: t.service.runtime.blobs }, t.service.audit, {
          now: new Date(now),
        }),
        [],
      );
      assert.equal((await deletions('acme')).length, 2);
      const later = await sweepExpiredUploads({ db, blobs: t.service.runtime.blobs }, t.service.audit, {
        now: new Date(now + 60_000),
      });
      assert.deepEqual(later, [{ tenantId: 'acme', uploadId: inGrace, hadBlob: false }]);
    });
  });
}
