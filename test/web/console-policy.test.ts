/**
 * The console's policy (Settings) and compliance report (Privacy) in Chromium against a real
 * `veil serve` on PGlite with a policy directory: an admin reads the tenant's policy in force with
 * the hash jobs record and its history, which grows by a linked entry when the file changes; a
 * processor reads the policy but is offered no report; an auditor builds the compliance report,
 * sees every control and the signed tree head, and downloads it as the JSON the API serves; a
 * reviewer sees neither. axe-core finds nothing serious; no request leaves the origin and the CSP
 * refuses nothing.
 */
import assert from 'node:assert/strict';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { stringify } from 'yaml';
import type { Role } from '../../src/access/index.js';
import { serveVeil } from '../client/serve-harness.js';
import type { ServedVeil } from '../client/serve-harness.js';
import { policyDir, shippedDefault } from '../privacy/governance-fixtures.js';
import { browserSkipReason, checkPage, openConsoleBrowser } from './browser.js';
import type { ConsoleBrowser } from './browser.js';

const skip = await browserSkipReason();

interface PolicyBody {
  id: string;
  hash: string;
  history: Array<{ hash: string; previous_hash?: string }>;
}

describe('the policy and compliance pages in Chromium', { skip }, () => {
  let veil: ServedVeil;
  let dir: string;
  let opened: ConsoleBrowser | undefined;
  let page: Page;
  let seen: ConsoleBrowser['seen'];

  before(async () => {
    dir = await policyDir({ default: {}, acme: {} });
    veil = await serveVeil({ policyDir: dir, sweepIntervalSeconds: 0 });
    opened = await openConsoleBrowser();
    ({ page, seen } = opened);
  });
  after(async () => {
    await opened?.close();
    await veil?.close();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  const api = async <T>(path: string, role: Role): Promise<T> => {
    const res = await fetch(`${veil.url}${path}`, {
      headers: { authorization: `Bearer ${await veil.token(role)}` },
    });
    assert.equal(res.status, 200, await res.clone().text());
    return (await res.json()) as T;
  };

  /** Signs in afresh (a reload forgets the token) as `role`, at `hash`; returns the navigation. */
  async function signInAs(role: Role, hash: string): Promise<string[]> {
    await page.goto(`${veil.url}/console/${hash}`);
    await page.reload();
    await page.getByLabel('Token or API key').fill(await veil.token(role));
    await page.getByLabel('Token or API key').press('Enter');
    await page.getByRole('navigation', { name: 'Main' }).waitFor();
    return (await page.getByRole('navigation', { name: 'Main' }).innerText())
      .split('\n')
      .map((s) => s.trim())
      .filter(Boolean);
  }

  test("Settings: an admin reads the tenant's policy, its hash and its history, which a change extends", async () => {
    const first = await api<PolicyBody>('/v1/policy', 'admin');
    assert.equal(first.id, 'acme');
    await signInAs('admin', '#/settings');
    await page.getByRole('heading', { name: 'Policy in force' }).waitFor();
    assert.equal(await page.getByLabel('Policy hash').innerText(), first.hash);
    const history = page.getByRole('table', { name: 'Policy changes, newest first' });
    assert.equal(await history.getByRole('row').count(), 2, 'a header and the first record');
    assert.match(
      await history.getByRole('row').nth(1).innerText(),
      new RegExp(`${first.hash.slice(0, 16)}\\s+none \\(first record\\)\\s+#\\d+ of the tenant's log`),
    );
    await checkPage(page, '40-settings-policy', []);

    const changed = { ...(await shippedDefault()) };
    changed.retention = { ...(changed.retention as Record<string, string>), redacted: '7d' };
    await writeFile(join(dir, 'acme.yaml'), stringify(changed));
    await veil.service.governancePass();
    const second = await api<PolicyBody>('/v1/policy', 'admin');
    assert.notEqual(second.hash, first.hash);

    await signInAs('admin', '#/settings');
    await page.getByRole('heading', { name: 'Policy in force' }).waitFor();
    assert.equal(await page.getByLabel('Policy hash').innerText(), second.hash);
    assert.equal(await history.getByRole('row').count(), 3);
    assert.match(
      await history.getByRole('row').nth(1).innerText(),
      new RegExp(`${second.hash.slice(0, 16)}\\s+${first.hash.slice(0, 16)}`),
    );
    // The settings, read-only: open a section by keyboard and read a value.
    const retention = page.getByText(/^retention \(\d+ settings\)$/);
    await retention.focus();
    await page.keyboard.press('Enter');
    assert.match(
      await page.getByRole('row', { name: /^retention\.redacted/ }).innerText(),
      /retention\.redacted\s+7d/,
    );
    assert.equal(
      await page
        .locator('#policy-heading ~ * input, #policy-heading ~ * textarea, #policy-heading ~ * select')
        .count(),
      0,
      'no field edits the policy',
    );
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Download policy' }).click();
    const saved = JSON.parse(await readFile((await (await download).path())!, 'utf8')) as PolicyBody;
    assert.equal(saved.hash, second.hash);
    await checkPage(page, '41-settings-policy-changed', []);
  });

  test('a processor reads the policy but is offered no compliance report; a reviewer sees neither', async () => {
    assert.deepEqual(await signInAs('processor', '#/settings'), ['Jobs', 'Settings']);
    await page.getByRole('heading', { name: 'Policy in force' }).waitFor();
    assert.equal(await page.getByRole('heading', { name: 'API keys' }).count(), 0);
    assert.deepEqual(await signInAs('reviewer', '#/settings'), ['Jobs', 'Review', 'Settings']);
    await page.getByRole('heading', { name: 'Session' }).waitFor();
    assert.equal(await page.getByRole('heading', { name: 'Policy in force' }).count(), 0);
  });

  test('Privacy: an auditor builds the compliance report, reads every control and downloads it', async () => {
    const policy = await api<PolicyBody>('/v1/policy', 'auditor');
    await signInAs('auditor', '#/privacy');
    await page.getByRole('heading', { name: 'Compliance report' }).waitFor();
    const reads = (): number => seen.requests.filter((u) => u.includes('/v1/compliance/report')).length;
    assert.equal(reads(), 0, 'the report is built only when asked for');
    await page.getByLabel('Report period').selectOption('7d');
    await page.getByRole('button', { name: 'Build report' }).click();
    const controls = page.getByRole('table', { name: 'Controls' });
    await controls.waitFor();
    const report = await api<{
      policy_hash: string;
      controls: Array<{ id: string; status: string }>;
      summary: Record<string, number>;
    }>('/v1/compliance/report?since=7d', 'auditor');
    assert.equal(report.policy_hash, policy.hash);
    assert.equal(await controls.getByRole('row').count(), report.controls.length + 1);
    for (const c of report.controls)
      assert.match(
        await controls.getByRole('row', { name: new RegExp(`^${c.id} `) }).innerText(),
        new RegExp(c.status.replace('_', ' ')),
      );
    assert.match(
      await page.getByText(/ enforced, \d+ configured off, \d+ not applicable$/).innerText(),
      new RegExp(`^${report.summary.enforced} enforced`),
    );
    assert.ok((await page.getByText(policy.hash).count()) >= 1, 'the policy hash is shown');
    assert.match(await page.getByText(/^size \d+, root/).innerText(), /signed .* by key/);
    await page.getByText(/^VEIL-MIN-01: /).click();
    await page.getByRole('heading', { name: 'Proved by' }).first().waitFor();
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Download report' }).click();
    const saved = JSON.parse(await readFile((await (await download).path())!, 'utf8')) as {
      tenant: string;
      policy_hash: string;
      controls: unknown[];
    };
    assert.equal(saved.tenant, 'acme');
    assert.equal(saved.policy_hash, policy.hash);
    assert.equal(saved.controls.length, report.controls.length);
    assert.equal(reads(), 1);
    await checkPage(page, '42-privacy-compliance', []);
  });

  test('Privacy: the lifetime and deletion-lag charts are labelled images with a summary; artifacts alive as bars', async () => {
    // A finished job, so artifacts are alive.
    const token = await veil.token('processor');
    const submitted = await fetch(`${veil.url}/v1/jobs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        text: 'Note for the claims desk.',
        purpose: 'claims-intake',
        retention_days: 7,
        consent: { basis: 'contract' },
      }),
    });
    assert.equal(submitted.status, 202, await submitted.clone().text());
    const jobId = ((await submitted.json()) as { job_id: string }).job_id;
    for (;;) {
      const res = await fetch(`${veil.url}/v1/jobs/${jobId}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      if (((await res.json()) as { status: string }).status === 'succeeded') break;
      await new Promise((r) => setTimeout(r, 200));
    }
    await signInAs('admin', '#/privacy');
    for (const name of ['Raw document lifetime', 'Deletion lag']) {
      const chart = page.getByRole('img', { name: new RegExp(`^${name}`) });
      await chart.waitFor();
      assert.match((await chart.getAttribute('aria-labelledby')) ?? '', /-title .*-desc$/);
    }
    assert.match(
      await page.getByRole('table', { name: 'Artifacts alive now' }).innerText(),
      /redacted\s+[1-9]/,
    );
    await checkPage(page, '43-privacy-charts', []);
    assert.deepEqual(seen.offOrigin(veil.url), []);
    assert.deepEqual(seen.cspErrors, []);
  });
});
