/**
 * Every /v1 route × every role × own and another tenant's ids, on the service `veil serve` runs:
 * a role without the route's permission gets 403 whatever the id; a role with it gets the
 * route's success status on its own tenant's ids and 404 on another tenant's.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { PERMISSION_MATRIX, ROLES } from '../../src/access/index.js';
import type { Permission, Role } from '../../src/access/index.js';
import { placeHold } from '../../src/privacy/legal-holds/holds.js';
import { closeDocumentResources } from '../../src/documents/index.js';
import { textPdf } from '../documents/fixtures.js';
import { as, openTestService, policyWithFullText, submitFile, textJob, waitForJob } from './jobs-harness.js';
import type { TestService } from './jobs-harness.js';

const TEXT = 'Write to canary-matrix@example.org about claim 7; SSN 536-29-0007.';

interface Fixtures {
  /** A finished job of each tenant. */
  readonly job: Record<'own' | 'other', string>;
  /** A finished PDF job of each tenant (its redacted output is a PDF, with pages). */
  readonly pdf: Record<'own' | 'other', string>;
  /** A fresh job or upload for each call that consumes one. */
  nextJob(tenant: string): Promise<string>;
  nextUpload(tenant: string): Promise<string>;
  /** A fresh API key id of the tenant (each call revokes at most one). */
  nextApiKey(tenant: string): Promise<string>;
  /** A fresh standing legal hold of the tenant, on a fresh job (each lift lifts at most one). */
  nextHold(tenant: string): Promise<string>;
  /** An open review task of each tenant, and a fresh one for each call that claims or decides. */
  readonly task: Record<'own' | 'other', string>;
  nextTask(tenant: string): string;
}

interface RouteCase {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** The path as the OpenAPI document names it. */
  readonly route: string;
  /** null: public. */
  readonly permission: Permission | null;
  /** The status of a permitted call on the caller's own tenant. */
  readonly ok: number;
  /** Whether the route takes an id (so another tenant's id can be tried). */
  readonly byId: boolean;
  request(
    f: Fixtures,
    idTenant: string,
  ): Promise<{ url: string; payload?: unknown; headers?: Record<string, string> }>;
}

const jobUrl = (f: Fixtures, tenant: string, suffix = ''): string =>
  `/v1/jobs/${tenant === 'acme' ? f.job.own : f.job.other}${suffix}`;

