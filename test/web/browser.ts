/**
 * Debian's Chromium driven by playwright-core, for the console's browser tests and bench: headless,
 * no sandbox (CI containers run as root), and nothing that reaches the network by itself.
 */
import assert from 'node:assert/strict';
import { access, mkdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { after, before } from 'node:test';
import { chromium } from 'playwright-core';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { closeDocumentResources } from '../../src/documents/index.js';
import { serveVeil } from '../client/serve-harness.js';
import type { ServedVeil } from '../client/serve-harness.js';
import { repoUrl } from '../repo-paths.js';

export const CHROMIUM_PATH = process.env.VEIL_CHROMIUM ?? '/usr/bin/chromium';
export const SCREENSHOT_DIR = repoUrl('test-output/screenshots/');

/** Why the browser tests cannot run here, or false. */
export async function browserSkipReason(): Promise<string | false> {
  const hasChromium = await access(CHROMIUM_PATH).then(
    () => true,
    () => false,
  );
  if (!hasChromium) return `no Chromium at ${CHROMIUM_PATH} (apt-get install -y chromium)`;
  const built = await access(repoUrl('dist/console/index.html')).then(
    () => true,
    () => false,
  );
  return built ? false : 'the console is not built (npm run build:console)';
}

/**
 * Starts headless Chromium.
 *
 * @example
 * ```ts
 * const browser = await launchChromium();
 * ```
 */
export async function launchChromium(): Promise<Browser> {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
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
}

const axeSource = await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** A violation axe-core reports. */
export interface AxeViolation {
  readonly id: string;
  readonly impact: string | null;
  readonly help: string;
  readonly nodes: number;
}

/**
 * Runs axe-core in the page (evaluated through the DevTools protocol, which the page's CSP does
 * not govern, so the console's policy stays as served) and returns the serious and critical
 * violations.
 *
 * @example
 * ```ts
 * assert.deepEqual(await seriousViolations(page), []);
 * ```
 */
export async function seriousViolations(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(axeSource);
  // A string, evaluated in the page: this module is compiled without the DOM's types.
  const violations = (await page.evaluate(`axe.run(document, { resultTypes: ['violations'] }).then((r) =>
    r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.length })))`)) as AxeViolation[];
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/**
 * Screenshots a page into {@link SCREENSHOT_DIR}, asserts axe-core finds no serious or critical
 * violation, and, unless the role may see them here, that none of `canaries` is in the DOM.
 *
 * @example
 * ```ts
 * await checkPage(page, '03-jobs', [SSN, EMAIL]);
 * ```
 */
export async function checkPage(
  page: Page,
  name: string,
  canaries: readonly string[],
  options: { canariesAllowed?: boolean } = {},
): Promise<void> {
  await page.screenshot({ path: new URL(`${name}.png`, SCREENSHOT_DIR).pathname, fullPage: true });
  assert.deepEqual(await seriousViolations(page), [], `axe on ${name}`);
  if (options.canariesAllowed !== true) {
    const html = await page.content();
    for (const canary of canaries)
      assert.ok(!html.includes(canary), `${name}: a detected value is in the DOM`);
  }
}

/**
 * Records every URL the page requests and every CSP refusal it reports, for the closing check
 * that nothing left the server's origin and the policy refused nothing.
 *
 * @example
 * ```ts
 * const seen = watchPage(page);
 * assert.deepEqual(seen.offOrigin(veil.url), []);
 * ```
 */
export function watchPage(page: Page): {
  requests: string[];
  cspErrors: string[];
  offOrigin(origin: string): string[];
} {
  const requests: string[] = [];
  const cspErrors: string[] = [];
  page.on('request', (request) => requests.push(request.url()));
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy/i.test(message.text()))
      cspErrors.push(message.text());
  });
  return {
    requests,
    cspErrors,
    offOrigin: (url) =>
      requests.filter((r) => !r.startsWith('blob:') && new URL(r).origin !== new URL(url).origin),
  };
}

/** A browser with one page open, watched by {@link watchPage}. */
export interface ConsoleBrowser {
  readonly browser: Browser;
  readonly context: BrowserContext;
  readonly page: Page;
  readonly seen: ReturnType<typeof watchPage>;
  close(): Promise<void>;
}

/**
 * Launches Chromium with one 1280×900 page (downloads accepted) whose requests are watched.
 *
 * @example
 * ```ts
 * const { page, seen, close } = await openConsoleBrowser();
 * ```
 */
export async function openConsoleBrowser(): Promise<ConsoleBrowser> {
  const browser = await launchChromium();
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  const page = await context.newPage();
  return {
    browser,
    context,
    page,
    seen: watchPage(page),
    async close() {
      await context.close();
      await browser.close();
    },
  };
}

/** What {@link servedConsole} holds for a suite, once its `before` hook has run. */
export interface ServedConsole {
  readonly veil: ServedVeil;
  readonly page: Page;
  readonly seen: ConsoleBrowser['seen'];
}

/**
 * Registers a suite's hooks: before, a real `veil serve` and a watched Chromium page; after, both
 * closed, and the documents layer's PDF and OCR workers released so the file exits.
 *
 * @example
 * ```ts
 * const served = servedConsole();
 * test('…', async () => { await served.page.goto(`${served.veil.url}/console/`); });
 * ```
 */
export function servedConsole(): ServedConsole {
  let veil: ServedVeil | undefined;
  let opened: ConsoleBrowser | undefined;
  before(async () => {
    veil = await serveVeil();
    opened = await openConsoleBrowser();
  });
  after(async () => {
    await opened?.close();
    await veil?.close();
    await closeDocumentResources();
  });
  const ready = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('servedConsole: used before its before hook ran');
    return value;
  };
  return {
    get veil() {
      return ready(veil);
    },
    get page() {
      return ready(opened).page;
    },
    get seen() {
      return ready(opened).seen;
    },
  };
}
