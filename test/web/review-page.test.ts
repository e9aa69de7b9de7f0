/**
 * The Review page in Chromium, served by the real API framework (authentication, role guard, CSP,
 * `/v1/me`) with the review routes answering the agreed contract from memory (`GET
 * /v1/review/tasks`, claim, crop, decision), until the review queue's own routes are in this
 * branch. It shows that the queue lists no candidate value, a claim shows the crop and the
 * candidate, the keys c/e/r/n confirm, edit, reject and take the next task, each decision is
 * sent as the contract says, and a role without `review:decide` is not offered the page.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import type { Page } from 'playwright-core';
import sharp from 'sharp';
import { requirePermission } from '../../src/access/permissions.js';
import { mintDevelopmentToken } from '../../src/access/index.js';
import { buildApp } from '../../src/api/index.js';
import type { ApiRoutePlugin } from '../../src/api/index.js';
import { VeilError } from '../../src/errors/veil-error.js';
import { localAuthenticate } from '../../src/runtime/sign-in.js';
import { consoleRoutes } from '../../src/web/serve-console.js';
import type { ReviewDecision, ReviewTask } from '../../src/client/index.js';
import { browserSkipReason, checkPage, openConsoleBrowser } from './browser.js';
import type { ConsoleBrowser } from './browser.js';

const CANDIDATES = ['canary-review@example.org', '2026-03-14', 'MasterCard'];

/** The review routes of the contract, over tasks held in memory. */
function contractRoutes(tasks: ReviewTask[], decisions: Array<{ id: string; body: ReviewDecision }>, crop: Buffer): ApiRoutePlugin {
  const find = (id: string): ReviewTask => {
    const task = tasks.find((t) => t.id === id);
    if (task === undefined) throw new VeilError('VEIL_NOT_FOUND', 'review: no such task');
    return task;
  };
  const replace = (task: ReviewTask): ReviewTask => {
    tasks.splice(tasks.findIndex((t) => t.id === task.id), 1, task);
    return task;
  };
  return async (app: FastifyInstance) => {
    const permission = { permission: 'review:decide' as const };
    app.get('/v1/review/tasks', { config: permission }, async () => ({ tasks: tasks.filter((t) => t.status === 'open'), next_cursor: null }));
    app.get<{ Params: { id: string } }>('/v1/review/tasks/:id', { config: permission }, async (request) => find(request.params.id));
    app.get<{ Params: { id: string } }>('/v1/review/tasks/:id/crop', { config: permission }, async (request, reply) => {
      find(request.params.id);
      return reply.type('image/png').header('cache-control', 'no-store').send(crop);
    });
    app.post<{ Params: { id: string } }>('/v1/review/tasks/:id/claim', { config: permission }, async (request) => {
      const task = find(request.params.id);
      if (task.status !== 'open') throw new VeilError('VEIL_CONFLICT', 'review: the task is not open');
      return replace({ ...task, status: 'claimed', lease: { reviewer: 'dev:reviewer', expires_at: new Date(Date.now() + 600_000).toISOString() } });
    });
    app.post<{ Params: { id: string }; Body: ReviewDecision }>('/v1/review/tasks/:id/decision', { config: permission }, async (request) => {
      const task = find(request.params.id);
      decisions.push({ id: task.id, body: request.body });
      return replace({ ...task, status: 'decided', lease: null, decision: { action: request.body.action, reviewer: 'dev:reviewer', decided_at: new Date().toISOString() } });
    });
  };
}

function task(
  name: string,
  type: ReviewTask['field']['type'],
  candidate: ReviewTask['candidate'],
  crop: ReviewTask['crop'],
): ReviewTask {
  return {
    id: randomUUID(),
    job_id: randomUUID(),
    queue: 'default',
    field: { name, type, hint: type === 'enum' ? ['Visa', 'MasterCard'] : null },
    candidate,
    confidence: 0.42,
    status: 'open',
    created_at: new Date().toISOString(),
    expires_at: new Date(Date.now() + 86_400_000).toISOString(),
    lease: null,
    crop,
    decision: null,
  };
}

const skip = await browserSkipReason();

