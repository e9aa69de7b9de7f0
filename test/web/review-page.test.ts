/**
 * The Review page in Chromium against a real `veil serve` (PGlite only: the review queue's own
 * test covers PostgreSQL) with real review tasks: jobs that consent to manual review and ask for
 * a total whose threshold no score reaches, one of them a receipt PDF so its task has a real crop.
 * The queue lists no candidate value; a claim shows the crop and the candidate; the keys c/e/r/n
 * confirm, edit, reject and take the next task; a bad correction shows the server's 422; each
 * decision lands in the job's fields; a role without `review:decide` is not offered the page;
 * axe-core finds nothing serious and no request leaves the origin.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { closeDocumentResources } from '../../src/documents/resources.js';
import { serveVeil } from '../client/serve-harness.js';
import type { ServedVeil } from '../client/serve-harness.js';
import { textPdf } from '../documents/fixtures.js';
import { browserSkipReason, checkPage, openConsoleBrowser } from './browser.js';
import type { ConsoleBrowser } from './browser.js';

const CUSTOMER = 'Quenby Marchetti-Holloway';
/** What the page must never show outside a claimed task: the candidates and the document's text. */
const CANARIES = ['9.00', '7.25', '3.40', CUSTOMER];

interface FieldRead {
  status: string;
  value: unknown;
  review?: { action: string; reviewer: string };
}

const skip = await browserSkipReason();

