import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import type { AuditEvent } from '../../src/audit/index.js';
import type { AuditLog } from '../../src/audit/log.js';
import { DRIVER_NAMES, openTestService, skipReason, textJob, waitForJob } from './jobs-harness.js';
import type { TestService } from './jobs-harness.js';

const CLI = { id: 'veil-cli', role: 'admin' } as const;
const REASON = { reason: { code: 'data_subject_request', ticket: 'DSR-7' } };
const REFUSED = { error: { code: 'VEIL_UNAUTHENTICATED', message: 'authentication failed' } };

const bearer = (apiKey: string) => ({ authorization: `Bearer ${apiKey}` });

async function events(log: AuditLog): Promise<AuditEvent[]> {
  return (await log.entries(0, await log.size())).map((e) => e.event);
}

for (const driver of DRIVER_NAMES) {
  describe(`API keys on the service (${driver})`, { skip: skipReason(driver) }, () => {
    let t: TestService;
    before(async () => {
      t = await openTestService(driver);
    });
    after(async () => {
      await t?.dispose();
    });

    test('a key acts with its roles in its tenant, is audited, and stops working when revoked', async () => {
      const { app, service } = t;
      const processor = await service.apiKeys.create({ tenantId: 'acme', roles: ['processor'] }, CLI);
      const dpo = await service.apiKeys.create({ tenantId: 'acme', roles: ['dpo'] }, CLI);
      const globex = await service.apiKeys.create({ tenantId: 'globex', roles: ['admin'] }, CLI);

      const created = await app.inject({
        method: 'POST',
        url: '/v1/jobs',
        headers: bearer(processor.apiKey),
        payload: textJob('Write to key-holder@example.org about the claim.'),
      });
      assert.equal(created.statusCode, 202, created.body);
      const jobId = created.json<{ job_id: string }>().job_id;
      assert.equal((await waitForJob(app, jobId)).status, 'succeeded');
      const status = await app.inject({
        method: 'GET',
        url: `/v1/jobs/${jobId}`,
        headers: bearer(processor.apiKey),
      });
      assert.equal(status.statusCode, 200, status.body);

      // The permission matrix applies to keys as to tokens: a processor cannot reveal, a DPO can.
      const byProcessor = await app.inject({
        method: 'POST',
        url: `/v1/jobs/${jobId}/reveal`,
        headers: bearer(processor.apiKey),
        payload: REASON,
      });
      assert.equal(byProcessor.statusCode, 403);
      assert.equal(byProcessor.json<{ error: { code: string } }>().error.code, 'VEIL_FORBIDDEN');
      const byDpo = await app.inject({
        method: 'POST',
        url: `/v1/jobs/${jobId}/reveal`,
        headers: bearer(dpo.apiKey),
        payload: REASON,
      });
      assert.equal(byDpo.statusCode, 200, byDpo.body);

      // Another tenant's key sees nothing of the first tenant's job, whatever its roles.
      const stranger = await app.inject({
        method: 'GET',
        url: `/v1/jobs/${jobId}`,
        headers: bearer(globex.apiKey),
      });
      assert.equal(stranger.statusCode, 404);
      assert.equal(stranger.json<{ error: { code: string } }>().error.code, 'VEIL_NOT_FOUND');

      await service.apiKeys.revoke('acme', processor.keyId, CLI);
      const revoked = await app.inject({
        method: 'GET',
        url: `/v1/jobs/${jobId}`,
        headers: bearer(processor.apiKey),
      });
      assert.equal(revoked.statusCode, 401);
      assert.deepEqual(revoked.json(), REFUSED);
      // The same answer as a key that never existed and a token nobody issued.
      const unknown = await app.inject({
        method: 'GET',
        url: `/v1/jobs/${jobId}`,
        headers: bearer(`veil_${'0'.repeat(24)}_${'A'.repeat(43)}`),
      });
      assert.deepEqual([unknown.statusCode, unknown.json()], [401, REFUSED]);
      // Another tenant cannot revoke the key (it answers as if the key did not exist).
      await assert.rejects(
        service.apiKeys.revoke('globex', dpo.keyId, CLI),
        (e: { code?: string }) => e.code === 'VEIL_NOT_FOUND',
      );

      const tenantEvents = await events(service.audit.forTenant('acme'));
      const keyEvents = tenantEvents.filter((e) => e.action.startsWith('api_key.'));
      assert.deepEqual(
        keyEvents.map((e) => [e.action, e.objects?.[0]?.id, e.roles, e.actor.id]),
        [
          ['api_key.created', `apikey:${processor.keyId}`, ['processor'], 'veil-cli'],
          ['api_key.created', `apikey:${dpo.keyId}`, ['dpo'], 'veil-cli'],
          ['api_key.revoked', `apikey:${processor.keyId}`, undefined, 'veil-cli'],
        ],
      );
      // What a key did is recorded under its principal id, `apikey:<keyId>`.
      const denied = tenantEvents.find((e) => e.action === 'permission.denied');
      assert.deepEqual(denied?.actor, { id: `apikey:${processor.keyId}`, role: 'service' });
      assert.equal(tenantEvents.find((e) => e.action === 'job.reveal')?.actor.id, `apikey:${dpo.keyId}`);
      const failed = (await events(service.audit.system)).filter((e) => e.action === 'auth.failed');
      assert.deepEqual(
        failed.map((e) => e.method),
        ['api_key', 'api_key'],
      );

      // No secret anywhere: the table, the audit log, the server log.
      const secrets = [processor, dpo, globex].map((k) => k.apiKey.slice(`veil_${k.keyId}_`.length));
      const rows = await service.runtime.handle.db.transaction().execute(async (trx) => {
        await sql`select set_config('veil.tenant_id', '*', true)`.execute(trx);
        return (await sql<{ row: string }>`select t::text as row from api_keys t`.execute(trx)).rows;
      });
      assert.equal(rows.length, 3);
      const written = [
        ...rows.map((r) => r.row),
        JSON.stringify(tenantEvents),
        JSON.stringify(await events(service.audit.forTenant('globex'))),
        ...t.logs,
      ].join('\n');
      assert.ok(written.includes(processor.keyId));
      for (const secret of secrets) {
        assert.ok(!written.includes(secret), 'a secret was written');
        assert.ok(
          !written.includes(Buffer.from(secret, 'base64url').toString('hex')),
          'a secret was written as hex',
        );
      }
    });
  });
}
