/**
 * `npm run bench:console`: the web console's figures. First-load JavaScript (the entry chunk
 * and its static imports, not the lazily loaded Ed25519 fallback) raw, gzip and brotli; then, in
 * Debian's Chromium against `veil serve` on PGlite in a temp directory, the time until each page
 * is usable: the sign-in page on a cold load, and Jobs, Job (with its fields), Review, Audit,
 * Privacy, Data subjects and Settings (with the API keys and the policy history) on navigation after sign-in as admin, each the best of CONSOLE_BENCH_ROUNDS (default 3). Needs `npm run build:console`.
 * Figures on a shared machine are noisy.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import type { Page } from 'playwright-core';
import { mintDevelopmentToken } from '../../src/access/index.js';
import { localAuthenticate } from '../../src/runtime/sign-in.js';
import { startService } from '../../src/runtime/service.js';
import { CONSOLE_DIR } from '../../src/web/serve-console.js';

const ROUNDS = Number(process.env.CONSOLE_BENCH_ROUNDS ?? 3);
const CHROMIUM = process.env.VEIL_CHROMIUM ?? '/usr/bin/chromium';

// First-load JavaScript: what index.html names, and what those chunks import statically.
const html = await readFile(join(CONSOLE_DIR, 'index.html'), 'utf8');
const queue = [...html.matchAll(/<script[^>]+src="\/console\/([^"]+)"/g)].map((m) => m[1]!);
const firstLoad = new Set<string>();
while (queue.length > 0) {
  const file = queue.pop()!;
  if (firstLoad.has(file)) continue;
  firstLoad.add(file);
  const source = await readFile(join(CONSOLE_DIR, file), 'utf8');
  for (const m of source.matchAll(/(?:^|[;\n}])\s*import\s*(?:[^'"()]*?from\s*)?["']\.\/([^"']+\.js)["']/g))
    queue.push(`assets/${m[1]!}`);
}
let raw = 0;
let gzip = 0;
let brotli = 0;
for (const file of firstLoad) {
  const bytes = await readFile(join(CONSOLE_DIR, file));
  raw += bytes.length;
  gzip += gzipSync(bytes, { level: 9 }).length;
  brotli += brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
}
const kb = (n: number): string => `${(n / 1024).toFixed(1)} KB`;
console.log(
  `first-load JavaScript (${[...firstLoad].join(', ')}): ${kb(raw)} raw, ${kb(gzip)} gzip, ${kb(brotli)} brotli (target ≤ 200 KB compressed)`,
);

const dataDir = await mkdtemp(join(tmpdir(), 'veil-bench-console-'));
const service = await startService({
  dataDir,
  host: '127.0.0.1',
  port: 0,
  workers: 1,
  pollingIntervalSeconds: 0.5,
  detectionThreads: 0,
  uploadSweepIntervalSeconds: 0,
  authenticate: await localAuthenticate(dataDir),
  api: { rateLimit: { max: 100_000, windowMs: 60_000 } },
});
const browser = await chromium.launch({
  executablePath: CHROMIUM,
  headless: true,
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
  ],
});
try {
  const token = await mintDevelopmentToken(dataDir, { role: 'admin', tenant: 'acme' });
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  let jobId = '';
  for (let i = 0; i < 25; i++) {
    const res = await fetch(`${service.url}/v1/jobs`, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        text: `Note ${i}: write to person${i}@example.org.\nAmount due: EUR ${i}0,00\n`,
        purpose: 'claims-intake',
        consent: { basis: 'contract' },
        retention_days: 7,
        outputs: ['redacted', 'fields'],
        fields: [
          { name: 'total', type: 'money', hint: 'Amount due' },
          { name: 'contact', type: 'email' },
        ],
      }),
    });
    jobId = ((await res.json()) as { job_id: string }).job_id;
  }
  for (;;) {
    const status = (
      (await (await fetch(`${service.url}/v1/jobs/${jobId}`, { headers })).json()) as { status: string }
    ).status;
    if (status === 'succeeded') break;
    await new Promise((r) => setTimeout(r, 200));
  }

  const best = new Map<string, number>();
  const record = (name: string, ms: number): void =>
    void best.set(name, Math.min(best.get(name) ?? Infinity, ms));
  const visit = async (page: Page, hash: string, ready: (page: Page) => Promise<void>): Promise<number> => {
    const start = performance.now();
    await page.evaluate(`window.location.hash = ${JSON.stringify(hash)}`);
    await ready(page);
    return performance.now() - start;
  };
  for (let round = 0; round < ROUNDS; round++) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    let start = performance.now();
    await page.goto(`${service.url}/console/`);
    await page.getByLabel('Token or API key').waitFor();
    record('sign-in (cold load)', performance.now() - start);
    await page.getByLabel('Token or API key').fill(token);
    start = performance.now();
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('cell', { name: 'claims-intake' }).first().waitFor();
    record('jobs (after sign-in, list loaded)', performance.now() - start);
    record(
      'job (status, fields and timeline loaded)',
      await visit(page, `#/jobs/${jobId}`, async (p) => {
        await p.getByRole('table', { name: 'Extracted fields' }).waitFor();
        await p.getByRole('heading', { name: 'Timeline' }).waitFor();
      }),
    );
    // The queue's list, its empty sentence, or the error of a server without the review routes.
    record(
      'review (queue loaded)',
      await visit(page, '#/review', (p) =>
        p.locator('#queue-heading ~ table, #queue-heading ~ p:not([aria-live]), .error').first().waitFor(),
      ),
    );
    record(
      'audit (tree head and entries loaded)',
      await visit(page, '#/audit', (p) => p.getByRole('cell', { name: 'job.created' }).first().waitFor()),
    );
    record(
      'privacy (metrics and alerts loaded)',
      await visit(page, '#/privacy', async (p) => {
        await p
          .locator('#metrics-heading ~ p:not([aria-live]), #metrics-heading ~ table.bars')
          .first()
          .waitFor();
        await p.locator('#alerts-heading ~ p, #alerts-heading ~ table').first().waitFor();
      }),
    );
    record(
      'data subjects',
      await visit(page, '#/subjects', (p) =>
        p.getByRole('heading', { name: 'Access or erasure request' }).waitFor(),
      ),
    );
    record(
      'settings (API keys and policy history loaded)',
      await visit(page, '#/settings', async (p) => {
        await p.getByRole('table', { name: /^Keys of tenant/ }).waitFor();
        await p.getByRole('table', { name: 'Policy changes, newest first' }).waitFor();
      }),
    );
    record(
      'jobs (navigation, list loaded)',
      await visit(page, '#/jobs', (p) => p.getByRole('cell', { name: 'claims-intake' }).first().waitFor()),
    );
    await context.close();
  }
  for (const [name, ms] of best)
    console.log(`${name}: ${ms.toFixed(0)} ms (best of ${ROUNDS}; target ≤ 1000 ms)`);
} finally {
  await browser.close();
  await service.close();
  await rm(dataDir, { recursive: true, force: true });
}
