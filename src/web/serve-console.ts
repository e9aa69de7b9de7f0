/**
 * The web console at `/console/`: the files `npm run build:console` wrote to dist/console, served
 * by `veil serve` from the package itself (no CDN, nothing fetched at run time), under a content
 * security policy that allows no inline script and no other origin. The console is static: it
 * talks to the same public API any client uses, with no routes of its own.
 */
import { access } from 'node:fs/promises';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { VeilError } from '../errors/veil-error.js';
import { packagePath } from '../package-root.js';
import type { ApiRoutePlugin } from '../api/ports.js';

/** Where `npm run build:console` writes the console, in the package root. */
export const CONSOLE_DIR = packagePath('dist', 'console/');

/**
 * The console's policy: its own files and its own API only, and, when it signs in through an
 * OIDC issuer, that issuer's origin for the discovery document and the token request (the only
 * cross-origin calls it makes). Styles too come only from files (no `unsafe-inline`); images and
 * downloads may be blob: URLs the page made itself.
 *
 * @example
 * ```ts
 * consoleCsp(['https://login.example.org']); // "default-src 'none'; … connect-src 'self' https://login.example.org; …"
 * ```
 */
export function consoleCsp(connectOrigins: readonly string[] = []): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' blob: data:",
    ["connect-src 'self'", ...connectOrigins].join(' '),
    "font-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** The policy of a console that signs in by pasted token only. */
export const CONSOLE_CSP = consoleCsp();

/**
 * The console as a plugin for `deps.routes`. When the console has not been built, `/console/`
 * answers `VEIL_ROUTE_NOT_FOUND` naming the command that builds it. `connectOrigins`: the OIDC
 * issuer's origin when the console signs in through one.
 *
 * @example
 * ```ts
 * const app = await buildApp({ ...deps, routes: [consoleRoutes()] });
 * ```
 */
export function consoleRoutes(
  dir: string = CONSOLE_DIR,
  connectOrigins: readonly string[] = [],
): ApiRoutePlugin {
  const csp = consoleCsp(connectOrigins);
  return async (app: FastifyInstance) => {
    const built = await access(`${dir}index.html`).then(
      () => true,
      () => false,
    );
    await app.register(async (scope) => {
      scope.addHook('onSend', async (_request, reply, payload) => {
        void reply.header('content-security-policy', csp);
        // The page holds a bearer token in memory: no caching of the page by shared caches, and no
        // referrer or powerful features.
        void reply.header('referrer-policy', 'no-referrer');
        void reply.header('permissions-policy', 'camera=(), microphone=(), geolocation=(), payment=()');
        return payload;
      });
      scope.get('/console', { schema: { hide: true } }, async (_request, reply) =>
        reply.redirect('/console/'),
      );
      if (!built) {
        scope.get('/console/*', { schema: { hide: true } }, async () => {
          throw new VeilError(
            'VEIL_ROUTE_NOT_FOUND',
            'the console is not built in this installation; run `npm run build:console`',
          );
        });
        return;
      }
      await scope.register(fastifyStatic, {
        root: dir,
        prefix: '/console/',
        index: ['index.html'],
        wildcard: true,
        // Hashed asset names change with their content; the page itself is revalidated.
        cacheControl: false,
        setHeaders: (res, path) => {
          void res.header(
            'cache-control',
            /[\\/]assets[\\/]/.test(path) ? 'public, max-age=31536000, immutable' : 'no-cache',
          );
        },
      });
    });
  };
}
