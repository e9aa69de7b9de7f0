/**
 * The console's Fields, API keys, Data subjects and Privacy pages in Chromium against a real
 * `veil serve` on PGlite, each role seeing only its pages: field values of direct identifiers stay
 * out of the DOM until shown; a new API key is shown once, works, and stops working once revoked;
 * a DPO runs an access request, withdraws consent and erases a subject, verifying the receipts in
 * the browser; an admin reads the privacy metrics and alerts and releases DP counts. axe-core
 * finds nothing serious; no request leaves the origin.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import type { Role } from '../../src/access/index.js';
import { serveVeil } from '../client/serve-harness.js';
import type { ServedVeil } from '../client/serve-harness.js';
import { browserSkipReason, checkPage, openConsoleBrowser } from './browser.js';
import type { ConsoleBrowser } from './browser.js';

const EMAIL = 'canary-fields@example.org';
const SUBJECT = 'patient-4471';
const SUBJECT_EMAIL = 'canary-subject@example.org';
const INVOICE = `Invoice\nAmount due: EUR 1.234,50\nBilling e-mail: ${EMAIL}\n`;

const skip = await browserSkipReason();

describe('the console pages in Chromium', { skip }, () => {
  let veil: ServedVeil;
  let opened: ConsoleBrowser | undefined;
  let page: Page;
  let seen: ConsoleBrowser['seen'];

  before(async () => {
    veil = await serveVeil();
    opened = await openConsoleBrowser();
    ({ page, seen } = opened);
  });
  after(async () => {
    await opened?.close();
    await veil?.close();
  });

  async function submit(body: Record<string, unknown>): Promise<string> {
    const res = await fetch(`${veil.url}/v1/jobs`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${await veil.token('processor')}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ purpose: 'claims-intake', retention_days: 7, ...body }),
    });
    assert.equal(res.status, 202, await res.clone().text());
    return ((await res.json()) as { job_id: string }).job_id;
  }

  /** Signs in afresh (a reload forgets the token) as `roles`, at `hash`. */
  async function signInAs(roles: Role | readonly Role[], hash: string): Promise<string[]> {
    await page.goto(`${veil.url}/console/${hash}`);
    await page.reload();
    await page.getByLabel('Token or API key').fill(await veil.token(roles));
    await page.getByLabel('Token or API key').press('Enter');
    await page.getByRole('navigation', { name: 'Main' }).waitFor();
    const nav = await page.getByRole('navigation', { name: 'Main' }).innerText();
    return nav
      .split('\n')
      .map((s) => s.trim())
      .filter(Boolean);
  }

  test('Fields: type, confidence, status and sensitivity; a direct identifier is out of the DOM until shown', async () => {
    const jobId = await submit({
      text: INVOICE,
      consent: { basis: 'contract' },
      outputs: ['fields'],
      fields: [
        { name: 'total', type: 'money', hint: 'Amount due' },
        { name: 'billing_email', type: 'email', hint: 'Billing e-mail' },
      ],
    });
    assert.deepEqual(await signInAs('processor', `#/jobs/${jobId}`), ['Jobs', 'Settings']);
    const table = page.getByRole('table', { name: 'Extracted fields' });
    await table.waitFor({ timeout: 60_000 });
    const total = await table.getByRole('row', { name: /^total/ }).innerText();
    assert.match(total, /money\s+1234\.50 EUR\s+\d\.\d\d\s+(accepted|unverified)\s+financial/);
    const email = await table.getByRole('row', { name: /^billing_email/ }).innerText();
    assert.match(email, /email\s+Show value\s+\d\.\d\d\s+(accepted|needs review|unverified)\s+direct/);
    await checkPage(page, '20-fields-hidden', [EMAIL]);
    await page.getByRole('button', { name: 'Show value of billing_email' }).click();
    assert.match(
      await table.getByRole('row', { name: /^billing_email/ }).innerText(),
      new RegExp(EMAIL.replace('.', '\\.')),
    );
    await checkPage(page, '21-fields-shown', [EMAIL], { canariesAllowed: true });
  });

  test('API keys: an admin creates a key shown once, the key works, revoking it stops it', async () => {
    const nav = await signInAs('admin', '#/settings');
    assert.deepEqual(nav, ['Jobs', 'Review', 'Audit', 'Privacy', 'Data subjects', 'Settings']);
    await page.getByRole('heading', { name: 'API keys' }).waitFor();
    await page.getByRole('checkbox', { name: 'auditor' }).check();
    await page.getByRole('button', { name: 'Create key' }).click();
    const field = page.getByLabel(/^New key [0-9a-f]{24}: copy it now/);
    const apiKey = await field.inputValue();
    assert.match(apiKey, /^veil_/);
    const keyId = /New key ([0-9a-f]{24})/.exec(
      (await page.locator('label[for="new-key"]').innerText()) ?? '',
    )![1]!;
    const me = async (): Promise<number> =>
      (await fetch(`${veil.url}/v1/me`, { headers: { authorization: `Bearer ${apiKey}` } })).status;
    assert.equal(await me(), 200);
    const row = page.getByRole('row').filter({ hasText: keyId });
    assert.match(await row.innerText(), /processor, auditor/);
    await checkPage(page, '22-api-key-created', [], {});
    await page.getByRole('button', { name: 'I have copied it' }).click();
    assert.ok(!(await page.content()).includes(apiKey), 'the key is gone from the page once dismissed');
    await page.getByRole('button', { name: `Revoke key ${keyId}` }).click();
    await page.getByRole('button', { name: `Yes, revoke ${keyId.slice(0, 8)}` }).click();
    await row.getByText(/^revoked /).waitFor();
    assert.equal(await me(), 401);
    await checkPage(page, '23-api-key-revoked', []);
  });

  test('Data subjects: a DPO finds a subject by e-mail, withdraws consent and erases them, verifying the receipts', async () => {
    const jobId = await submit({
      text: `Referral for ${SUBJECT_EMAIL}, phone on file.`,
      consent: { basis: 'consent', subject_ref: SUBJECT },
    });
    for (;;) {
      const res = await fetch(`${veil.url}/v1/jobs/${jobId}`, {
        headers: { authorization: `Bearer ${await veil.token('processor')}` },
      });
      if (((await res.json()) as { status: string }).status === 'succeeded') break;
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.deepEqual(await signInAs('dpo', '#/subjects'), [
      'Jobs',
      'Audit',
      'Privacy',
      'Data subjects',
      'Settings',
    ]);
    await page.getByRole('heading', { name: 'Data subjects', level: 1 }).waitFor();
    await checkPage(page, '24-subjects', [SUBJECT_EMAIL]);
    await page.getByLabel('Identifier type').selectOption('EMAIL_ADDRESS');
    await page.getByLabel('Identifier', { exact: true }).fill(SUBJECT_EMAIL);
    await page.getByRole('button', { name: 'Find their data' }).click();
    await page.getByRole('heading', { name: 'Subject access: 1 job' }).waitFor();
    assert.match(
      await page.getByRole('table', { name: new RegExp(jobId.slice(0, 8)) }).innerText(),
      /EMAIL_ADDRESS\s+canary-subject@example\.org/,
    );
    await checkPage(page, '25-subject-access', [SUBJECT_EMAIL], { canariesAllowed: true });

    await page.getByLabel('Identifier', { exact: true }).fill('');
    await page.getByLabel('Subject reference').first().fill(SUBJECT);
    await page.getByRole('button', { name: 'Erase…' }).click();
    await page.getByText(/cannot be undone/).waitFor();
    await page.getByRole('button', { name: 'Yes, erase everything' }).click();
    await page.getByRole('heading', { name: 'Erased' }).waitFor();
    assert.match(
      await page.getByRole('heading', { name: 'Erased' }).locator('..').innerText(),
      /^Erased\n+1 job, \d+ stored artifacts/,
    );
    await page.getByRole('button', { name: 'Verify receipt' }).click();
    await page.getByText(/^Receipt verified: entry \d+/).waitFor();
    await checkPage(page, '26-subject-erased', [SUBJECT_EMAIL]);

    await page.getByLabel('Subject reference').nth(1).fill(SUBJECT);
    await page.getByRole('button', { name: 'Withdraw consent' }).click();
    await page.getByRole('heading', { name: 'Consent withdrawn' }).waitFor();
    await page.getByRole('button', { name: 'Verify receipt' }).click();
    await page.getByText(/^Receipt verified: entry \d+/).waitFor();
    const after = await fetch(`${veil.url}/v1/jobs`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${await veil.token('processor')}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({
        text: 'Follow-up note.',
        purpose: 'claims-intake',
        retention_days: 7,
        consent: { basis: 'consent', subject_ref: SUBJECT },
      }),
    });
    assert.equal(
      ((await after.json()) as { error?: { code: string } }).error?.code,
      'VEIL_CONSENT_WITHDRAWN',
    );
  });

  test('Privacy: metrics of the last 30 days, alerts, and DP counts released only when asked', async () => {
    await submit({
      text: 'Note: write to someone@example.org.',
      consent: { basis: 'contract', allow_analytics: true },
    });
    const released = (): number => seen.requests.filter((url) => url.includes('/v1/analytics/counts')).length;
    await signInAs('admin', '#/privacy');
    await page.getByRole('heading', { name: 'Privacy', level: 1 }).waitFor();
    await page.getByRole('heading', { name: 'Alerts' }).waitFor();
    await page
      .getByText(/^(No access anomaly has been raised\.|Access anomaly alerts)/)
      .first()
      .waitFor();
    await page.getByRole('table', { name: 'Artifacts alive by class' }).waitFor();
    assert.match(
      await page.getByRole('table', { name: 'How long data lived' }).innerText(),
      /Raw document lifetime\s+\d+/,
    );
    const jobs = Number(
      /created\s+(\d+)/.exec(await page.getByRole('table', { name: 'Jobs', exact: true }).innerText())?.[1],
    );
    assert.ok(jobs >= 1, `jobs created in the metrics: ${jobs}`);
    assert.equal(released(), 0, 'opening the page spends no privacy budget');
    await page.getByLabel('Count by').selectOption('purpose');
    await page.getByRole('button', { name: 'Release counts' }).click();
    const bars = page.getByRole('table', { name: 'Jobs or findings by purpose' });
    await bars.waitFor();
    // The default policy lists no purposes, so every job counts under (other).
    assert.match(await bars.innerText(), /\(other\)\s+-?\d+/);
    assert.match(await page.getByText(/^ε [\d.]+ spent/).innerText(), /left\.$/);
    assert.equal(released(), 1);
    await checkPage(page, '27-privacy', []);
  });

  test('a reviewer sees Review and Jobs only; every request stayed on the origin and the CSP refused nothing', async () => {
    assert.deepEqual(await signInAs('reviewer', '#/privacy'), ['Jobs', 'Review', 'Settings']);
    await page.getByRole('heading', { name: 'Not available' }).waitFor();
    assert.deepEqual(seen.offOrigin(veil.url), []);
    assert.deepEqual(seen.cspErrors, []);
  });
});