const ROUTES: readonly RouteCase[] = [
  {
    method: 'POST',
    route: '/v1/analyze',
    permission: 'analyze:run',
    ok: 200,
    byId: false,
    request: async () => ({ url: '/v1/analyze', payload: { text: TEXT } }),
  },
  {
    method: 'POST',
    route: '/v1/anonymize',
    permission: 'analyze:run',
    ok: 200,
    byId: false,
    request: async () => ({ url: '/v1/anonymize', payload: { text: TEXT } }),
  },
  {
    method: 'POST',
    route: '/v1/uploads',
    permission: 'job:create',
    ok: 201,
    byId: false,
    request: async () => ({ url: '/v1/uploads', payload: {} }),
  },
  {
    method: 'PUT',
    route: '/v1/uploads/{id}',
    permission: 'job:create',
    ok: 201,
    byId: true,
    request: async (f, tenant) => ({
      url: await f.nextUpload(tenant),
      payload: TEXT,
      headers: { 'content-type': 'text/plain' },
    }),
  },
  {
    method: 'POST',
    route: '/v1/jobs',
    permission: 'job:create',
    ok: 202,
    byId: false,
    request: async () => ({ url: '/v1/jobs', payload: textJob(TEXT) }),
  },
  {
    method: 'GET',
    route: '/v1/jobs',
    permission: 'job:read',
    ok: 200,
    byId: false,
    request: async () => ({ url: '/v1/jobs?limit=5' }),
  },
  {
    method: 'GET',
    route: '/v1/me',
    permission: 'job:read',
    ok: 200,
    byId: false,
    request: async () => ({ url: '/v1/me' }),
  },
  {
    method: 'GET',
    route: '/v1/jobs/{id}',
    permission: 'job:read',
    ok: 200,
    byId: true,
    request: async (f, t) => ({ url: jobUrl(f, t) }),
  },
  {
    method: 'GET',
    route: '/v1/jobs/{id}/redacted',
    permission: 'job:read-redacted',
    ok: 200,
    byId: true,
    request: async (f, t) => ({ url: jobUrl(f, t, '/redacted') }),
  },
  {
    method: 'GET',
    route: '/v1/jobs/{id}/redacted/pages/{page}',
    permission: 'job:read-redacted',
    ok: 200,
    byId: true,
    request: async (f, t) => ({
      url: `/v1/jobs/${t === 'acme' ? f.pdf.own : f.pdf.other}/redacted/pages/1?dpi=36`,
    }),
  },
  {
    method: 'GET',
    route: '/v1/templates',
    permission: 'job:create',
    ok: 200,
    byId: false,
    request: async () => ({ url: '/v1/templates' }),
  },
  {
    method: 'GET',
    route: '/v1/jobs/{id}/fields',
    permission: 'job:read-redacted',
    ok: 200,
    byId: true,
    request: async (f, t) => ({ url: jobUrl(f, t, '/fields') }),
  },
  {
    method: 'GET',
    route: '/v1/jobs/{id}/text',
    permission: 'job:read-redacted',
    ok: 200,
    byId: true,
    request: async (f, t) => ({ url: jobUrl(f, t, '/text') }),
  },
  {
    method: 'DELETE',
    route: '/v1/jobs/{id}',
    permission: 'job:delete',
    ok: 200,
    byId: true,
    request: async (f, t) => ({ url: `/v1/jobs/${await f.nextJob(t)}` }),
  },
  {
    method: 'POST',
    route: '/v1/jobs/{id}/reveal',
    permission: 'job:reveal',
    ok: 200,
    byId: true,
    request: async (f, t) => ({
      url: jobUrl(f, t, '/reveal'),
      payload: { reason: { code: 'quality_review', ticket: 'QA-17' } },
    }),
  },
  {
    method: 'GET',
    route: '/v1/audit/entries',
    permission: 'audit:read',
    ok: 200,
    byId: false,
    request: async () => ({ url: '/v1/audit/entries?limit=5' }),
  },
  {
    method: 'GET',
    route: '/v1/audit/sth',
    permission: 'audit:read',
    ok: 200,
    byId: false,
    request: async () => ({ url: '/v1/audit/sth' }),
  },
  {
    method: 'GET',
    route: '/v1/audit/proof/inclusion',
    permission: 'audit:read',
    ok: 200,
    byId: false,
    request: async () => ({ url: '/v1/audit/proof/inclusion?leaf=0&size=2' }),
  },
  {
    method: 'GET',
    route: '/v1/audit/proof/consistency',
    permission: 'audit:read',
    ok: 200,
    byId: false,
    request: async () => ({ url: '/v1/audit/proof/consistency?from=1&to=2' }),
  },
  {
    method: 'GET',
    route: '/v1/audit/export',
    permission: 'audit:export',
    ok: 200,
    byId: false,
    request: async () => ({ url: '/v1/audit/export' }),
  },
  {
    method: 'POST',
    route: '/v1/api-keys',
    permission: 'api-keys:manage',
    ok: 201,
    byId: false,
    request: async () => ({ url: '/v1/api-keys', payload: { roles: ['processor'] } }),
  },
  {
    method: 'GET',
    route: '/v1/api-keys',
    permission: 'api-keys:manage',
    ok: 200,
    byId: false,
    request: async () => ({ url: '/v1/api-keys' }),
  },
  {
    method: 'DELETE',
    route: '/v1/api-keys/{id}',
    permission: 'api-keys:manage',
    ok: 204,
    byId: true,
    request: async (f, t) => ({ url: `/v1/api-keys/${await f.nextApiKey(t)}` }),
  },
  {
    method: 'GET',
    route: '/v1/analytics/counts',
    permission: 'analytics:read',
    ok: 200,
    byId: false,
    request: async () => ({ url: '/v1/analytics/counts?group_by=purpose&from=2020-01-01&to=2030-01-01' }),
  },
  {
    method: 'GET',
    route: '/v1/alerts',
    permission: 'alerts:read',
    ok: 200,
    byId: false,
    request: async () => ({ url: '/v1/alerts' }),
  },
  {
    method: 'GET',
    route: '/v1/privacy/metrics',
    permission: 'privacy-metrics:read',
    ok: 200,
    byId: false,
    request: async () => ({ url: '/v1/privacy/metrics?since=1h' }),
  },
  {
    method: 'GET',
    route: '/v1/policy',
    permission: 'policy:read',
    ok: 200,
    byId: false,
    request: async () => ({ url: '/v1/policy' }),
  },
  {
    method: 'GET',
    route: '/v1/compliance/report',
    permission: 'audit:read',
    ok: 200,
    byId: false,
    request: async () => ({ url: '/v1/compliance/report?since=1h' }),
  },
  {
    method: 'GET',
    route: '/v1/review/tasks',
    permission: 'review:decide',
    ok: 200,
    byId: false,
    request: async () => ({ url: '/v1/review/tasks?limit=5' }),
  },
  {
    method: 'GET',
    route: '/v1/review/tasks/{id}',
    permission: 'review:decide',
    ok: 200,
    byId: true,
    request: async (f, t) => ({ url: `/v1/review/tasks/${t === 'acme' ? f.task.own : f.task.other}` }),
  },
  // A text job has no layout, so its task has no crop: 404 for the roles that may ask, 403 for the others.
  {
    method: 'GET',
    route: '/v1/review/tasks/{id}/crop',
    permission: 'review:decide',
    ok: 404,
    byId: true,
    request: async (f, t) => ({ url: `/v1/review/tasks/${t === 'acme' ? f.task.own : f.task.other}/crop` }),
  },
  {
    method: 'POST',
    route: '/v1/review/tasks/{id}/claim',
    permission: 'review:decide',
    ok: 200,
    byId: true,
    request: async (f, t) => ({ url: `/v1/review/tasks/${f.nextTask(t)}/claim` }),
  },
  {
    method: 'POST',
    route: '/v1/review/tasks/{id}/decision',
    permission: 'review:decide',
    ok: 200,
    byId: true,
    request: async (f, t) => ({
      url: `/v1/review/tasks/${f.nextTask(t)}/decision`,
      payload: { action: 'confirm' },
    }),
  },
  {
    method: 'GET',
    route: '/v1/audit/public-key',
    permission: null,
    ok: 200,
    byId: false,
    request: async () => ({ url: '/v1/audit/public-key' }),
  },
  {
    method: 'GET',
    route: '/v1/sign-in',
    permission: null,
    ok: 200,
    byId: false,
    request: async () => ({ url: '/v1/sign-in' }),
  },
  {
    method: 'POST',
    route: '/v1/consents/withdrawals',
    permission: 'consent:withdraw',
    ok: 200,
    byId: true,
    request: async (f, t) => ({ url: '/v1/consents/withdrawals', payload: { job_id: await f.nextJob(t) } }),
  },
  {
    method: 'POST',
    route: '/v1/dsr/access',
    permission: 'dsr:manage',
    ok: 200,
    byId: false,
    request: async () => ({ url: '/v1/dsr/access', payload: { subject_ref: 'subject-matrix' } }),
  },
  {
    method: 'POST',
    route: '/v1/dsr/erasure',
    permission: 'dsr:manage',
    ok: 200,
    byId: false,
    request: async () => ({ url: '/v1/dsr/erasure', payload: { subject_ref: 'subject-matrix' } }),
  },
  {
    method: 'POST',
    route: '/v1/legal-holds',
    permission: 'legal-holds:manage',
    ok: 201,
    byId: true,
    request: async (f, t) => ({
      url: '/v1/legal-holds',
      payload: {
        scope: 'job',
        job_id: t === 'acme' ? f.job.own : f.job.other,
        reason: 'litigation',
        reference: 'MATTER-1',
      },
    }),
  },
  {
    method: 'GET',
    route: '/v1/legal-holds',
    permission: 'legal-holds:read',
    ok: 200,
    byId: false,
    request: async () => ({ url: '/v1/legal-holds' }),
  },
  {
    method: 'POST',
    route: '/v1/legal-holds/{id}/lift',
    permission: 'legal-holds:manage',
    ok: 200,
    byId: true,
    request: async (f, t) => ({ url: `/v1/legal-holds/${await f.nextHold(t)}/lift` }),
  },
];

