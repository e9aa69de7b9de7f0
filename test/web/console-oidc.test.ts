/**
 * The console signs in through an OpenID Connect provider (the loopback test provider) with the
 * authorization-code flow and PKCE: S256 challenge, state and nonce sent and checked, the code
 * redeemed with the verifier, the access token kept in memory (no storage, no cookie, no code
 * left in the address bar). A provider that answers with another state or another nonce is
 * refused with a stable code, and a replayed callback does nothing. The console's CSP admits the
 * provider's origin and no other; no request goes anywhere else.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { loadConfig } from '../../src/runtime/config.js';
import { authenticateFromConfig, browserSignInFromConfig } from '../../src/runtime/sign-in.js';
import { createTestIssuer } from '../access/oidc-issuer.js';
import { serveVeil } from '../client/serve-harness.js';
import type { ServedVeil } from '../client/serve-harness.js';
import { browserSkipReason, checkPage, openConsoleBrowser } from './browser.js';
import type { ConsoleBrowser } from './browser.js';

const skip = await browserSkipReason();

describe('OIDC sign-in in the console (authorization code + PKCE)', { skip }, () => {
  const issuer = createTestIssuer();
  let veil: ServedVeil;
  let opened: ConsoleBrowser | undefined;
  let page: Page;
  let seen: ConsoleBrowser['seen'];

  before(async () => {
    await issuer.listen();
    issuer.user = { tenant: 'acme', roles: ['processor', 'auditor'] };
    const { config } = loadConfig({
      VEIL_OIDC_ISSUER: issuer.url,
      VEIL_OIDC_AUDIENCE: 'veil-api',
      VEIL_CONSOLE_CLIENT_ID: 'veil-console',
    });
    const { authenticate } = await authenticateFromConfig(config);
    veil = await serveVeil({ authenticate, browserSignIn: browserSignInFromConfig(config)! });
    opened = await openConsoleBrowser();
    ({ page, seen } = opened);
  });
  after(async () => {
    await opened?.close();
    await veil?.close();
    await issuer.close();
  });

  const signInButton = () => page.getByRole('button', { name: `Sign in with ${new URL(issuer.url).host}` });

  async function openSignedOut(hash: string): Promise<void> {
    await page.goto(`${veil.url}/console/${hash}`);
    await page.reload();
    await signInButton().waitFor();
  }

  test('the server names the provider and the console client; the CSP admits that origin only', async () => {
    const settings = (await (await fetch(`${veil.url}/v1/sign-in`)).json()) as unknown;
    assert.deepEqual(settings, {
      oidc: { issuer: issuer.url, client_id: 'veil-console', scope: 'openid', redirect_path: '/console/' },
    });
    const csp = (await fetch(`${veil.url}/console/`)).headers.get('content-security-policy') ?? '';
    assert.match(csp, new RegExp(`connect-src 'self' ${new URL(issuer.url).origin.replaceAll('.', '\\.')};`));
  });

  test('sign in with the provider: S256 challenge, state and nonce; back on the page asked for, token in memory only', async () => {
    await openSignedOut('#/audit');
    await checkPage(page, '30-sign-in-oidc', []);
    await signInButton().click();
    await page.getByRole('heading', { name: 'Audit', level: 1 }).waitFor();

    assert.equal(issuer.authorizations.length, 1);
    const asked = issuer.authorizations[0]!;
    assert.equal(asked.clientId, 'veil-console');
    assert.equal(asked.redirectUri, `${veil.url}/console/`);
    assert.equal(asked.codeChallengeMethod, 'S256');
    assert.match(asked.codeChallenge, /^[\w-]{43}$/);
    assert.match(asked.state, /^[\w-]{43}$/);
    assert.match(asked.nonce, /^[\w-]{43}$/);
    assert.equal(asked.scope, 'openid');
    assert.deepEqual(issuer.refusedTokenRequests, [], 'the provider accepted the PKCE verifier');

    const url = new URL(page.url());
    assert.equal(url.search, '', 'the code and state left the address bar');
    assert.equal(url.hash, '#/audit');
    const stored = await page.evaluate(
      'JSON.stringify({ local: { ...localStorage }, session: { ...sessionStorage }, cookie: document.cookie })',
    );
    assert.equal(stored, JSON.stringify({ local: {}, session: {}, cookie: '' }));
    const nav = await page.getByRole('navigation', { name: 'Main' }).innerText();
    assert.deepEqual(
      nav
        .split('\n')
        .map((s) => s.trim())
        .filter(Boolean),
      ['Jobs', 'Audit', 'Privacy', 'Settings'],
    );
    await page.getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('heading', { name: 'Session' }).waitFor();
    assert.match(
      await page.getByRole('region', { name: 'Session' }).locator('dl').innerText(),
      /acme[\s\S]*person \(token\)[\s\S]*processor, auditor/,
    );
  });

  test('a callback replayed after sign-in completed is refused: the state was single-use', async () => {
    const callback = new URL(`${veil.url}/console/`);
    callback.searchParams.set('code', 'replayed-code');
    callback.searchParams.set('state', issuer.authorizations[0]!.state);
    const tokenRequests = issuer.fetched.filter((p) => p.endsWith('/token')).length;
    await page.goto(callback.toString());
    await page.getByRole('alert').waitFor();
    assert.match(
      await page.getByRole('alert').innerText(),
      /VEIL_CONSOLE_SIGN_IN[\s\S]*did not start a sign-in/,
    );
    assert.equal(
      issuer.fetched.filter((p) => p.endsWith('/token')).length,
      tokenRequests,
      'no code was redeemed',
    );
    assert.equal(new URL(page.url()).search, '');
  });

  test('a provider answering with another state is refused before any code is redeemed', async () => {
    issuer.misbehave = 'state';
    try {
      await openSignedOut('#/jobs');
      const tokenRequests = issuer.fetched.filter((p) => p.endsWith('/token')).length;
      await signInButton().click();
      await page.getByRole('alert').waitFor();
      assert.match(await page.getByRole('alert').innerText(), /VEIL_CONSOLE_SIGN_IN[\s\S]*"state"/);
      assert.equal(issuer.fetched.filter((p) => p.endsWith('/token')).length, tokenRequests);
      await page.getByRole('heading', { name: 'Sign in', level: 1 }).waitFor();
      await checkPage(page, '31-sign-in-refused', []);
    } finally {
      issuer.misbehave = undefined;
    }
  });

  test('an ID token with another nonce is refused, and the console stays signed out', async () => {
    issuer.misbehave = 'nonce';
    try {
      await openSignedOut('#/jobs');
      await signInButton().click();
      await page.getByRole('alert').waitFor();
      assert.match(await page.getByRole('alert').innerText(), /VEIL_CONSOLE_SIGN_IN[\s\S]*"nonce"/);
      assert.equal(await page.getByRole('navigation', { name: 'Main' }).count(), 0);
    } finally {
      issuer.misbehave = undefined;
    }
  });

  test('every request went to the server or the provider, and the CSP refused nothing', () => {
    const provider = new URL(issuer.url).origin;
    assert.deepEqual(
      seen.offOrigin(veil.url).filter((url) => new URL(url).origin !== provider),
      [],
    );
    assert.ok(seen.requests.some((url) => url.startsWith(`${issuer.url}/token`)));
    assert.deepEqual(seen.cspErrors, []);
  });
});
