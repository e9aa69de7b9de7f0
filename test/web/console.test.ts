/**
 * The console in a real browser (Debian's Chromium, headless) against a real `veil serve` on
 * PGlite: sign in by keyboard, submit a text job, watch it finish, see its status and redacted
 * preview, delete it, download the receipt and verify it in the browser (and with the CLI's
 * verifier), then a DPO reveals values. Every page is screenshotted into test-output/screenshots
 * and checked by axe-core (no serious or critical violation); no request leaves the server's
 * origin; no detected value is in the DOM of a role that may not see it; the CSP reports nothing.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { verifyReceipt as cliVerify } from '../../src/audit/index.js';
import { exportAuditLogText } from '../../src/runtime/audit.js';
import { serveVeil } from '../client/serve-harness.js';
import type { ServedVeil } from '../client/serve-harness.js';
import { browserSkipReason, checkPage, openConsoleBrowser } from './browser.js';
import type { ConsoleBrowser } from './browser.js';

const SSN = '536-22-4817';
const EMAIL = 'canary-console@example.org';
const NAME = 'Zebulon Quartermaine';
const TEXT = `Claim note.\nPlease contact ${NAME} at ${EMAIL}.\nHis social security number is ${SSN}.\n`;
const CANARIES = [SSN, EMAIL, 'Quartermaine'];

const skip = await browserSkipReason();

describe('the web console in Chromium', { skip }, () => {
  let veil: ServedVeil;
  let opened: ConsoleBrowser | undefined;
  let page: Page;
  let seen: ConsoleBrowser['seen'];
  let jobId = '';

  before(async () => {
    veil = await serveVeil();
    opened = await openConsoleBrowser();
    ({ page, seen } = opened);
  });
  after(async () => {
    await opened?.close();
    await veil?.close();
  });

  const check = (name: string, options: { canariesAllowed?: boolean } = {}): Promise<void> =>
    checkPage(page, name, CANARIES, options);

  test('sign in: a bad token shows its code; a good one, typed and submitted by keyboard, opens Jobs', async () => {
    await page.goto(`${veil.url}/console`);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await check('01-sign-in');
    await page.keyboard.press('Tab');
    await page.keyboard.type('not-a-token');
    await page.keyboard.press('Enter');
    await page.getByRole('alert').waitFor();
    assert.match(await page.getByRole('alert').innerText(), /VEIL_UNAUTHENTICATED/);
    assert.match(await page.getByRole('alert').innerText(), /not accepted/);
    await check('02-sign-in-error');

    await page.getByLabel('Token or API key').fill(await veil.token(['processor', 'auditor']));
    await page.getByLabel('Token or API key').press('Enter');
    await page.getByRole('heading', { name: 'Jobs', level: 1 }).waitFor();
    // The token is in memory only.
    const stored = await page.evaluate(
      'JSON.stringify({ local: { ...localStorage }, session: { ...sessionStorage }, cookie: document.cookie })',
    );
    assert.equal(stored, JSON.stringify({ local: {}, session: {}, cookie: '' }));
    // A processor-auditor sees Jobs, Audit, Privacy and Settings.
    const nav = await page.getByRole('navigation', { name: 'Main' }).innerText();
    assert.deepEqual(
      nav
        .split('\n')
        .map((s) => s.trim())
        .filter(Boolean),
      ['Jobs', 'Audit', 'Privacy', 'Settings'],
    );
    await check('03-jobs-empty');
  });

  test('submit a text job, watch it finish, see its status and redacted preview without values', async () => {
    await page.getByLabel('Text').fill(TEXT);
    await page.getByLabel('Purpose code').fill('claims-intake');
    await page.getByRole('button', { name: 'Submit' }).click();
    await page.getByRole('heading', { name: /^Job / }).waitFor();
    jobId = decodeURIComponent(new URL(page.url()).hash.replace('#/jobs/', ''));
    assert.match(jobId, /^[0-9a-f-]{36}$/);
    await page.locator('.status.succeeded').waitFor({ timeout: 60_000 });
    await page.getByRole('button', { name: 'Show redacted document' }).click();
    const preview = await page.locator('pre.preview').innerText();
    assert.match(preview, /<EMAIL_ADDRESS_1>/);
    const details = await page.locator('dl').innerText();
    assert.match(details, /EMAIL_ADDRESS 1/);
    assert.match(details, /US_SSN 1/);
    assert.match(details, /model training off; manual review off/);
    await page.getByRole('heading', { name: 'Timeline' }).waitFor();
    assert.match(await page.locator('ol.timeline').innerText(), /job\.created/);
    await check('04-job-succeeded');

    await page.getByRole('link', { name: 'Jobs', exact: true }).click();
    await page.getByRole('link', { name: jobId.slice(0, 8) }).waitFor();
    const row = await page
      .getByRole('row')
      .filter({ hasText: jobId.slice(0, 8) })
      .innerText();
    assert.match(row, /succeeded/);
    assert.match(row, /claims-intake/);
    assert.match(row, /in 7 days/);
    await check('05-jobs-list');
  });

  test('audit page shows the signed tree head and entries', async () => {
    await page.getByRole('link', { name: 'Audit' }).click();
    await page.getByRole('heading', { name: 'Signed tree head' }).waitFor();
    await page.getByRole('cell', { name: 'job.created' }).first().waitFor();
    await check('06-audit');
  });

  test('delete the job, download the receipt and verify it in the browser and with the CLI', async () => {
    await page.goto(`${veil.url}/console/#/jobs/${jobId}`);
    // A reload signs out: the token was in memory only.
    await page.reload();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await page.getByLabel('Token or API key').fill(await veil.token(['processor', 'auditor']));
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('.status.succeeded').waitFor({ timeout: 30_000 });
    await page.getByRole('button', { name: 'Delete job…' }).click();
    await page.getByRole('button', { name: 'Yes, delete' }).click();
    await page.getByRole('heading', { name: 'Deleted' }).waitFor();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download receipt' }).click(),
    ]);
    const receipt = JSON.parse(await readFile((await download.path())!, 'utf8')) as unknown;
    const key = (await (await fetch(`${veil.url}/v1/audit/public-key`)).json()) as {
      jwk: { kty: string; crv: string; x: string };
    };
    assert.equal(cliVerify(receipt, key.jwk).ok, true);
    await page.getByRole('button', { name: 'Verify receipt' }).click();
    await page.getByText(/^Receipt verified: entry \d+/).waitFor();
    await check('07-job-deleted');

    await page.getByRole('link', { name: 'Audit' }).click();
    await page.getByLabel('or paste it').fill(JSON.stringify(receipt));
    await page.getByRole('button', { name: 'Verify', exact: true }).click();
    await page.getByText(/^Receipt verified: entry \d+/).waitFor();
    const tampered = JSON.stringify({ ...(receipt as object), leaf_index: 0 });
    await page.getByLabel('or paste it').fill(tampered);
    await page.getByRole('button', { name: 'Verify', exact: true }).click();
    await page.getByText(/^Receipt does NOT verify/).waitFor();
    // A whole export, as `veil audit export` writes it, verified entry by entry in the browser.
    const exported = await exportAuditLogText(veil.service.audit, 'acme');
    await page.getByLabel('or paste it').fill(exported);
    await page.getByRole('button', { name: 'Verify', exact: true }).click();
    await page.getByText(/^Export verified: \d+ entries/).waitFor();
    await check('08-audit-verify');
    await page
      .getByLabel('or paste it')
      .fill(exported.replace('"outcome":"succeeded"', '"outcome":"failed"'));
    await page.getByRole('button', { name: 'Verify', exact: true }).click();
    await page.getByText(/^Export does NOT verify \(leaf-hash\), first bad entry \d+/).waitFor();

    await page.getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('heading', { name: 'Session' }).waitFor();
    await check('09-settings');
  });

  test('a DPO may reveal values, with a reason; only then are they in the DOM', async () => {
    const res = await fetch(`${veil.url}/v1/jobs`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${await veil.token('processor')}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({
        text: TEXT,
        purpose: 'claims-intake',
        consent: { basis: 'contract' },
        retention_days: 7,
      }),
    });
    const { job_id: id } = (await res.json()) as { job_id: string };
    await page.goto(`${veil.url}/console/#/jobs/${id}`);
    await page.reload();
    await page.getByLabel('Token or API key').fill(await veil.token('dpo'));
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('.status.succeeded').waitFor({ timeout: 60_000 });
    await page.getByRole('heading', { name: 'Reveal original values' }).waitFor();
    await check('10-job-dpo');
    await page.getByLabel('Reason').selectOption('data_subject_request');
    await page.getByLabel('Ticket').fill('DSR-2291');
    await page.getByRole('button', { name: 'Reveal' }).click();
    await page.getByRole('table', { name: 'Revealed values' }).waitFor();
    assert.match(
      await page.getByRole('table', { name: 'Revealed values' }).innerText(),
      new RegExp(EMAIL.replace('.', '\\.')),
    );
    await check('11-job-revealed', { canariesAllowed: true });
  });

  test("every request stayed on the server's origin and the CSP refused nothing", () => {
    assert.deepEqual(seen.offOrigin(veil.url), []);
    assert.ok(seen.requests.length > 10);
    assert.deepEqual(seen.cspErrors, []);
  });
});
