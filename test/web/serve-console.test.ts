/**
 * `/console/` as `veil serve` serves it: the built files under a CSP with no inline script and no
 * other origin, an index page with no inline script or style, and a clear error when the console
 * has not been built.
 */
import assert from 'node:assert/strict';
import { access, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { buildApp } from '../../src/api/index.js';
import { VeilError } from '../../src/errors/veil-error.js';
import { CONSOLE_CSP, CONSOLE_DIR, consoleRoutes } from '../../src/web/serve-console.js';

const deps = {
  authenticate: async () => {
    throw new VeilError('VEIL_UNAUTHENTICATED', 'authentication failed');
  },
  authorize: () => {},
};
const built = await access(join(CONSOLE_DIR, 'index.html')).then(
  () => true,
  () => false,
);

test(
  'the built console is served under a strict CSP, with no inline script or style',
  { skip: built ? false : 'the console is not built (npm run build:console)' },
  async () => {
    const app = await buildApp({ ...deps, routes: [consoleRoutes()] });
    try {
      const redirect = await app.inject({ method: 'GET', url: '/console' });
      assert.equal(redirect.statusCode, 302);
      assert.equal(redirect.headers.location, '/console/');
      const page = await app.inject({ method: 'GET', url: '/console/' });
      assert.equal(page.statusCode, 200);
      assert.equal(page.headers['content-security-policy'], CONSOLE_CSP);
      assert.match(CONSOLE_CSP, /script-src 'self';/);
      assert.ok(!/unsafe-|https?:|\*/.test(CONSOLE_CSP), CONSOLE_CSP);
      assert.ok(!/<script(?![^>]*\bsrc=)[^>]*>/i.test(page.body), 'no inline script');
      assert.ok(!/<style|\sstyle=/i.test(page.body), 'no inline style');
      assert.ok(!/\/\/[a-z0-9.-]+\.[a-z]{2,}\//i.test(page.body), 'no other origin');
      const script = /<script[^>]+src="([^"]+)"/.exec(page.body)![1]!;
      const asset = await app.inject({ method: 'GET', url: script });
      assert.equal(asset.statusCode, 200);
      assert.match(String(asset.headers['content-type']), /javascript/);
      assert.match(String(asset.headers['cache-control']), /immutable/);
      assert.equal(asset.body, await readFile(join(CONSOLE_DIR, script.replace('/console/', '')), 'utf8'));
    } finally {
      await app.close();
    }
  },
);

test('an installation without the built console says how to build it', async () => {
  const empty = await mkdtemp(join(tmpdir(), 'veil-no-console-'));
  const app = await buildApp({ ...deps, routes: [consoleRoutes(`${empty}/`)] });
  try {
    const res = await app.inject({ method: 'GET', url: '/console/' });
    assert.equal(res.statusCode, 404);
    assert.equal(res.json<{ error: { code: string } }>().error.code, 'VEIL_ROUTE_NOT_FOUND');
    assert.match(res.json<{ error: { message: string } }>().error.message, /npm run build:console/);
  } finally {
    await app.close();
    await rm(empty, { recursive: true, force: true });
  }
});
