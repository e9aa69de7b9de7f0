/**
 * Debian's Chromium driven by playwright-core, for the console's browser tests and bench: headless,
 * no sandbox (CI containers run as root), and nothing that reaches the network by itself.
 */
import { access, mkdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';

export const CHROMIUM_PATH = process.env.VEIL_CHROMIUM ?? '/usr/bin/chromium';
export const SCREENSHOT_DIR = new URL('../../test-output/screenshots/', import.meta.url);

/** Why the browser tests cannot run here, or false. */
export async function browserSkipReason(): Promise<string | false> {
  const hasChromium = await access(CHROMIUM_PATH).then(
    () => true,
    () => false,
  );
  if (!hasChromium) return `no Chromium at ${CHROMIUM_PATH} (apt-get install -y chromium)`;
  const built = await access(new URL('../../dist/console/index.html', import.meta.url)).then(
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
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
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