describe('the Review page against the real review queue', { skip }, () => {
  let veil: ServedVeil;
  let opened: ConsoleBrowser | undefined;
  let page: Page;
  let seen: ConsoleBrowser['seen'];
  /** Job ids by the field each asks for: `total` from a PDF (with a crop), the others from text. */
  const jobs = { total: '', grand_total: '', paid: '' };

  async function api<T>(
    path: string,
    init: {
      method?: string;
      body?: string | FormData;
      contentType?: string;
      role?: 'processor' | 'reviewer' | 'auditor';
    } = {},
  ): Promise<T> {
    const headers: Record<string, string> = {
      authorization: `Bearer ${await veil.token(init.role ?? 'processor')}`,
    };
    if (init.contentType !== undefined) headers['content-type'] = init.contentType;
    const res = await fetch(`${veil.url}${path}`, {
      method: init.method ?? 'GET',
      headers,
      ...(init.body === undefined ? {} : { body: init.body }),
    });
    assert.ok(res.ok, `${path}: ${res.status} ${await res.clone().text()}`);
    return (await res.json()) as T;
  }

  /** Submits a job asking for `field` (reviewed below 0.999, so always routed) with consent to review. */
  async function submit(
    field: keyof typeof jobs,
    document: { text: string } | { pdf: Uint8Array },
  ): Promise<string> {
    const request = {
      purpose: 'claims-intake',
      consent: { basis: 'contract', allow_manual_review: true },
      outputs: ['fields'],
      fields: [{ name: field, type: 'money', hint: 'Grand Total', review_below: 0.999 }],
      retention_days: 1,
    };
    if ('text' in document) {
      return (
        await api<{ job_id: string }>('/v1/jobs', {
          method: 'POST',
          body: JSON.stringify({ ...request, text: document.text }),
          contentType: 'application/json',
        })
      ).job_id;
    }
    const form = new FormData();
    form.append('options', JSON.stringify(request));
    form.append('file', new Blob([document.pdf], { type: 'application/pdf' }), 'receipt.pdf');
    return (await api<{ job_id: string }>('/v1/jobs', { method: 'POST', body: form })).job_id;
  }

  async function waitFor(jobId: string, status: string): Promise<void> {
    const deadline = Date.now() + 300_000;
    for (;;) {
      const body = await api<{ status: string }>(`/v1/jobs/${jobId}`, { role: 'auditor' });
      if (body.status === status) return;
      assert.ok(
        body.status === 'queued' || body.status === 'running' || body.status === 'awaiting_review',
        `${jobId}: ${body.status}`,
      );
      assert.ok(Date.now() < deadline, `${jobId} stayed ${body.status}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  const fieldOf = async (field: keyof typeof jobs): Promise<FieldRead> =>
    (await api<{ fields: Record<string, FieldRead> }>(`/v1/jobs/${jobs[field]}/fields`)).fields[field]!;

  before(async () => {
    veil = await serveVeil();
    const pdf = await textPdf(
      [['ACME TRADING SDN BHD', 'Date: 25/12/2018', `Customer: ${CUSTOMER}`, 'Grand Total RM 9.00']],
      false,
    );
    // One at a time, in the order the queue lists them (oldest first).
    jobs.total = await submit('total', { pdf });
    await waitFor(jobs.total, 'awaiting_review');
    jobs.grand_total = await submit('grand_total', { text: 'ACME TRADING\nGrand Total RM 7.25\n' });
    await waitFor(jobs.grand_total, 'awaiting_review');
    jobs.paid = await submit('paid', { text: 'ACME TRADING\nGrand Total RM 3.40\n' });
    await waitFor(jobs.paid, 'awaiting_review');
    opened = await openConsoleBrowser();
    ({ page, seen } = opened);
  });
  after(async () => {
    await opened?.close();
    await veil?.close();
    await closeDocumentResources();
  });

  async function signIn(role: 'reviewer' | 'processor'): Promise<void> {
    await page.goto(`${veil.url}/console/#/review`);
    await page.reload();
    await page.getByLabel('Token or API key').fill(await veil.token(role));
    await page.getByLabel('Token or API key').press('Enter');
    await page.getByRole('navigation', { name: 'Main' }).waitFor();
  }

  test('the queue lists fields without their candidates; claiming shows the crop and the candidate', async () => {
    const [task] = (
      await api<{ tasks: Array<{ job_id: string; crop: { width: number } | null }> }>('/v1/review/tasks', {
        role: 'reviewer',
      })
    ).tasks.filter((t) => t.job_id === jobs.total);
    assert.ok(task?.crop != null, 'the PDF job has a task with a crop');

    await signIn('reviewer');
    const queue = page.getByRole('table', { name: /^Fields waiting for a reviewer/ });
    await queue.waitFor();
    assert.equal(await queue.getByRole('row').count(), 4);
    await checkPage(page, '40-review-queue', CANARIES);

    await page.getByRole('button', { name: 'Claim total' }).click();
    await page.getByRole('heading', { name: /^total/ }).waitFor();
    const image = page.getByRole('img', { name: 'The part of the page where total was read' });
    await image.waitFor();
    // A function, not a string: locator.evaluate calls it with the element.
    const width = await image.evaluate((img: { decode(): Promise<void>; naturalWidth: number }) =>
      img.decode().then(() => img.naturalWidth),
    );
    assert.equal(width, task.crop.width, 'the crop PNG was decoded');
    assert.match(await page.locator('output.candidate').innerText(), /9\.00 MYR/);
    assert.match(
      await page.getByText(/% of the page is shown/).innerText(),
      /^(?:<1|\d+)% of the page is shown\.$/,
    );
    // Only the claimed task's candidate is on the page, and never the document's other text.
    const html = await page.content();
    assert.ok(!html.includes('7.25') && !html.includes('3.40') && !html.includes(CUSTOMER));
    await checkPage(page, '41-review-claimed', CANARIES, { canariesAllowed: true });
  });

  test('keys: c confirms; n takes the next task; e edits, a bad value shows the 422, Enter saves a good one; r rejects', async () => {
    await page.locator('body').press('c');
    await page.getByText(/^total: confirmed\./).waitFor();

    await page.locator('body').press('n');
    await page.getByRole('heading', { name: /^grand_total/ }).waitFor();
    assert.match(
      await page.getByText('This field has no image on the page (a text document).').innerText(),
      /no image/,
    );
    await page.locator('body').press('e');
    assert.equal(await page.evaluate('document.activeElement.id'), 'review-value');
    await page.getByLabel('Correct value').fill('twelve pounds of it');
    await page.getByLabel('Correct value').press('Enter');
    const alert = page.getByRole('alert');
    await alert.waitFor();
    assert.match(await alert.innerText(), /VEIL_FIELD_VALUE_INVALID/);
    assert.ok(!(await alert.innerText()).includes('twelve'), 'the error does not echo the value');
    await page.getByLabel('Correct value').fill('RM 17.25');
    await page.getByLabel('Reason (optional; a ticket id, never personal data)').fill('QA-17');
    await page.getByLabel('Correct value').press('Enter');
    await page.getByText(/^grand_total: corrected\./).waitFor();

    await page.locator('body').press('n');
    await page.getByRole('heading', { name: /^paid/ }).waitFor();
    // The heading shows before the claim lands; a decision key waits for the claimed view.
    await page.getByText('This field has no image on the page (a text document).').waitFor();
    await page.locator('body').press('r');
    await page.getByText(/^paid: rejected\. No more open tasks\./).waitFor();
    await page.getByText('The queue is empty.').waitFor();
    await checkPage(page, '42-review-done', CANARIES);
  });

  test('each decision landed in its job: the fields are reviewed (a rejected one without a value), the jobs succeed', async () => {
    for (const field of ['total', 'grand_total', 'paid'] as const) await waitFor(jobs[field], 'succeeded');
    const total = await fieldOf('total');
    assert.equal(total.status, 'reviewed');
    assert.deepEqual(total.value, { amount: '9.00', currency: 'MYR' });
    assert.equal(total.review?.action, 'confirm');
    const corrected = await fieldOf('grand_total');
    assert.equal(corrected.status, 'reviewed');
    assert.deepEqual(corrected.value, { amount: '17.25', currency: 'MYR' });
    assert.equal(corrected.review?.action, 'correct');
    const rejected = await fieldOf('paid');
    assert.equal(rejected.status, 'reviewed');
    assert.equal(rejected.value, null, 'a rejected field keeps no value');
    assert.equal(rejected.review?.action, 'reject');
  });

  test('a processor is not offered Review, and the page says so; every request stayed on the origin', async () => {
    await signIn('processor');
    const nav = await page.getByRole('navigation', { name: 'Main' }).innerText();
    assert.ok(!nav.includes('Review'));
    await page.getByRole('heading', { name: 'Not available' }).waitFor();
    assert.deepEqual(seen.offOrigin(veil.url), []);
    assert.deepEqual(seen.cspErrors, []);
  });
});
