/**
 * An OpenID Connect provider on loopback for tests: discovery, a JWKS it can rotate, tokens signed
 * by its current key, and the authorization-code flow with PKCE for a public client (the console).
 * Its authorization endpoint signs in `issuer.user` at once (a real provider shows its login page
 * there); the token endpoint checks the code, the redirect URI, the client and the S256 verifier,
 * and answers CORS for the console's origin. `misbehave` makes it answer wrongly, so tests can show
 * that the relying party refuses.
 */
import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT } from 'jose';
import type { JWK } from 'jose';

/** One authorization request as the provider received it. */
export interface AuthorizationRecord {
  readonly clientId: string;
  readonly redirectUri: string;
  readonly codeChallenge: string;
  readonly codeChallengeMethod: string;
  readonly state: string;
  readonly nonce: string;
  readonly scope: string;
}

/** A test OIDC provider: `url` is its issuer identifier (`http://127.0.0.1:<port>/realms/veil`). */
export interface TestIssuer {
  url: string;
  /** The paths requested, in order. */
  readonly fetched: string[];
  /** The authorization requests received. */
  readonly authorizations: AuthorizationRecord[];
  /** Token requests answered 400 (a wrong verifier, code, client or redirect URI). */
  readonly refusedTokenRequests: string[];
  /** The claims of the user the authorization endpoint signs in. */
  user: Record<string, unknown>;
  /** The audience of the access tokens the token endpoint issues. */
  accessAudience: string;
  /** Answer the code flow wrongly: an ID token with another nonce, or a redirect with another state. */
  misbehave: 'nonce' | 'state' | undefined;
  /** A new key signs from now on; the old one leaves the key set. */
  rotate(): void;
  /** A token signed by the current key (`sub` user-7, five minutes). */
  token(claims: Record<string, unknown>, audience?: string): Promise<string>;
  listen(): Promise<void>;
  close(): Promise<void>;
}

const base64url = (bytes: Buffer): string => bytes.toString('base64url');