let t: TestService;
let fixtures: Fixtures;

before(async () => {
  const policy = await policyWithFullText('claims-intake');
  t = await openTestService('pglite', { workers: 2, policyFor: () => policy });
  const { app } = t;
  const submit = async (tenant: string): Promise<string> => {
    // Every output, so every read route has something to read.
    const payload = textJob(TEXT, {
      outputs: ['findings_summary', 'redacted', 'fields', 'text'],
      fields: [{ name: 'email', type: 'email' }],
      consent: { basis: 'contract', allow_manual_review: false, allow_full_text: true },
    });
    const res = await app.inject({
      method: 'POST',
      url: '/v1/jobs',
      headers: as('processor', tenant),
      payload,
    });
    assert.equal(res.statusCode, 202, res.body);
    return res.json<{ job_id: string }>().job_id;
  };
  const own = await submit('acme');
  const other = await submit('globex');
  const pdf = await textPdf([[TEXT]], false);
  const submitPdf = (tenant: string): Promise<string> =>
    submitFile(
      app,
      { bytes: pdf, mediaType: 'application/pdf' },
      { purpose: 'claims-intake', consent: { basis: 'contract' }, outputs: ['redacted'] },
      as('processor', tenant),
    );
  const pdfJobs = { own: await submitPdf('acme'), other: await submitPdf('globex') };
  // One job per tenant whose every field a person must see: a pool of open review tasks.
  const reviewed = async (tenant: string): Promise<string[]> => {
    const payload = textJob(TEXT, {
      outputs: ['fields'],
      fields: Array.from({ length: 16 }, (_, i) => ({ name: `email_${i}`, type: 'email', review: 'always' })),
      consent: { basis: 'contract', allow_manual_review: true },
    });
    const res = await app.inject({
      method: 'POST',
      url: '/v1/jobs',
      headers: as('processor', tenant),
      payload,
    });
    assert.equal(res.statusCode, 202, res.body);
    const jobId = res.json<{ job_id: string }>().job_id;
    assert.equal((await waitForJob(app, jobId, tenant)).status, 'awaiting_review');
    const list = await app.inject({
      method: 'GET',
      url: '/v1/review/tasks?limit=100',
      headers: as('admin', tenant),
    });
    return list
      .json<{ tasks: { id: string; job_id: string }[] }>()
      .tasks.filter((task) => task.job_id === jobId)
      .map((task) => task.id);
  };
  const pools: Record<string, string[]> = { acme: await reviewed('acme'), globex: await reviewed('globex') };
  await waitForJob(app, own, 'acme');
  await waitForJob(app, other, 'globex');
  assert.equal((await waitForJob(app, pdfJobs.own, 'acme')).status, 'succeeded');
  assert.equal((await waitForJob(app, pdfJobs.other, 'globex')).status, 'succeeded');
  fixtures = {
    job: { own, other },
    pdf: pdfJobs,
    task: { own: pools.acme!.pop()!, other: pools.globex!.pop()! },
    nextTask: (tenant) => pools[tenant]!.pop()!,
    nextJob: submit,
    async nextApiKey(tenant) {
      return (
        await t.service.apiKeys.create(
          { tenantId: tenant, roles: ['processor'] },
          { id: 'veil-cli', role: 'admin' },
        )
      ).keyId;
    },
    async nextHold(tenant) {
      const job = await submit(tenant);
      return (
        await placeHold(
          t.service.runtime.handle.db,
          tenant,
          { scope: 'job', jobId: job },
          { reason: 'audit', reference: 'MATRIX-1', actorId: 'user-dpo' },
        )
      ).id;
    },
    async nextUpload(tenant) {
      const res = await app.inject({
        method: 'POST',
        url: '/v1/uploads',
        headers: as('processor', tenant),
        payload: {},
      });
      assert.equal(res.statusCode, 201);
      return res.json<{ upload_url: string }>().upload_url;
    },
  };
});

