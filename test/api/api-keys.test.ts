import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import type { AuditEvent } from '../../src/audit/index.js';
import type { AuditLog } from '../../src/audit/log.js';
import { as, DRIVER_NAMES, openTestService, skipReason, textJob, waitForJob } from './jobs-harness.js';
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

    test('admins create, list and revoke keys over HTTP, with an expiry, audited as themselves', async () => {
      const { app, service } = t;
      const forbidden = await app.inject({
        method: 'POST',
        url: '/v1/api-keys',
        headers: as('processor', 'initech'),
        payload: { roles: ['processor'] },
      });
      assert.equal(forbidden.statusCode, 403);
      const invalid = await app.inject({
        method: 'POST',
        url: '/v1/api-keys',
        headers: as('admin', 'initech'),
        payload: { roles: ['root'] },
      });
      assert.equal(invalid.statusCode, 400);

      const before = Date.now();
      const created = await app.inject({
        method: 'POST',
        url: '/v1/api-keys',
        headers: as('admin', 'initech'),
        payload: { roles: ['processor'], expires_in_seconds: 3600 },
      });
      assert.equal(created.statusCode, 201, created.body);
      assert.equal(created.headers['cache-control'], 'no-store');
      const body = created.json<{ api_key: string; key_id: string; expires_at: string }>();
      assert.match(body.api_key, /^veil_[0-9a-f]{24}_/);
      const expires = Date.parse(body.expires_at);
      assert.ok(expires >= before + 3_600_000 - 1000 && expires <= Date.now() + 3_600_000 + 1000);

      const analyze = { method: 'POST' as const, url: '/v1/analyze', payload: { text: 'nothing here' } };
      assert.equal((await app.inject({ ...analyze, headers: bearer(body.api_key) })).statusCode, 200);

      const listed = await app.inject({
        method: 'GET',
        url: '/v1/api-keys',
        headers: as('admin', 'initech'),
      });
      assert.equal(listed.statusCode, 200);
      assert.deepEqual(
        listed
          .json<{ keys: { key_id: string; roles: string[]; revoked_at: null; expires_at: string }[] }>()
          .keys.map((k) => [k.key_id, k.roles, k.revoked_at, k.expires_at]),
        [[body.key_id, ['processor'], null, body.expires_at]],
      );
      assert.ok(!listed.body.includes(body.api_key.slice(30)), 'a listing never shows the secret');
      // Another tenant's admin sees none of them and cannot revoke them.
      assert.deepEqual(
        (await app.inject({ method: 'GET', url: '/v1/api-keys', headers: as('admin', 'hooli') })).json(),
        { keys: [] },
      );
      assert.equal(
        (
          await app.inject({
            method: 'DELETE',
            url: `/v1/api-keys/${body.key_id}`,
            headers: as('admin', 'hooli'),
          })
        ).statusCode,
        404,
      );

      const revoked = await app.inject({
        method: 'DELETE',
        url: `/v1/api-keys/${body.key_id}`,
        headers: as('admin', 'initech'),
      });
      assert.equal(revoked.statusCode, 204);
      assert.deepEqual((await app.inject({ ...analyze, headers: bearer(body.api_key) })).json(), REFUSED);

      const keyEvents = (await events(service.audit.forTenant('initech'))).filter((e) =>
        e.action.startsWith('api_key.'),
      );
      assert.deepEqual(
        keyEvents.map((e) => [e.action, e.objects?.[0]?.id, e.actor]),
        [
          ['api_key.created', `apikey:${body.key_id}`, { id: 'user-admin', role: 'admin' }],
          ['api_key.revoked', `apikey:${body.key_id}`, { id: 'user-admin', role: 'admin' }],
        ],
      );
    });
  });
}
