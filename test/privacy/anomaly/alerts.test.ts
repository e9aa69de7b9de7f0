/**
 * Access anomaly alerts end to end on the real service, delivered to a real HTTP receiver on
 * 127.0.0.1: a burst raises one signed alert, normal traffic none, and an alert raised while the
 * receiver is down is delivered once it is back.
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import {
  AlertDispatcher,
  AnomalyDetector,
  storeAlert,
  withinWorkingHours,
} from '../../../src/privacy/anomaly/index.js';
import { loadPolicy } from '../../../src/policy/index.js';
import { DEFAULT_POLICY_PATH } from '../../../src/policy/shipped.js';
import { as, openTestService, textJob, waitForJob } from '../../api/jobs-harness.js';
import type { TestService } from '../../api/jobs-harness.js';

const SECRET = 'alert-secret-for-the-loopback-test';
const EMAIL = 'canary-alerts@example.org';

interface Received {
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function listen(server: Server, port = 0): Promise<number> {
  return new Promise((resolve) =>
    server.listen(port, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)),
  );
}

function receiver(received: Received[]): Server {
  return createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      res.writeHead(204).end();
    });
  });
}

async function until(
  what: string,
  check: () => Promise<boolean> | boolean,
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('detector rules: thresholds from the policy, one alert per burst, working hours, new API key address, crop outliers', () => {
  const start = Date.parse('2026-03-02T10:00:00.000Z'); // a Monday
  const detector = new AnomalyDetector((tenant) =>
    tenant === 'acme'
      ? {
          thresholds: { reveals_per_minute: 3, crops_min: 5, crops_peer_factor: 3 },
          working_hours: { start: '08:00', end: '18:00' },
        }
      : undefined,
  );
  const reveal = (time: number, actorId = 'user-dpo') =>
    detector.observe({
      kind: 'audit',
      tenant: 'acme',
      action: 'job.reveal',
      actorId,
      actorRole: 'user',
      time,
    });
  assert.deepEqual(reveal(start), []);
  assert.deepEqual(reveal(start + 1000), []);
  assert.deepEqual(reveal(start + 2000), [
    {
      tenant: 'acme',
      rule: 'reveal_burst',
      principalId: 'user-dpo',
      observed: 3,
      threshold: 3,
      windowSeconds: 60,
      at: start + 2000,
    },
  ]);
  assert.deepEqual(reveal(start + 3000), [], 'one burst, one alert');
  assert.deepEqual(reveal(start + 120_000, 'user-other'), []);
  // 22:00 UTC is outside 08:00–18:00.
  assert.deepEqual(
    reveal(Date.parse('2026-03-02T22:00:00.000Z'), 'user-late').map((a) => a.rule),
    ['outside_hours'],
  );
  assert.equal(
    withinWorkingHours(Date.parse('2026-03-07T10:00:00.000Z'), { start: '08:00', end: '18:00' }),
    false,
    'Saturday',
  );
  const call = (source: string, status = 200) =>
    detector.observe({
      kind: 'request',
      tenant: 'acme',
      principalId: 'apikey:k1',
      principalKind: 'service',
      status,
      byId: false,
      source,
      time: start,
    });
  assert.deepEqual(call('src:a'), []);
  assert.deepEqual(call('src:a'), []);
  assert.deepEqual(
    call('src:b').map((a) => a.rule),
    ['api_key_new_address'],
  );
  const crop = (actorId: string) =>
    detector.observe({
      kind: 'audit',
      tenant: 'acme',
      action: 'review.task.viewed',
      actorId,
      actorRole: 'reviewer',
      time: start,
    });
  for (const peer of ['r1', 'r2', 'r3']) for (let i = 0; i < 2; i++) crop(peer);
  const raised = Array.from({ length: 6 }, () => crop('r9')).flat();
  assert.deepEqual(
    raised.map((a) => [a.rule, a.principalId, a.observed, a.threshold]),
    [['crops_outlier', 'r9', 6, 6]],
  );
  assert.deepEqual(
    new AnomalyDetector(() => ({ enabled: false })).observe({
      kind: 'audit',
      tenant: 'x',
      action: 'job.reveal',
      actorId: 'u',
      actorRole: 'user',
      time: start,
    }),
    [],
  );
});

test("a burst of subject-access exports (governance's `dsr.access`) raises dsr_export_burst", () => {
  const start = Date.parse('2026-03-02T10:00:00.000Z');
  const detector = new AnomalyDetector(() => ({ thresholds: { dsr_exports_per_hour: 2 } }));
  const access = (time: number) =>
    detector.observe({
      kind: 'audit',
      tenant: 'acme',
      action: 'dsr.access',
      actorId: 'user-dpo',
      actorRole: 'user',
      time,
    });
  assert.deepEqual(access(start), []);
  assert.deepEqual(
    access(start + 60_000).map((a) => [a.rule, a.observed, a.threshold]),
    [['dsr_export_burst', 2, 2]],
  );
});

describe('alerts on the service with a real webhook receiver', () => {
  let t: TestService;
  let server: Server;
  let port: number;
  let jobId: string;
  const received: Received[] = [];
  before(async () => {
    process.env.VEIL_TEST_ALERT_SECRET = SECRET;
    server = receiver(received);
    port = await listen(server);
    const base = await loadPolicy(DEFAULT_POLICY_PATH);
    const policy = {
      ...base,
      alerts: { webhooks: [{ url: `http://127.0.0.1:${port}/hook`, secret_env: 'VEIL_TEST_ALERT_SECRET' }] },
    };
    t = await openTestService('pglite', {
      policyFor: () => policy,
      alerts: { dispatcher: { pollMs: 100, baseDelayMs: 100, maxDelayMs: 300 } },
    });
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/jobs',
      headers: as('processor'),
      payload: textJob(`Mail ${EMAIL} please.\n`),
    });
    jobId = res.json<{ job_id: string }>().job_id;
    assert.equal((await waitForJob(t.app, jobId)).status, 'succeeded');
  });
  after(async () => {
    await t?.dispose();
    server?.close();
    delete process.env.VEIL_TEST_ALERT_SECRET;
  });

  const reveal = (role: 'dpo' | 'admin' = 'dpo') =>
    t.app.inject({
      method: 'POST',
      url: `/v1/jobs/${jobId}/reveal`,
      headers: as(role),
      payload: { reason: { code: 'data_subject_request', ticket: 'DSR-7' } },
    });
  const alerts = async () =>
    (await t.app.inject({ method: 'GET', url: '/v1/alerts', headers: as('auditor') })).json<{
      alerts: Array<{
        id: string;
        rule: string;
        principal: string;
        deliveries: Array<{ status: string; attempts: number; last_status: number | null }>;
      }>;
    }>().alerts;

  test('normal traffic raises no alert', async () => {
    for (let i = 0; i < 3; i++) assert.equal((await reveal()).statusCode, 200);
    for (let i = 0; i < 5; i++)
      await t.app.inject({ method: 'GET', url: `/v1/jobs/${jobId}/redacted`, headers: as('processor') });
    await t.service.alerting.settled();
    await t.service.alerting.dispatcher.idle();
    assert.deepEqual(await alerts(), []);
    assert.equal(received.length, 0);
  });

  test('20 reveals in a minute by one dpo raise one alert, delivered with a valid signature and no document value', async () => {
    for (let i = 0; i < 20; i++) assert.equal((await reveal()).statusCode, 200);
    await t.service.alerting.settled();
    await until('the webhook', () => received.length >= 1);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(received.length, 1, 'one alert for one burst');
    const [hook] = received;
    const timestamp = String(hook!.headers['x-veil-timestamp']);
    const expected = `sha256=${createHmac('sha256', SECRET).update(`${timestamp}.${hook!.body}`).digest('hex')}`;
    assert.equal(hook!.headers['x-veil-signature'], expected);
    assert.ok(Math.abs(Number(timestamp) - Date.now() / 1000) < 60);
    const body = JSON.parse(hook!.body) as { text: string; alert: Record<string, unknown> };
    assert.equal(body.alert.rule, 'reveal_burst');
    assert.equal(body.alert.principal, 'user-dpo');
    assert.equal(body.alert.threshold, 10);
    assert.equal(body.alert.observed, 10);
    assert.match(
      body.text,
      /^Veil alert in tenant acme: reveal_burst by user-dpo, 10 in 60 s \(threshold 10\)$/,
    );
    assert.ok(!hook!.body.includes(EMAIL) && !hook!.body.includes('canary'), 'no document value');

    const listed = await alerts();
    assert.equal(listed.length, 1);
    assert.equal(listed[0]!.deliveries[0]!.status, 'delivered');
    const audit = await t.app.inject({
      method: 'GET',
      url: '/v1/audit/entries?action=alert.raised',
      headers: as('auditor'),
    });
    assert.equal(audit.json<{ entries: unknown[] }>().entries.length, 1);
  });

  test('receiver down: the alert waits in the outbox and is delivered when it is back; nothing is lost', async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const before = received.length;
    // Probing ids: 404s on /v1/jobs/:id from one principal.
    for (let i = 0; i < 20; i++)
      await t.app.inject({ method: 'GET', url: `/v1/jobs/no-such-job-${i}`, headers: as('processor') });
    await t.service.alerting.settled();
    await until('two failed attempts', async () => {
      const probe = (await alerts()).find((a) => a.rule === 'not_found_burst');
      return probe !== undefined && probe.deliveries[0]!.attempts >= 2;
    });
    const waiting = (await alerts()).find((a) => a.rule === 'not_found_burst')!;
    assert.equal(waiting.deliveries[0]!.status, 'pending');
    assert.equal(waiting.deliveries[0]!.last_status, 0);
    server = receiver(received);
    await listen(server, port);
    await until('delivery after the receiver is back', () => received.length > before);
    await until(
      'the delivered status',
      async () => (await alerts()).find((a) => a.id === waiting.id)!.deliveries[0]!.status === 'delivered',
    );
    const delivered = received
      .slice(before)
      .map((r) => JSON.parse(r.body) as { alert: { id: string; rule: string } });
    assert.deepEqual(
      delivered.map((d) => [d.alert.id, d.alert.rule]),
      [[waiting.id, 'not_found_burst']],
    );
  });

  test('a new alert is sent on the path that raised it, not by a poll; a crashed first attempt is taken over once', async () => {
    const db = t.service.runtime.handle.db;
    const env = { VEIL_TEST_ALERT_SECRET: SECRET };
    const target = {
      target: 'policy:0',
      url: `http://127.0.0.1:${port}/hook`,
      secretEnv: 'VEIL_TEST_ALERT_SECRET',
    };
    // Never started: it polls never, so only deliver() can have sent it.
    const direct = new AlertDispatcher({ db, env, pollMs: 3_600_000 });
    const alert = (principalId: string) =>
      ({
        tenant: 'acme',
        rule: 'download_burst',
        principalId,
        observed: 30,
        threshold: 30,
        windowSeconds: 60,
        at: Date.now(),
      }) as const;
    const before = received.length;
    const stored = await storeAlert(db, alert('user-direct'), [target], { leaseMs: direct.leaseMs });
    await direct.deliver(stored);
    assert.equal(received.length, before + 1);
    assert.equal(JSON.parse(received.at(-1)!.body).alert.id, stored.alert.id);
    const listed = (await alerts()).find((a) => a.id === stored.alert.id)!;
    assert.deepEqual(
      listed.deliveries.map((d) => [d.status, d.attempts]),
      [['delivered', 1]],
    );

    // A first attempt that never ran (the process died after storing): once its lease is over,
    // two processes polling at once send it exactly once between them.
    const orphan = await storeAlert(db, alert('user-orphan'), [target], { leaseMs: 0 });
    const pollers = [0, 1].map(() => new AlertDispatcher({ db, env, pollMs: 3_600_000 }));
    for (const p of pollers) p.wake();
    await Promise.all(pollers.map((p) => p.idle()));
    const sent = received.slice(before + 1).map((r) => JSON.parse(r.body).alert.id as string);
    assert.deepEqual(sent, [orphan.alert.id]);
    await Promise.all([direct, ...pollers].map((d) => d.stop()));
  });
});