after(async () => {
  await t?.dispose();
  await closeDocumentResources();
});

test('the walk covers every /v1 route in the OpenAPI document', async () => {
  const doc = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json<{
    paths: Record<string, Record<string, unknown>>;
  }>();
  const served = Object.entries(doc.paths)
    .filter(([path]) => path.startsWith('/v1/'))
    .flatMap(([path, methods]) => Object.keys(methods).map((m) => `${m.toUpperCase()} ${path}`))
    .sort();
  assert.deepEqual(served, ROUTES.map((r) => `${r.method} ${r.route}`).sort());
});

test('the route permissions are the ones the matrix names (literal)', () => {
  const granted = (p: Permission): readonly Role[] => PERMISSION_MATRIX[p];
  assert.deepEqual(granted('job:create'), ['admin', 'processor']);
  assert.deepEqual(granted('job:read'), ['admin', 'processor', 'reviewer', 'auditor', 'dpo']);
  assert.deepEqual(granted('job:read-redacted'), ['admin', 'processor', 'dpo']);
  assert.deepEqual(granted('job:delete'), ['admin', 'processor', 'dpo']);
  assert.deepEqual(granted('job:reveal'), ['admin', 'dpo']);
  assert.deepEqual(granted('audit:read'), ['admin', 'auditor', 'dpo']);
  assert.deepEqual(granted('analyze:run'), ['admin', 'processor']);
  assert.deepEqual(granted('consent:withdraw'), ['admin', 'dpo']);
  assert.deepEqual(granted('dsr:manage'), ['admin', 'dpo']);
  assert.deepEqual(granted('legal-holds:manage'), ['admin', 'dpo']);
  assert.deepEqual(granted('legal-holds:read'), ['admin', 'auditor', 'dpo']);
  assert.deepEqual(granted('policy:read'), ['admin', 'processor', 'auditor', 'dpo']);
});

