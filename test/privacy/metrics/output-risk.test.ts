/**
 * Re-identification risk of released outputs, and the privacy counters: each released output
 * records its k (in its `output.released` receipt, from a keyed HMAC of the identifying values it
 * hands out), the figures reach `GET /v1/privacy/metrics`, `/metrics` and the report, nothing
 * stored holds a value, and the `_total` counters never go down and survive a restart.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { decodeOutputReceipt, OUTPUT_RECEIPT_HEADER } from '../../../src/client/index.js';
import { PrivacyCounters, renderPrivacyReport } from '../../../src/privacy/metrics/index.js';
import type { PrivacyMetrics } from '../../../src/privacy/metrics/index.js';
import {
  outputClassHmac,
  outputRiskFigures,
  releasedInFields,
  releasedInRedacted,
  releasedInText,
} from '../../../src/privacy/risk/index.js';
import { SYSTEM_SCOPE, withTenantScope } from '../../../src/store/database.js';
import {
  as,
  DRIVER_NAMES,
  openTestService,
  policyWithFullText,
  skipReason,
  waitForJob,
} from '../../api/jobs-harness.js';
import type { TestService } from '../../api/jobs-harness.js';

const PURPOSE = 'risk-intake';
const EMAILS = ['ann.lee.4c1d@example.org', 'bo.ray.9e2f@example.org', 'cy.dunn.77ab@example.org'];
// A and B fall in one class once generalised (ages 40-49, ZIP 021..); C alone.
const TEXTS = [
  `Claim for a patient aged 47, ZIP 02139, mail ${EMAILS[0]}.\n`,
  `Claim for a patient aged 43, ZIP 02141, mail ${EMAILS[1]}.\n`,
  `Claim for a patient aged 71, ZIP 90210, mail ${EMAILS[2]}.\n`,
];

test('the values an output hands out: kept, generalised and partly masked in a redacted output; every one in a transcript; direct and quasi fields', () => {
  const findings = [
    { type: 'AGE', value: '47' },
    { type: 'ZIP_CODE', value: '02139' },
    { type: 'EMAIL_ADDRESS', value: 'Ann@Example.org' },
    { type: 'US_SSN', value: '123-45-6789' },
    { type: 'MONEY', value: '$12.00' },
  ];
  const plan = {
    default: { operator: 'replace' },
    operators: {
      AGE: { operator: 'generalize' },
      ZIP_CODE: { operator: 'keep' },
      US_SSN: { operator: 'mask', char: '*', keepLast: 4 },
    },
  } as const;
  assert.deepEqual(releasedInRedacted(findings, plan), [
    // Compared as normalised (separators dropped), like the subject index.
    { name: 'AGE', value: '4049' },
    { name: 'ZIP_CODE', value: '02139' },
    { name: 'US_SSN', value: '*******6789' },
  ]);
  // Everything replaced: nothing of a person is shown.
  assert.deepEqual(releasedInRedacted(findings, { default: { operator: 'replace' } }), []);
  // A transcript shows them all (money is no identifier).
  assert.deepEqual(
    releasedInText(findings).map((r) => r.name),
    ['AGE', 'ZIP_CODE', 'EMAIL_ADDRESS', 'US_SSN'],
  );
  assert.deepEqual(
    releasedInFields({
      fields: {
        date: { value: '2024-03-01', sensitivity: 'quasi' },
        name: { value: 'Ann Lee', sensitivity: 'direct' },
        total: { value: 12, sensitivity: 'financial' },
        company: { value: null, sensitivity: 'quasi' },
      },
    }),
    [
      { name: 'date', value: '"2024-03-01"' },
      { name: 'name', value: '"Ann Lee"' },
    ],
  );
});

test('the class HMAC: the same set in any order is one class; another set, tenant or key is another', () => {
  const key = { version: 3, key: randomBytes(32) };
  const a = [
    { name: 'AGE', value: '40-49' },
    { name: 'ZIP_CODE', value: '021' },
  ];
  const hmac = outputClassHmac(key, 'acme', 'redacted', a);
  assert.match(hmac, /^v3:[0-9a-f]{64}$/);
  assert.equal(outputClassHmac(key, 'acme', 'redacted', [...a].reverse()), hmac);
  assert.notEqual(outputClassHmac(key, 'acme', 'redacted', a.slice(0, 1)), hmac);
  assert.notEqual(outputClassHmac(key, 'globex', 'redacted', a), hmac);
  assert.notEqual(outputClassHmac(key, 'acme', 'text', a), hmac);
  assert.notEqual(outputClassHmac({ version: 3, key: randomBytes(32) }, 'acme', 'redacted', a), hmac);
  assert.ok(!hmac.includes('021') || !/40-49/.test(hmac));
  assert.deepEqual(outputRiskFigures([1, 2, 2], 5), {
    released: 3,
    min_k: 1,
    unique_share: 1 / 3,
    below_target: 3,
  });
  assert.deepEqual(outputRiskFigures([], 5), {
    released: 0,
    min_k: null,
    unique_share: null,
    below_target: 0,
  });
});

for (const driver of DRIVER_NAMES) {
  describe(`output risk and privacy counters (${driver})`, { skip: skipReason(driver) }, () => {
    let t: TestService;
    const jobIds: string[] = [];
    before(async () => {
      const policy = await policyWithFullText(PURPOSE);
      t = await openTestService(driver, { policyFor: () => policy, sweepIntervalSeconds: 0 });
      for (const text of TEXTS) {
        const res = await t.app.inject({
          method: 'POST',
          url: '/v1/jobs',
          headers: as('processor'),
          payload: {
            text,
            purpose: PURPOSE,
            consent: { basis: 'contract', allow_full_text: true },
            outputs: ['redacted', 'text'],
          },
        });
        assert.equal(res.statusCode, 202, res.body);
        jobIds.push(res.json<{ job_id: string }>().job_id);
        assert.equal((await waitForJob(t.app, jobIds.at(-1)!)).status, 'succeeded');
      }
    });
    after(async () => {
      await t?.dispose();
    });

    const release = async (jobId: string, kind: 'redacted' | 'text') => {
      const res = await t.app.inject({
        method: 'GET',
        url: `/v1/jobs/${jobId}/${kind}`,
        headers: as('processor'),
      });
      assert.equal(res.statusCode, 200, res.body);
      const receipt = decodeOutputReceipt(String(res.headers[OUTPUT_RECEIPT_HEADER])) as {
        event: { counts?: Record<string, number> };
      };
      return receipt.event.counts;
    };
    const scrape = async () => (await t.app.inject({ method: 'GET', url: '/metrics' })).body;
    const series = (body: string, name: string): number => {
      const line = body.split('\n').find((l) => l.startsWith(`${name} `));
      assert.ok(line !== undefined, `${name} missing`);
      return Number(line.slice(name.length + 1));
    };

    test('each release records its k in its receipt: the class grows as outputs that hand out the same values are released', async () => {
      // Ages generalised to a band and ZIP codes to three digits show; the e-mail is replaced.
      assert.deepEqual(await release(jobIds[0]!, 'redacted'), { k: 1, identifiers: 2 });
      assert.deepEqual(await release(jobIds[1]!, 'redacted'), { k: 2, identifiers: 2 });
      assert.deepEqual(await release(jobIds[0]!, 'redacted'), { k: 2, identifiers: 2 });
      assert.deepEqual(await release(jobIds[2]!, 'redacted'), { k: 1, identifiers: 2 });
      // The transcript shows the exact age, ZIP code and e-mail: alone in its class.
      assert.deepEqual(await release(jobIds[0]!, 'text'), { k: 1, identifiers: 3 });
    });

    test('the figures: GET /v1/privacy/metrics, /metrics and the report', async () => {
      const res = await t.app.inject({
        method: 'GET',
        url: '/v1/privacy/metrics?since=1h',
        headers: as('dpo'),
      });
      assert.equal(res.statusCode, 200, res.body);
      const m = res.json<PrivacyMetrics>();
      assert.deepEqual(m.reidentification, {
        k_target: 5,
        by_kind: {
          redacted: { released: 3, min_k: 1, unique_share: 1 / 3, below_target: 3 },
          fields: { released: 0, min_k: null, unique_share: null, below_target: 0 },
          text: { released: 1, min_k: 1, unique_share: 1, below_target: 1 },
        },
      });
      const body = await scrape();
      assert.equal(series(body, 'veil_privacy_output_min_k{tenant="acme",kind="redacted"}'), 1);
      assert.equal(series(body, 'veil_privacy_outputs_below_k{tenant="acme",kind="text"}'), 1);
      assert.equal(series(body, 'veil_privacy_output_k_target{tenant="acme"}'), 5);
      assert.equal(series(body, 'veil_privacy_output_k_bucket{le="1",tenant="acme",kind="redacted"}'), 1);
      assert.equal(series(body, 'veil_privacy_output_k_bucket{le="2",tenant="acme",kind="redacted"}'), 3);
      assert.match(
        renderPrivacyReport(m),
        /^- Re-identification risk of outputs first released .*target k ≥ 5\): redacted 3 \(smallest k 1, alone in their class 33.3%, below target 3\); fields none; text 1 \(smallest k 1, alone in their class 100%, below target 1\)$/m,
      );
    });

    test('stored: a keyed HMAC and a count per output, no value; rows go with their job', async () => {
      const db = t.service.runtime.handle.db;
      const rows = await withTenantScope(db, SYSTEM_SCOPE, (trx) =>
        sql<{
          row: string;
          class_hmac: string;
          job_id: string;
          created_at: string;
          released_at: string;
        }>`select t::text as row, class_hmac, job_id, created_at::text as created_at,
             coalesce(released_at::text, '') as released_at from output_classes t`.execute(trx),
      );
      assert.equal(rows.rows.length, 6, 'redacted and text of three jobs');
      for (const { row, class_hmac, job_id, created_at, released_at } of rows.rows) {
        assert.match(class_hmac, /^v\d+:[0-9a-f]{64}$/);
        // The random job id and the times may hold "021" by chance: only the other columns are read.
        const rest = [class_hmac, job_id, created_at, released_at].reduce((r, v) => r.replace(v, ''), row);
        for (const value of [...EMAILS, '02139', '90210', '40-49', '021', ' 47'])
          assert.ok(!rest.includes(value), `no value in ${row}`);
      }
      const del = await t.app.inject({
        method: 'DELETE',
        url: `/v1/jobs/${jobIds[2]}`,
        headers: as('processor'),
      });
      assert.equal(del.statusCode, 200, del.body);
      const left = await withTenantScope(db, SYSTEM_SCOPE, (trx) =>
        sql<{
          n: number;
        }>`select count(*)::int as n from output_classes where job_id = ${jobIds[2]!}`.execute(trx),
      );
      assert.equal(left.rows[0]!.n, 0);
    });

    test('the _total counters never go down across scrapes, outlast the process that counted them, and carry closed-set labels', async () => {
      const first = await scrape();
      const name = 'veil_privacy_outputs_released_total{tenant="acme",kind="redacted"}';
      assert.match(first, /^# TYPE veil_privacy_outputs_released_total counter$/m);
      assert.equal(series(first, name), 4);
      assert.equal(series(first, 'veil_privacy_outputs_released_total{tenant="acme",kind="text"}'), 1);
      assert.equal(series(first, 'veil_privacy_jobs_created_total{tenant="acme"}'), 3);
      await release(jobIds[1]!, 'redacted');
      const reveal = await t.app.inject({
        method: 'POST',
        url: `/v1/jobs/${jobIds[0]}/reveal`,
        headers: as('dpo'),
        payload: { reason: { code: 'quality_review', ticket: 'CS-12' } },
      });
      assert.equal(reveal.statusCode, 200, reveal.body);
      const second = await scrape();
      assert.equal(series(second, name), 5);
      assert.equal(series(second, 'veil_privacy_reveals_total{tenant="acme",reason="quality_review"}'), 1);
      // Every counter of the first scrape is still there, none lower.
      for (const line of first.split('\n').filter((l) => /^veil_privacy_\w+_total\{/.test(l))) {
        const [series_, value] = [
          line.slice(0, line.lastIndexOf(' ')),
          Number(line.slice(line.lastIndexOf(' ') + 1)),
        ];
        assert.ok(series(second, series_) >= value, `${series_} went down`);
      }
      // A process started now (no memory of the scrapes) reads the same totals from the log.
      const fresh = await new PrivacyCounters(t.service.runtime.handle.db).read();
      assert.equal(fresh.get('acme')!.outputs_released.redacted, 5);
      assert.equal(fresh.get('acme')!.reveals.quality_review, 1);
      assert.equal(fresh.get('acme')!.jobs_created[''], 3);
      const labels = new Set(
        [...second.matchAll(/^veil_privacy_\w+_total\{([^}]*)\}/gm)].flatMap((m) =>
          [...m[1]!.matchAll(/(\w+)="/g)].map((l) => l[1]!),
        ),
      );
      assert.deepEqual([...labels].sort(), ['kind', 'reason', 'tenant']);
      for (const value of [...EMAILS, 'CS-12', ...jobIds])
        assert.ok(!second.includes(value), 'no value, ticket or job id in /metrics');
    });
  });
}
