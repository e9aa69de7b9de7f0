// /v1/analyze and /v1/anonymize are audited: who, which route, counts by entity type; never content.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { as, openTestService } from './jobs-harness.js';
import type { TestService } from './jobs-harness.js';
import { verifyExport } from '../../src/audit/index.js';

let t: TestService;
before(async () => {
  t = await openTestService('pglite');
});
after(async () => {
  await t?.dispose();
});

test(
  'each synchronous analysis is in the tenant log with counts by type and no content',
  { timeout: 60_000 },
  async () => {
    const text = 'Mail jane.canary@example.org or bob.canary@example.org, SSN 536-22-1245';
    const analyzed = await t.app.inject({
      method: 'POST',
      url: '/v1/analyze',
      headers: as('processor', 'acme'),
      payload: { text },
    });
    assert.equal(analyzed.statusCode, 200);
    const anonymized = await t.app.inject({
      method: 'POST',
      url: '/v1/anonymize',
      headers: as('admin', 'acme'),
      payload: { text, analyzer_results: [{ entity_type: 'EMAIL_ADDRESS', start: 5, end: 28 }] },
    });
    assert.equal(anonymized.statusCode, 200);
    // A refused call is not an analysis.
    assert.equal(
      (
        await t.app.inject({
          method: 'POST',
          url: '/v1/analyze',
          headers: as('auditor', 'acme'),
          payload: { text },
        })
      ).statusCode,
      403,
    );

    const log = t.service.audit.forTenant('acme');
    const events = (await log.entries(0, await log.size()))
      .map((e) => e.event)
      .filter((e) => e.action.startsWith('text.'));
    assert.deepEqual(
      events.map((e) => [e.action, e.actor, e.counts, e.objects?.[0]?.kind]),
      [
        ['text.analyzed', { id: 'user-processor', role: 'user' }, { email_address: 2, us_ssn: 1 }, 'request'],
        ['text.anonymized', { id: 'user-admin', role: 'admin' }, { email_address: 1 }, 'request'],
      ],
    );
    const written = JSON.stringify(events);
    for (const value of ['canary', '536-22-1245', 'example.org'])
      assert.ok(!written.includes(value), `${value} reached the audit log`);
  },
);

test(
  'an auditor exports the tenant log over HTTP, and the export verifies offline',
  { timeout: 60_000 },
  async () => {
    assert.equal(
      (await t.app.inject({ method: 'GET', url: '/v1/audit/export', headers: as('processor', 'acme') }))
        .statusCode,
      403,
    );
    const exported = await t.app.inject({
      method: 'GET',
      url: '/v1/audit/export',
      headers: as('auditor', 'acme'),
    });
    assert.equal(exported.statusCode, 200);
    assert.match(String(exported.headers['content-type']), /^application\/x-ndjson/);
    const key = (await t.app.inject({ method: 'GET', url: '/v1/audit/public-key' })).json<{
      jwk: Parameters<typeof verifyExport>[1];
    }>().jwk;
    const verified = verifyExport(exported.body, key);
    assert.ok(verified.ok, JSON.stringify(verified));
    assert.ok(verified.entries >= 2, 'the analysis events of the first test are in it');
    // Another tenant's export holds none of acme's events.
    const other = await t.app.inject({
      method: 'GET',
      url: '/v1/audit/export',
      headers: as('auditor', 'globex'),
    });
    assert.equal(other.statusCode, 200);
    assert.ok(!other.body.includes('"acme"'));
  },
);
