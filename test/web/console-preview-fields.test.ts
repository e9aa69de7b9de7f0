/**
 * The Job page's redacted preview and the submit form's template, in Chromium against a real
 * `veil serve` on PGlite: a processor submits a receipt under the `receipt` template asking for
 * `total` and `date` and sees those fields (with confidence and status) and no others; the text
 * job's preview stays text; a PDF job's preview is its redacted pages as images, each fetched when
 * it comes into view and its object URL revoked when the page closes. Screenshots, axe-core, the
 * same-origin and CSP checks as every console test; no detected value is in any page's DOM.
 */
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import type { ServedVeil } from '../client/serve-harness.js';
import { textPdf } from '../documents/fixtures.js';
import { browserSkipReason, checkPage, servedConsole } from './browser.js';
import type { ServedConsole } from './browser.js';

const EMAIL = 'canary-preview@example.org';
const SSN = '536-22-6130';
const RECEIPT = `ACME TRADING SDN BHD\nDate: 12/03/2024\nTotal: RM 9.00\nQueries: ${EMAIL}\n`;
const CANARIES = [EMAIL, SSN];

const skip = await browserSkipReason();

/** Whether an image loads from `url` in the page (a live object URL does). */
const loads = (page: Page, url: string): Promise<unknown> =>
  page.evaluate(
    `new Promise((done) => { const i = new Image(); i.onload = () => done(true); i.onerror = () => done(false); i.src = ${JSON.stringify(url)}; })`,
  );

/**
 * Records every object URL the page revokes from now on (the page stays one document: hash routes).
 * Loading a revoked URL is no proof either way: Chromium may still serve it from the document's
 * list of available images, so the test asks what the console revoked.
 */
const watchRevocations = (page: Page): Promise<unknown> =>
  page.evaluate(
    `(() => { const revoke = URL.revokeObjectURL.bind(URL); window.__revoked = []; URL.revokeObjectURL = (u) => { window.__revoked.push(u); revoke(u); }; })()`,
  );

