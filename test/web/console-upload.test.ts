/**
 * Uploading a receipt through the console, in Chromium against a real `veil serve` on PGlite: a
 * processor picks a receipt image (drawn here), the upload shows its progress, the job is watched
 * to its end, and the redacted image is shown on the job page from a Blob URL; the e-mail on the
 * receipt is in no page's DOM, no request leaves the origin and the CSP refuses nothing.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createCanvas } from '@napi-rs/canvas';
import { browserSkipReason, checkPage, servedConsole } from './browser.js';

const EMAIL = 'canary-receipt@example.org';
const LINES = ['CORNER SHOP', 'Receipt 0042', `Contact ${EMAIL}`, 'Milk 2.50', 'TOTAL 12.50'];

/** A receipt as a PNG: black text on white, large enough for OCR. */
function receiptPng(): Buffer {
  const canvas = createCanvas(1000, 520);
  const g = canvas.getContext('2d');
  g.fillStyle = '#ffffff';
  g.fillRect(0, 0, 1000, 520);
  g.fillStyle = '#000000';
  g.font = '36px DejaVu Sans';
  LINES.forEach((line, i) => g.fillText(line, 40, 80 + i * 90));
  return canvas.toBuffer('image/png');
}

const skip = await browserSkipReason();

describe('uploading a receipt through the console', { skip }, () => {
  const served = servedConsole();

  test('a processor uploads a receipt image with progress, watches the job finish and sees the redacted image', async () => {
    const { veil, page, seen } = served;
    await page.goto(`${veil.url}/console/#/jobs`);
    await page.getByLabel('Token or API key').fill(await veil.token('processor'));
    await page.getByLabel('Token or API key').press('Enter');
    await page.getByRole('heading', { name: 'Jobs', level: 1 }).waitFor();
    const png = receiptPng();
    await page
      .getByLabel('or a file')
      .setInputFiles({ name: 'receipt.png', mimeType: 'image/png', buffer: png });
    await page.getByLabel('Purpose code').fill('claims-intake');
    await page.getByRole('button', { name: 'Submit' }).click();
    await page.getByRole('heading', { name: /^Job / }).waitFor({ timeout: 60_000 });
    assert.ok(
      seen.requests.some((u) => /\/v1\/uploads\/[^/]+$/.test(u)),
      'the file went through a signed upload URL',
    );
    await page.locator('.status.succeeded').waitFor({ timeout: 120_000 });
    const retention = page.getByRole('table', { name: 'Retention by artifact class' });
    assert.match(
      await retention.getByRole('row', { name: /^original/ }).innerText(),
      /^original\s+(in \d+ (min|hours|days)|due now|deleted)\s+\S/,
    );
    assert.match(
      await retention.getByRole('row', { name: /^redacted/ }).innerText(),
      /^redacted\s+in (6|7) days/,
    );
    await checkPage(page, '44-upload-succeeded', [EMAIL]);
    await page.getByRole('button', { name: 'Show redacted document' }).click();
    const image = page.getByRole('img', { name: /^The redacted document/ });
    await image.waitFor();
    assert.match((await image.getAttribute('src')) ?? '', /^blob:/);
    const size = (await page.evaluate(
      `(() => { const i = document.querySelector('figure.crop img'); return [i.naturalWidth, i.naturalHeight]; })()`,
    )) as [number, number];
    assert.ok(size[0] > 0 && size[1] > 0, `the image decoded: ${size.join('×')}`);
    assert.match(
      await page.locator('figure.crop figcaption').innerText(),
      /^Image \(image\/(png|jpeg)\), \d+ bytes\.$/,
    );
    await checkPage(page, '45-upload-redacted-image', [EMAIL]);
    assert.deepEqual(seen.offOrigin(veil.url), []);
    assert.deepEqual(seen.cspErrors, []);
  });
});
