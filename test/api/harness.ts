/**
 * A test wiring of the API: fixed bearer tokens for three principals, an authorisation rule for
 * `analyze:run`, and a pino logger whose lines are kept in memory so tests can read them.
 */
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { buildApp } from '../../src/api/index.js';
import type { ApiDependencies, Principal } from '../../src/api/index.js';
import { VeilError } from '../../src/errors/veil-error.js';

export const PRINCIPALS: Readonly<Record<string, Principal>> = {
  'token-processor': { id: 'user-1', tenantId: 'acme', roles: ['processor'], kind: 'user' },
  'token-processor-2': { id: 'user-2', tenantId: 'acme', roles: ['processor'], kind: 'user' },
  'token-auditor': { id: 'user-3', tenantId: 'acme', roles: ['auditor'], kind: 'user' },
};

export const AS_PROCESSOR = { authorization: 'Bearer token-processor' };
export const AS_PROCESSOR_2 = { authorization: 'Bearer token-processor-2' };
export const AS_AUDITOR = { authorization: 'Bearer token-auditor' };

export interface TestApp {
  readonly app: FastifyInstance;
  /** Every log line written so far, raw. */
  readonly logs: string[];
}

/** Test authentication: `Bearer <name>` is the principal of that name in `principals`. */
export function bearerAuthenticator(
  principals: Readonly<Record<string, Principal>>,
): ApiDependencies['authenticate'] {
  return async (headers) => {
    const token = /^Bearer (\S+)$/.exec(String(headers.authorization ?? ''))?.[1];
    const principal = token === undefined ? undefined : principals[token];
    if (principal === undefined) throw new VeilError('VEIL_UNAUTHENTICATED', 'authentication failed');
    return principal;
  };
}

/** Builds the API with test adapters; `overrides` replaces any dependency. */
export async function testApp(overrides: Partial<ApiDependencies> = {}): Promise<TestApp> {
  const logs: string[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void logs.push(line) });
  const app = await buildApp({
    authenticate: bearerAuthenticator(PRINCIPALS),
    authorize: (principal, permission) => {
      const allowed =
        permission === 'analyze:run' && principal.roles.some((r) => r === 'processor' || r === 'admin');
      if (!allowed) throw new VeilError('VEIL_FORBIDDEN', `this action needs the permission ${permission}`);
    },
    logger,
    ...overrides,
  });
  return { app, logs };
}