async function formOf(request: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

/**
 * Makes the provider (call `listen()` before use).
 *
 * @example
 * ```ts
 * const issuer = createTestIssuer();
 * await issuer.listen();
 * const token = await issuer.token({ tenant: 'acme', roles: ['processor'] });
 * ```
 */
export function createTestIssuer(): TestIssuer {
  let keys = [{ kid: 'key-1', ...generateKeyPairSync('ec', { namedCurve: 'P-256' }) }];
  const codes = new Map<string, AuthorizationRecord & { user: Record<string, unknown> }>();
  const path = (): string => new URL(issuer.url).pathname;

  const sign = (claims: Record<string, unknown>, audience: string, expires = '5m'): Promise<string> => {
    const key = keys[0]!;
    return new SignJWT(claims)
      .setProtectedHeader({ alg: 'ES256', kid: key.kid })
      .setIssuer(issuer.url)
      .setAudience(audience)
      .setSubject('user-7')
      .setIssuedAt()
      .setExpirationTime(expires)
      .sign(key.privateKey);
  };

  const json = (response: ServerResponse, status: number, body: unknown, cors: string | undefined): void => {
    response
      .writeHead(status, {
        'content-type': 'application/json',
        'cache-control': 'no-store',
        ...(cors === undefined ? {} : { 'access-control-allow-origin': cors }),
      })
      .end(JSON.stringify(body));
  };

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://issuer.invalid');
    issuer.fetched.push(url.pathname);
    // A browser asks from the console's origin; the provider trusts any origin of this machine.
    const origin = request.headers.origin;
    const cors = origin !== undefined && /^http:\/\/127\.0\.0\.1:\d+$/.test(origin) ? origin : undefined;
    if (request.method === 'OPTIONS') {
      response
        .writeHead(204, {
          ...(cors === undefined ? {} : { 'access-control-allow-origin': cors }),
          'access-control-allow-methods': 'GET, POST',
          'access-control-allow-headers': 'content-type, accept, authorization, dpop',
        })
        .end();
      return;
    }
    const root = path();
    if (url.pathname === `${root}/.well-known/openid-configuration`) {
      return json(
        response,
        200,
        {
          issuer: issuer.url,
          jwks_uri: `${issuer.url}/certs`,
          authorization_endpoint: `${issuer.url}/auth`,
          token_endpoint: `${issuer.url}/token`,
          response_types_supported: ['code'],
          grant_types_supported: ['authorization_code'],
          code_challenge_methods_supported: ['S256'],
          id_token_signing_alg_values_supported: ['ES256'],
          token_endpoint_auth_methods_supported: ['none'],
          subject_types_supported: ['public'],
          scopes_supported: ['openid'],
        },
        cors,
      );
    }
    if (url.pathname === `${root}/certs`) {
      const jwks = {
        keys: keys.map((k) => ({
          ...(k.publicKey.export({ format: 'jwk' }) as JWK),
          kid: k.kid,
          alg: 'ES256',
          use: 'sig',
        })),
      };
      return json(response, 200, jwks, cors);
    }
    if (url.pathname === `${root}/auth` && request.method === 'GET') {
      const q = url.searchParams;
      const record: AuthorizationRecord = {
        clientId: q.get('client_id') ?? '',
        redirectUri: q.get('redirect_uri') ?? '',
        codeChallenge: q.get('code_challenge') ?? '',
        codeChallengeMethod: q.get('code_challenge_method') ?? '',
        state: q.get('state') ?? '',
        nonce: q.get('nonce') ?? '',
        scope: q.get('scope') ?? '',
      };
      issuer.authorizations.push(record);
      const back = new URL(record.redirectUri);
      if (
        q.get('response_type') !== 'code' ||
        record.codeChallengeMethod !== 'S256' ||
        !/^[\w-]{43,128}$/.test(record.codeChallenge)
      ) {
        back.searchParams.set('error', 'invalid_request');
      } else {
        const code = base64url(randomBytes(24));
        codes.set(code, { ...record, user: { ...issuer.user } });
        back.searchParams.set('code', code);
      }
      back.searchParams.set(
        'state',
        issuer.misbehave === 'state' ? base64url(randomBytes(16)) : record.state,
      );
      back.searchParams.set('iss', issuer.url);
      response.writeHead(302, { location: back.toString() }).end();
      return;
    }
    if (url.pathname === `${root}/token` && request.method === 'POST') {
      const form = await formOf(request);
      const code = form.get('code') ?? '';
      const granted = codes.get(code);
      codes.delete(code);
      const verifier = form.get('code_verifier') ?? '';
      const challenge = base64url(createHash('sha256').update(verifier).digest());
      const problem =
        form.get('grant_type') !== 'authorization_code'
          ? 'unsupported_grant_type'
          : granted === undefined
            ? 'unknown or used code'
            : granted.clientId !== form.get('client_id')
              ? 'client mismatch'
              : granted.redirectUri !== form.get('redirect_uri')
                ? 'redirect_uri mismatch'
                : granted.codeChallenge !== challenge
                  ? 'PKCE verifier mismatch'
                  : undefined;
      if (problem !== undefined || granted === undefined) {
        issuer.refusedTokenRequests.push(problem ?? 'unknown');
        return json(response, 400, { error: 'invalid_grant', error_description: problem }, cors);
      }
      const nonce = issuer.misbehave === 'nonce' ? base64url(randomBytes(16)) : granted.nonce;
      return json(
        response,
        200,
        {
          access_token: await sign(granted.user, issuer.accessAudience),
          id_token: await sign({ nonce, azp: granted.clientId }, granted.clientId),
          token_type: 'Bearer',
          expires_in: 300,
          scope: granted.scope,
        },
        cors,
      );
    }
    response.writeHead(404).end();
  }

  const server = createServer((request, response) => {
    handle(request, response).catch(() => response.writeHead(500).end());
  });
  const issuer: TestIssuer = {
    url: '',
    fetched: [],
    authorizations: [],
    refusedTokenRequests: [],
    user: { tenant: 'acme', roles: ['processor'] },
    accessAudience: 'veil-api',
    misbehave: undefined,
    rotate() {
      keys = [
        {
          kid: `key-${keys.length + 1}-${Date.now()}`,
          ...generateKeyPairSync('ec', { namedCurve: 'P-256' }),
        },
      ];
    },
    token: (claims, audience = 'veil-api') => sign(claims, audience),
    listen: () =>
      new Promise<void>((resolve) =>
        server.listen(0, '127.0.0.1', () => {
          issuer.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/realms/veil`;
          resolve();
        }),
      ),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  return issuer;
}
