/**
 * What every tenant repository shares: id checks, constraint errors a caller can act on, the store
 * context, and a base class whose transactions run under the tenant's row-level security scope.
 */
import type { Kysely } from 'kysely';
import { VeilError } from '../errors/veil-error.js';
import type { BlobStore } from './blob-store.js';
import { withTenantScope } from './database.js';
import type { Schema } from './schema.js';

const ID_PATTERN = /^[\x21-\x7e]{1,200}$/;

/**
 * Throws `VEIL_INVALID_INPUT` unless `value` is an id Veil accepts: 1-200 printable ASCII
 * characters without spaces (the keyring's rule, so ids are unambiguous in AADs and logs).
 *
 * @example
 * ```ts
 * checkId('tenantId', 'tenant-a');
 * ```
 */
export function checkId(name: string, value: string): void {
  if (typeof value !== 'string' || !ID_PATTERN.test(value))
    throw new VeilError(
      'VEIL_INVALID_INPUT',
      `store: ${name} must be 1-200 printable ASCII characters without spaces`,
    );
}

/** A PostgreSQL bigint or numeric as a JavaScript number. */
export function toNumber(value: string | number | bigint): number {
  return typeof value === 'number' ? value : Number(value);
}

function pgCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * Translates a constraint failure into a code a caller can act on (`VEIL_CONFLICT`,
 * `VEIL_NOT_FOUND`, `VEIL_INVALID_INPUT`); other errors pass through.
 *
 * @example
 * ```ts
 * try { await insert(); } catch (error) { throw constraintError(error, 'api key'); }
 * ```
 */
export function constraintError(error: unknown, what: string): unknown {
  switch (pgCode(error)) {
    case '23505':
      return new VeilError('VEIL_CONFLICT', `store: ${what} with this id already exists`, { cause: error });
    case '23503':
      return new VeilError('VEIL_NOT_FOUND', `store: ${what} refers to a tenant or job that does not exist`, {
        cause: error,
      });
    case '23514':
      return new VeilError(
        'VEIL_INVALID_INPUT',
        `store: ${what} breaks a constraint (an id, class or code is malformed)`,
        {
          cause: error,
        },
      );
    default:
      return error;
  }
}

/** What the repositories need: the database and, for artifact content, the blob store. */
export interface StoreContext {
  readonly db: Kysely<Schema>;
  readonly blobs: BlobStore;
}

/**
 * What every repository of one tenant shares: the store and the tenant, and a transaction in
 * which row-level security sees only that tenant's rows.
 */
export abstract class TenantRepository {
  protected readonly ctx: StoreContext;
  protected readonly tenantId: string;

  constructor(ctx: StoreContext, tenantId: string) {
    this.ctx = ctx;
    this.tenantId = tenantId;
  }

  protected scoped<T>(work: (trx: Kysely<Schema>) => Promise<T>): Promise<T> {
    return withTenantScope(this.ctx.db, this.tenantId, work);
  }
}