describe('the Review page against the review routes\' contract', { skip }, () => {
  let dataDir: string;
  let app: FastifyInstance;
  let url: string;
  let opened: ConsoleBrowser | undefined;
  let page: Page;
  const decisions: Array<{ id: string; body: ReviewDecision }> = [];
  const tasks = [
    task('contact', 'email', CANDIDATES[0]!, { width: 240, height: 60, page_share: 0.04 }),
    task('visit_date', 'date', CANDIDATES[1]!, null),
    task('card', 'enum', CANDIDATES[2]!, { width: 240, height: 60, page_share: 0.03 }),
  ];

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'veil-review-page-'));
    const crop = await sharp({ create: { width: 240, height: 60, channels: 3, background: '#f4f4f4' } }).png().toBuffer();
    app = await buildApp({
      authenticate: await localAuthenticate(dataDir),
      authorize: requirePermission,
      routes: [contractRoutes(tasks, decisions, crop), consoleRoutes()],
    });
    url = await app.listen({ host: '127.0.0.1', port: 0 });
    opened = await openConsoleBrowser();
    page = opened.page;
  });
  after(async () => {
    await opened?.close();
    await app?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  async function signIn(role: 'reviewer' | 'processor'): Promise<void> {
    await page.goto(`${url}/console/#/review`);
    await page.reload();
    await page.getByLabel('Token or API key').fill(await mintDevelopmentToken(dataDir, { role, tenant: 'acme' }));
    await page.getByLabel('Token or API key').press('Enter');
    await page.getByRole('navigation', { name: 'Main' }).waitFor();
  }

  test('the queue lists fields without their candidates; claiming shows the crop and the candidate', async () => {
    await signIn('reviewer');
    const queue = page.getByRole('table', { name: /^Fields waiting for a reviewer/ });
    await queue.waitFor();
    assert.equal(await queue.getByRole('row').count(), 4);
    await checkPage(page, '40-review-queue', CANDIDATES);

    await page.getByRole('button', { name: 'Claim contact' }).click();
    await page.getByRole('heading', { name: /^contact/ }).waitFor();
    const image = page.getByRole('img', { name: 'The part of the page where contact was read' });
    await image.waitFor();
    // A function, not a string: locator.evaluate calls it with the element.
    const width = await image.evaluate((img: { decode(): Promise<void>; naturalWidth: number }) => img.decode().then(() => img.naturalWidth));
    assert.equal(width, 240, 'the crop PNG was decoded');
    assert.match(await page.locator('output.candidate').innerText(), /canary-review@example\.org/);
    assert.match(await page.getByText(/% of the page is shown/).innerText(), /^4% of the page is shown\.$/);
    // Only the claimed task's candidate is on the page.
    const html = await page.content();
    assert.ok(!html.includes(CANDIDATES[1]!) && !html.includes(CANDIDATES[2]!));
    await checkPage(page, '41-review-claimed', CANDIDATES, { canariesAllowed: true });
  });

  test('keys: c confirms; n takes the next task; e edits and Enter saves a correction; r rejects', async () => {
    await page.locator('body').press('c');
    await page.getByText(/^contact: confirmed\./).waitFor();
    assert.deepEqual(decisions.at(-1), { id: tasks[0]!.id, body: { action: 'confirm' } });

    await page.locator('body').press('n');
    await page.getByRole('heading', { name: /^visit_date/ }).waitFor();
    assert.match(await page.getByText('This field has no image on the page (a text document).').innerText(), /no image/);
    await page.locator('body').press('e');
    assert.equal(await page.evaluate('document.activeElement.id'), 'review-value');
    await page.getByLabel('Correct value').fill('2026-03-15');
    await page.getByLabel('Reason (optional; a ticket id, never personal data)').fill('QA-17');
    await page.getByLabel('Correct value').press('Enter');
    await page.getByText(/^visit_date: corrected\./).waitFor();
    assert.deepEqual(decisions.at(-1), { id: tasks[1]!.id, body: { action: 'correct', value: '2026-03-15', reason: 'QA-17' } });

    await page.locator('body').press('n');
    await page.getByRole('heading', { name: /^card/ }).waitFor();
    assert.match(await page.locator('dl').innerText(), /Allowed values\s+Visa, MasterCard/);
    await page.locator('body').press('r');
    await page.getByText(/^card: rejected\. No more open tasks\./).waitFor();
    assert.deepEqual(decisions.at(-1), { id: tasks[2]!.id, body: { action: 'reject' } });
    await page.getByText('The queue is empty.').waitFor();
    await checkPage(page, '42-review-done', CANDIDATES);
  });

  test('a processor is not offered Review, and the page says so', async () => {
    await signIn('processor');
    const nav = await page.getByRole('navigation', { name: 'Main' }).innerText();
    assert.ok(!nav.includes('Review'));
    await page.getByRole('heading', { name: 'Not available' }).waitFor();
  });
});