/** Whether the page revoked `url`, asked until it has or 5 s have passed (cleanups may run after paint). */
async function revoked(page: Page, url: string): Promise<boolean> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    if ((await page.evaluate(`window.__revoked.includes(${JSON.stringify(url)})`)) === true) return true;
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('the redacted preview as page images, and the submit form with a template', { skip }, () => {
  const served = servedConsole();
  let veil: ServedVeil;
  let page: Page;
  let seen: ServedConsole['seen'];

  before(async () => {
    ({ veil, page, seen } = served);
    await page.goto(`${veil.url}/console/#/jobs`);
    await page.getByLabel('Token or API key').fill(await veil.token('processor'));
    await page.getByLabel('Token or API key').press('Enter');
    await page.getByRole('heading', { name: 'Jobs', level: 1 }).waitFor();
  });

  test('a receipt under the receipt template, asking for total and date: the job shows those fields', async () => {
    const templates = page.getByLabel('Field template');
    await templates.locator('option', { hasText: 'receipt v1' }).waitFor({ state: 'attached' });
    assert.deepEqual(await templates.locator('option').allInnerTexts(), [
      'none (no fields)',
      'id_document v1',
      'invoice v1',
      'patient_intake v1',
      'receipt v1',
    ]);
    await page.getByLabel('Text').fill(RECEIPT);
    await templates.selectOption('receipt');
    const requested = page.getByLabel('Requested fields');
    assert.deepEqual(await requested.locator('option').allInnerTexts(), [
      'company (string)',
      'address (address)',
      'date (date)',
      'total (money)',
    ]);
    await requested.selectOption(['total', 'date']);
    await checkPage(page, '46-submit-template-fields', CANARIES);
    await page.getByRole('button', { name: 'Submit' }).click();
    await page.getByRole('heading', { name: /^Job / }).waitFor({ timeout: 60_000 });
    await page.locator('.status.succeeded').waitFor({ timeout: 120_000 });

    const submitted = seen.requests.filter((u) => u.endsWith('/v1/jobs'));
    assert.ok(submitted.length >= 1, 'the job was submitted');
    const table = page.getByRole('table', { name: 'Extracted fields' });
    await table.waitFor();
    const rows = (await table.locator('tbody tr').allInnerTexts()).map((r) =>
      r.split('\t').map((c) => c.trim()),
    );
    // Field, type, value, confidence, status, sensitivity: only the two fields asked for.
    assert.deepEqual(
      rows.map((r) => [r[0], r[1], r[2]]),
      [
        ['date', 'date', '2024-03-12'],
        ['total', 'money', '9.00 MYR'],
      ],
    );
    for (const row of rows) {
      assert.match(row[3]!, /^(0|1)\.\d\d$/, `confidence of ${row[0]}`);
      assert.match(row[4]!, /^(accepted|needs review|unverified)$/, `status of ${row[0]}`);
    }
    assert.match(await page.locator('dl').innerText(), /Template\s+receipt v1/);
    await checkPage(page, '47-job-template-fields', CANARIES);

    // A text job's preview stays text.
    await page.getByRole('button', { name: 'Show redacted document' }).click();
    const text = page.locator('pre.preview');
    await text.waitFor();
    assert.match(await text.innerText(), /^Date: <DATE_TIME_1>$/m);
    assert.equal(await page.locator('ol.pages').count(), 0);
    await checkPage(page, '48-job-text-preview', CANARIES);
  });

  test('a PDF job shows its redacted pages as images, fetched as they come into view and revoked on leaving', async () => {
    await page.goto(`${veil.url}/console/#/jobs`);
    await page.getByRole('heading', { name: 'Jobs', level: 1 }).waitFor();
    await watchRevocations(page);
    const pdf = await textPdf(
      [
        ['Claim form 5512', `Member SSN ${SSN}`, `Contact ${EMAIL}`],
        ['Second page', 'Nothing to declare'],
      ],
      false,
    );
    await page
      .getByLabel('or a file')
      .setInputFiles({ name: 'claim.pdf', mimeType: 'application/pdf', buffer: Buffer.from(pdf) });
    await page.getByRole('button', { name: 'Submit' }).click();
    await page.getByRole('heading', { name: /^Job / }).waitFor({ timeout: 60_000 });
    await page.locator('.status.succeeded').waitFor({ timeout: 120_000 });
    const jobId = decodeURIComponent(new URL(page.url()).hash.replace('#/jobs/', ''));

    await page.getByRole('button', { name: 'Show redacted document' }).click();
    const first = page.getByRole('img', { name: 'Page 1 of 2' });
    await first.waitFor();
    const src = (await first.getAttribute('src')) ?? '';
    assert.match(src, /^blob:/);
    assert.equal(await first.getAttribute('loading'), 'lazy');
    const size = (await page.evaluate(
      `(() => { const i = document.querySelector('ol.pages img'); return [i.naturalWidth, i.naturalHeight]; })()`,
    )) as number[];
    // US Letter at the route's default 96 dpi.
    assert.deepEqual(size, [816, 1056]);
    assert.equal(await page.locator('pre.preview').count(), 0);
    const pageRequests = (n: number): string[] =>
      seen.requests.filter((u) => u.includes(`/v1/jobs/${jobId}/redacted/pages/${n}`));
    assert.equal(pageRequests(1).length, 1);
    assert.equal(pageRequests(2).length, 0, 'page 2 is not fetched before it comes into view');
    await checkPage(page, '49-job-pdf-page-1', CANARIES);

    await page.locator('.page-slot').scrollIntoViewIfNeeded();
    const second = page.getByRole('img', { name: 'Page 2 of 2' });
    await second.waitFor();
    const secondSrc = (await second.getAttribute('src')) ?? '';
    assert.equal(pageRequests(2).length, 1);
    await checkPage(page, '50-job-pdf-page-2', CANARIES);

    // The object URLs live as long as the view: revoked once the page closes.
    assert.equal(await loads(page, src), true);
    assert.deepEqual(await page.evaluate('window.__revoked'), [], 'nothing is revoked while the pages show');
    await page.getByRole('link', { name: '← All jobs' }).click();
    await page.getByRole('heading', { name: 'Jobs', level: 1 }).waitFor();
    assert.equal(await revoked(page, src), true, 'page 1 was revoked');
    assert.equal(await revoked(page, secondSrc), true, 'page 2 was revoked');

    assert.deepEqual(seen.offOrigin(veil.url), []);
    assert.deepEqual(seen.cspErrors, []);
  });
});
