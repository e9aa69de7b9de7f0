/**
 * The job API tests' wiring: the real service (`openService`, what `veil serve` runs) on PGlite
 * in a temp data directory, or on a fresh database of the PostgreSQL server when one answers,
 * with bearer tokens `role:tenant` and a pino logger kept in memory.
 */
import { loadPolicy, validatePolicy } from '../../src/policy/index.js';
import type { Policy } from '../../src/policy/index.js';
import { DEFAULT_POLICY_PATH } from '../../src/policy/shipped.js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { pino } from 'pino';
import { ROLES } from '../../src/access/index.js';
import type { Principal, Role } from '../../src/access/index.js';
import { VeilError } from '../../src/errors/veil-error.js';
import { openService } from '../../src/runtime/service.js';
import { findServer } from '../store/drivers.js';
import { servicePGlite } from '../store/pglite-template.js';
import { scratchDatabase } from '../store/postgres-scratch.js';
import type { ScratchDatabase } from '../store/postgres-scratch.js';
import type { Service, ServiceOptions } from '../../src/runtime/service.js';

export const SERVER_URL = await findServer();

export type DriverName = 'pglite' | 'postgres';

export const DRIVER_NAMES: readonly DriverName[] = ['pglite', 'postgres'];

/** Why a driver is skipped, or false. */
export function skipReason(driver: DriverName): string | false {
  return driver === 'postgres' && SERVER_URL === undefined
    ? 'no PostgreSQL answers on 127.0.0.1:5432'
    : false;
}

/** The headers of a principal with `role` in `tenant`. */
export function as(role: Role, tenant = 'acme'): { authorization: string } {
  return { authorization: `Bearer ${role}:${tenant}` };
}

const authenticate: ServiceOptions['authenticate'] = async (headers) => {
  const match = /^Bearer ([a-z]+):([a-z0-9-]+)$/.exec(String(headers.authorization ?? ''));
  const role = match?.[1];
  if (match === null || !(ROLES as readonly string[]).includes(role ?? ''))
    throw new VeilError('VEIL_UNAUTHENTICATED', 'authentication failed');
  const principal: Principal = {
    id: `user-${role!}`,
    tenantId: match[2]!,
    roles: [role as Role],
    kind: 'user',
  };
  return principal;
};

export interface TestService {
  readonly service: Service;
  readonly app: FastifyInstance;
  readonly dataDir: string;
  /** Every log line so far, raw. */
  readonly logs: string[];
  readonly databaseUrl: string | undefined;
  dispose(): Promise<void>;
}

/** Opens the service on `driver`, with `workers` workers polling every 0.5 s. */
export async function openTestService(
  driver: DriverName,
  options: Partial<ServiceOptions> = {},
): Promise<TestService> {
  const dataDir = await mkdtemp(join(tmpdir(), 'veil-api-jobs-'));
  let database: ScratchDatabase | undefined;
  if (driver === 'postgres') {
    if (SERVER_URL === undefined) throw new Error('unreachable: postgres is skipped');
    database = await scratchDatabase(SERVER_URL, 'veil_api', { service: true });
  } else {
    await servicePGlite(join(dataDir, 'pglite'));
  }
  const logs: string[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void logs.push(line) });
  const service = await openService({
    dataDir,
    ...(database === undefined ? {} : { databaseUrl: database.url }),
    authenticate,
    logger,
    workers: 1,
    pollingIntervalSeconds: 0.5,
    // Most tests never analyse through the pool: its threads start only if one does.
    detectionStart: 'on-demand',
    // Generous limits: the tests fire many requests from one principal.
    api: { rateLimit: { max: 100_000, windowMs: 60_000 } },
    ...options,
  });
  return {
    service,
    app: service.app,
    dataDir,
    logs,
    databaseUrl: database?.url,
    async dispose() {
      await service.close();
      await rm(dataDir, { recursive: true, force: true });
      await database?.drop();
    },
  };
}

/** Rows of a query run in the store's system scope (every tenant's rows), for assertions. */
export async function systemRows<T>(t: TestService, query: string): Promise<T[]> {
  return t.service.runtime.handle.db.transaction().execute(async (trx) => {
    await sql`select set_config('veil.tenant_id', '*', true)`.execute(trx);
    return (await sql.raw<T>(query).execute(trx)).rows;
  });
}

/** Polls `GET /v1/jobs/:id` until the job leaves queued/running; returns the status body. */
export async function waitForJob(
  app: FastifyInstance,
  jobId: string,
  tenant = 'acme',
  timeoutMs = 60_000,
): Promise<Record<string, unknown>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await app.inject({ method: 'GET', url: `/v1/jobs/${jobId}`, headers: as('auditor', tenant) });
    if (res.statusCode !== 200) throw new Error(`status of ${jobId}: ${res.statusCode} ${res.body}`);
    const body = res.json<Record<string, unknown>>();
    if (body.status !== 'queued' && body.status !== 'running') return body;
    if (Date.now() > deadline)
      throw new Error(`job ${jobId} stayed ${String(body.status)} for ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A valid job body for `text`. */
export function textJob(text: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    text,
    purpose: 'claims-intake',
    consent: { basis: 'contract', allow_manual_review: false },
    outputs: ['findings_summary', 'redacted'],
    retention_days: 7,
    ...extra,
  };
}

/**
 * The shipped default policy with one more purpose that also permits the `text` output (a full
 * transcript), which the default allows for no purpose.
 */
export async function policyWithFullText(purpose: string): Promise<Policy> {
  const shipped = await loadPolicy(DEFAULT_POLICY_PATH);
  return validatePolicy({
    ...shipped,
    purposes: {
      ...shipped.purposes,
      [purpose]: {
        outputs: ['findings_summary', 'redacted', 'fields', 'text'],
        review: 'with_consent',
        model: 'off',
        legal_basis: ['contract'],
        reveal_reasons: ['quality_review', 'other'],
      },
    },
  });
}

/**
 * Submits `bytes` as a multipart job (a `file` part and an `options` part) as `role` of `tenant`;
 * returns the job id.
 */
export async function submitFile(
  app: FastifyInstance,
  file: { readonly bytes: Uint8Array; readonly mediaType: string },
  options: Record<string, unknown>,
  headers: Record<string, string> = as('processor'),
): Promise<string> {
  const boundary = 'veil-file-boundary';
  const payload = Buffer.concat([
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="options"\r\n\r\n${JSON.stringify(options)}\r\n` +
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="document"\r\nContent-Type: ${file.mediaType}\r\n\r\n`,
    ),
    Buffer.from(file.bytes),
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  const res = await app.inject({
    method: 'POST',
    url: '/v1/jobs',
    headers: { ...headers, 'content-type': `multipart/form-data; boundary=${boundary}` },
    payload,
  });
  if (res.statusCode !== 202) throw new Error(`submit: ${res.statusCode} ${res.body}`);
  return res.json<{ job_id: string }>().job_id;
}