test('every route × role × tenant answers as PERMISSION_MATRIX says', async () => {
  const outcomes: string[] = [];
  const mismatches: string[] = [];
  for (const route of ROUTES) {
    // Without a token: 401 on every protected route.
    const anonymous = await route.request(fixtures, 'acme');
    const bare = await t.app.inject({
      method: route.method,
      url: anonymous.url,
      headers: anonymous.headers ?? {},
      ...(anonymous.payload === undefined ? {} : { payload: anonymous.payload as string }),
    });
    if (bare.statusCode !== (route.permission === null ? route.ok : 401))
      mismatches.push(`${route.method} ${route.route} anonymous → ${bare.statusCode}`);
    for (const role of ROLES) {
      for (const idTenant of route.byId ? (['acme', 'globex'] as const) : (['acme'] as const)) {
        const allowed =
          route.permission === null ||
          (PERMISSION_MATRIX[route.permission] as readonly Role[]).includes(role);
        const expected = !allowed ? 403 : idTenant === 'acme' ? route.ok : 404;
        const req = await route.request(fixtures, idTenant);
        const res = await t.app.inject({
          method: route.method,
          url: req.url,
          headers: { ...as(role, 'acme'), ...(req.headers ?? {}) },
          ...(req.payload === undefined ? {} : { payload: req.payload as string }),
        });
        outcomes.push(`${route.method} ${route.route} ${role} ${idTenant}: ${res.statusCode}`);
        if (res.statusCode !== expected)
          mismatches.push(
            `${route.method} ${route.route} as ${role} on ${idTenant}'s id: ${res.statusCode}, expected ${expected} (${res.body.slice(0, 120)})`,
          );
      }
    }
  }
  assert.deepEqual(mismatches, []);
  // 41 routes: 25 without ids × 5 roles + 16 with ids × 5 roles × 2 tenants.
  assert.equal(outcomes.length, 25 * 5 + 16 * 5 * 2);
});
