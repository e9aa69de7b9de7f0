/**
 * The audit routes through `app.inject()` on each database driver: literal shapes, tenant
 * scoping, the guard's audit hook, and proofs that verify with the audit core's verifier and the
 * key the API publishes.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { pino } from 'pino';
import type { FastifyInstance } from 'fastify';
import { authorize } from '../../src/access/permissions.js';
import type { Principal } from '../../src/access/principal.js';
import { buildApp } from '../../src/api/index.js';
import {
  canonicalAuditEvent,
  hashFromHex,
  hashLeaf,
  importAuditPublicKey,
  verifyConsistency,
  verifyInclusion,
  verifyTreeHead,
} from '../../src/audit/index.js';
import { VeilError } from '../../src/errors/veil-error.js';
import { auditApiDependencies, SYSTEM_AUDIT_LOG } from '../../src/runtime/audit.js';
import type { AuditLogs } from '../../src/runtime/audit.js';
import { DRIVERS } from '../store/drivers.js';
import type { TestDatabase } from '../store/drivers.js';
import { bearerAuthenticator } from '../api/harness.js';
import { stepEvent, T0, testAuditLogs } from './fixtures.js';

const PRINCIPALS: Readonly<Record<string, Principal>> = {
  'auditor-acme': { id: 'user-3', tenantId: 'acme', roles: ['auditor'], kind: 'user' },
  'processor-acme': { id: 'user-1', tenantId: 'acme', roles: ['processor'], kind: 'user' },
  'auditor-globex': { id: 'user-9', tenantId: 'globex', roles: ['auditor'], kind: 'user' },
};
const as = (token: string) => ({ authorization: `Bearer ${token}` });

async function auditApp(
  logs: AuditLogs,
  audit?: { record(): Promise<void> },
): Promise<{ app: FastifyInstance; logLines: string[] }> {
  const logLines: string[] = [];
  const deps = auditApiDependencies(logs);
  const app = await buildApp({
    authenticate: bearerAuthenticator(PRINCIPALS),
    authorize: (principal, permission) => void authorize(principal, permission),
    logger: pino({ level: 'info' }, { write: (line: string) => void logLines.push(line) }),
    ...deps,
    ...(audit === undefined ? {} : { audit }),
  });
  return { app, logLines };
}

for (const driver of DRIVERS) {
  describe(`audit API on ${driver.name}`, { skip: driver.skip }, () => {
    let database: TestDatabase;
    let logs: AuditLogs;
    let app: FastifyInstance;
    let logLines: string[];

    before(async () => {
      database = await driver.open();
      ({ logs } = await testAuditLogs(database.handle));
      for (let i = 0; i < 10; i++) await logs.forTenant('acme').append(stepEvent('acme', i));
      await logs.forTenant('acme').append({
        time: new Date(T0 + 10).toISOString(),
        actor: { id: 'user-1', role: 'user' },
        tenant: 'acme',
        action: 'job.deleted',
        objects: [{ kind: 'job', id: 'job_3' }],
        deleted: [
          { class: 'job', count: 1 },
          { class: 'source', count: 1 },
        ],
        trigger: 'request',
      });
      await logs.forTenant('globex').append(stepEvent('globex', 0));
      ({ app, logLines } = await auditApp(logs));
    });
    after(async () => {
      await app?.close();
      await database?.dispose();
    });

    test('GET /v1/audit/public-key is public and serves the signing key as a JWK and PEM', async () => {
      const res = await app.inject({ method: 'GET', url: '/v1/audit/public-key' });
      assert.equal(res.statusCode, 200);
      const body = res.json();
      assert.deepEqual(Object.keys(body).sort(), ['jwk', 'key_id', 'pem']);
      assert.equal(body.key_id, logs.signer.keyId);
      assert.deepEqual(body.jwk, {
        kty: 'OKP',
        crv: 'Ed25519',
        x: body.jwk.x,
        kid: logs.signer.keyId,
        alg: 'EdDSA',
        use: 'sig',
      });
      assert.match(body.jwk.x, /^[A-Za-z0-9_-]{43}$/);
      assert.match(body.pem, /^-----BEGIN PUBLIC KEY-----\n[\s\S]+\n-----END PUBLIC KEY-----\n$/);
      assert.equal(importAuditPublicKey(body.pem).keyId, logs.signer.keyId);
    });

    test('an auditor reads its tenant log in pages, with literal entries', async () => {
      const res = await app.inject({
        method: 'GET',
        url: '/v1/audit/entries?from=0&limit=2',
        headers: as('auditor-acme'),
      });
      assert.equal(res.statusCode, 200);
      const body = res.json();
      const first = { v: 1, ...stepEvent('acme', 0) };
      assert.deepEqual(body, {
        tree_size: 11,
        entries: [
          {
            index: 0,
            leaf_hash: Buffer.from(hashLeaf(Buffer.from(canonicalAuditEvent(first).canonical))).toString(
              'hex',
            ),
            event: {
              v: 1,
              time: '2025-01-31T12:00:00.000Z',
              actor: { id: 'svc-worker', role: 'service' },
              tenant: 'acme',
              action: 'job.step',
              objects: [{ kind: 'job', id: 'job_0' }],
              step: 'detect',
              outcome: 'succeeded',
              counts: { findings: 0 },
            },
          },
          body.entries[1],
        ],
        next: 2,
      });
      assert.equal(body.entries[1].index, 1);

      const last = (
        await app.inject({
          method: 'GET',
          url: '/v1/audit/entries?from=9&limit=100',
          headers: as('auditor-acme'),
        })
      ).json();
      assert.deepEqual(
        last.entries.map((e: { index: number }) => e.index),
        [9, 10],
      );
      assert.equal(last.next, null);

      const deleted = (
        await app.inject({
          method: 'GET',
          url: '/v1/audit/entries?action=job.deleted',
          headers: as('auditor-acme'),
        })
      ).json();
      assert.deepEqual(
        deleted.entries.map((e: { index: number; event: { objects: unknown } }) => [
          e.index,
          e.event.objects,
        ]),
        [[10, [{ kind: 'job', id: 'job_3' }]]],
      );
    });

    test('query parameters are validated without echoing them', async () => {
      for (const url of [
        '/v1/audit/entries?limit=0',
        '/v1/audit/entries?limit=1001',
        '/v1/audit/entries?from=-1',
        '/v1/audit/entries?action=DROP%20TABLE',
        '/v1/audit/entries?tenant=globex',
        '/v1/audit/proof/inclusion?leaf=1',
      ]) {
        const res = await app.inject({ method: 'GET', url, headers: as('auditor-acme') });
        assert.equal(res.statusCode, 400, url);
        assert.equal(res.json().error.code, 'VEIL_INVALID_REQUEST', url);
        assert.doesNotMatch(res.body, /DROP|globex/, url);
      }
      const beyond = await app.inject({
        method: 'GET',
        url: '/v1/audit/proof/inclusion?leaf=11&size=11',
        headers: as('auditor-acme'),
      });
      assert.equal(beyond.statusCode, 400);
      assert.equal(beyond.json().error.code, 'VEIL_AUDIT_OUT_OF_RANGE');
      const backwards = await app.inject({
        method: 'GET',
        url: '/v1/audit/proof/consistency?from=5&to=3',
        headers: as('auditor-acme'),
      });
      assert.equal(backwards.json().error.code, 'VEIL_AUDIT_OUT_OF_RANGE');
    });

    test('the tree head and proofs from the API verify with the key from /v1/audit/public-key', async () => {
      const key = importAuditPublicKey(
        (await app.inject({ method: 'GET', url: '/v1/audit/public-key' })).json().jwk,
      );
      const sth = (
        await app.inject({ method: 'GET', url: '/v1/audit/sth', headers: as('auditor-acme') })
      ).json();
      assert.deepEqual(Object.keys(sth).sort(), [
        'key_id',
        'root_hash',
        'signature',
        'timestamp',
        'tree_size',
      ]);
      assert.equal(sth.tree_size, 11);
      assert.equal(sth.timestamp, T0 + 60_000);
      assert.equal(verifyTreeHead(sth, key), true);
      const root = hashFromHex(sth.root_hash)!;

      const { entries } = (
        await app.inject({ method: 'GET', url: '/v1/audit/entries?limit=1000', headers: as('auditor-acme') })
      ).json();
      for (const entry of entries as { index: number; event: unknown }[]) {
        const res = await app.inject({
          method: 'GET',
          url: `/v1/audit/proof/inclusion?leaf=${entry.index}&size=${sth.tree_size}`,
          headers: as('auditor-acme'),
        });
        assert.equal(res.statusCode, 200);
        const proof = res.json();
        assert.deepEqual(Object.keys(proof), ['leaf_index', 'tree_size', 'path']);
        // The auditor hashes the event it was given itself: the API's leaf hash is not trusted.
        const leaf = hashLeaf(Buffer.from(canonicalAuditEvent(entry.event).canonical, 'utf8'));
        assert.equal(
          verifyInclusion(
            leaf,
            proof.leaf_index,
            proof.tree_size,
            proof.path.map((h: string) => hashFromHex(h)!),
            root,
          ),
          true,
          `entry ${entry.index}`,
        );
      }

      // Head at 8 (signed automatically every 4 appends) → head at 11: the log only grew.
      const consistency = (
        await app.inject({
          method: 'GET',
          url: '/v1/audit/proof/consistency?from=8&to=11',
          headers: as('auditor-acme'),
        })
      ).json();
      assert.deepEqual([consistency.first, consistency.second], [8, 11]);
      const heads = await logs.forTenant('acme').store.treeHeads();
      const at8 = heads.find((h) => h.tree_size === 8)!;
      assert.equal(verifyTreeHead(at8, key), true);
      assert.equal(
        verifyConsistency(
          8,
          11,
          consistency.path.map((h: string) => hashFromHex(h)!),
          hashFromHex(at8.root_hash)!,
          root,
        ),
        true,
      );

      // Asking again signs nothing new: the log has not grown.
      const again = (
        await app.inject({ method: 'GET', url: '/v1/audit/sth', headers: as('auditor-acme') })
      ).json();
      assert.equal(again.signature, sth.signature);
    });

    test("another tenant's log is not visible: globex sees only its own one entry", async () => {
      const entries = (
        await app.inject({ method: 'GET', url: '/v1/audit/entries', headers: as('auditor-globex') })
      ).json();
      assert.equal(entries.tree_size, 1);
      assert.deepEqual(
        entries.entries.map((e: { event: { tenant: string } }) => e.event.tenant),
        ['globex'],
      );
      const sth = (
        await app.inject({ method: 'GET', url: '/v1/audit/sth', headers: as('auditor-globex') })
      ).json();
      assert.equal(sth.tree_size, 1);
      const proof = await app.inject({
        method: 'GET',
        url: '/v1/audit/proof/inclusion?leaf=5&size=11',
        headers: as('auditor-globex'),
      });
      assert.equal(proof.statusCode, 400);
      assert.equal(proof.json().error.code, 'VEIL_AUDIT_OUT_OF_RANGE');
    });

    test('a processor gets 403, and the denial is itself in the tenant log; failed logins go to the system log', async () => {
      const denied = await app.inject({
        method: 'GET',
        url: '/v1/audit/entries',
        headers: as('processor-acme'),
      });
      assert.equal(denied.statusCode, 403);
      assert.deepEqual(denied.json(), {
        error: { code: 'VEIL_FORBIDDEN', message: 'this action needs the permission audit:read' },
      });
      const page = (
        await app.inject({
          method: 'GET',
          url: '/v1/audit/entries?action=permission.denied',
          headers: as('auditor-acme'),
        })
      ).json();
      assert.equal(page.entries.length, 1);
      const event = page.entries[0].event;
      assert.deepEqual(event, {
        v: 1,
        time: new Date(T0 + 60_000).toISOString(),
        actor: { id: 'user-1', role: 'user' },
        tenant: 'acme',
        action: 'permission.denied',
        objects: [{ kind: 'request', id: event.objects[0].id }],
        permission: 'audit.read',
      });
      assert.match(String(event.objects?.[0]?.id), /^[0-9a-f-]{36}$/);

      const anonymous = await app.inject({ method: 'GET', url: '/v1/audit/sth' });
      assert.equal(anonymous.statusCode, 401);
      const forged = await app.inject({
        method: 'GET',
        url: '/v1/audit/sth',
        headers: as('forged.token.value'),
      });
      assert.equal(forged.statusCode, 401);
      const system = await logs.system.entries(0, await logs.system.size());
      assert.deepEqual(
        system.map((e) => [e.event.action, e.event.tenant, e.event.actor, e.event.method, e.event.code]),
        [
          ['auth.failed', SYSTEM_AUDIT_LOG, { id: 'anonymous', role: 'anonymous' }, 'jwt', 'missing'],
          ['auth.failed', SYSTEM_AUDIT_LOG, { id: 'anonymous', role: 'anonymous' }, 'jwt', 'refused'],
        ],
      );
      // No part of the credential is in the log.
      assert.doesNotMatch(JSON.stringify(system), /forged/);
      // The public key route is public: no authentication, nothing recorded.
      await app.inject({ method: 'GET', url: '/v1/audit/public-key' });
      assert.equal(await logs.system.size(), 2);
      assert.equal(
        logLines.some((l) => l.includes('could not record')),
        false,
      );
    });

    test('when recording fails the request is still refused and the failure is logged', async () => {
      const broken = await auditApp(logs, {
        record: async () => {
          throw new VeilError('VEIL_STORE_UNAVAILABLE', 'store: down');
        },
      });
      try {
        const res = await broken.app.inject({
          method: 'GET',
          url: '/v1/audit/entries',
          headers: as('processor-acme'),
        });
        assert.equal(res.statusCode, 403);
        const res401 = await broken.app.inject({ method: 'GET', url: '/v1/audit/entries' });
        assert.equal(res401.statusCode, 401);
        const errors = broken.logLines
          .map((l) => JSON.parse(l))
          .filter((l) => l.msg === 'audit: could not record a refusal');
        assert.deepEqual(
          errors.map((l) => [l.level, l.event, l.code]),
          [
            [50, 'permission.denied', 'VEIL_STORE_UNAVAILABLE'],
            [50, 'auth.failed', 'VEIL_STORE_UNAVAILABLE'],
          ],
        );
      } finally {
        await broken.app.close();
      }
    });
  });
}
