/**
 * The database drivers every store test runs over: PGlite always (a temp data directory), and
 * the PostgreSQL server on this machine when it answers, in a database of its own per run so
 * parallel runs never collide.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openDatabase } from '../../src/store/database.js';
import type { DatabaseHandle, OpenDatabaseOptions } from '../../src/store/database.js';
import { migratedPGlite } from './pglite-template.js';
import { scratchDatabase } from './postgres-scratch.js';

export interface TestDatabase {
  readonly handle: DatabaseHandle;
  /** Closes the handle and removes the data directory or drops the database. */
  dispose(): Promise<void>;
}

export interface TestDriver {
  readonly name: 'pglite' | 'postgres';
  /** A reason to skip this driver, or false. */
  readonly skip: string | false;
  /** A fresh, empty database (migrated unless `options.migrate` is false). */
  open(options?: OpenDatabaseOptions): Promise<TestDatabase>;
}

const SERVER_URLS = ['postgres://root@127.0.0.1:5432/test', 'postgres://postgres@127.0.0.1:5432/test'];

/** The first local PostgreSQL that answers (trust auth), or undefined: its tests then skip. */
export async function findServer(): Promise<string | undefined> {
  for (const url of SERVER_URLS) {
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1500 });
    try {
      await client.connect();
      await client.query('select 1');
      return url;
    } catch {
      // Try the next candidate; none answering means the driver is skipped.
    } finally {
      await client.end().catch(() => {});
    }
  }
  return undefined;
}

const serverUrl = await findServer();

export const DRIVERS: readonly TestDriver[] = [
  {
    name: 'pglite',
    skip: false,
    async open(options) {
      const dir = await mkdtemp(join(tmpdir(), 'veil-store-'));
      // A migrated database starts from the shared template; an unmigrated one from initdb.
      if (options?.migrate !== false) await migratedPGlite(join(dir, 'pglite'));
      const handle = await openDatabase({ driver: 'pglite', dataDir: join(dir, 'pglite') }, options);
      return {
        handle,
        async dispose() {
          await handle.close();
          await rm(dir, { recursive: true, force: true });
        },
      };
    },
  },
  {
    name: 'postgres',
    skip:
      serverUrl === undefined
        ? `no PostgreSQL answers at ${SERVER_URLS.join(' or ')} (trust auth expected); PostgreSQL tests skipped`
        : false,
    async open(options) {
      if (serverUrl === undefined) throw new Error('unreachable: the postgres driver is skipped');
      // A migrated database is cloned from the shared template; an unmigrated one starts empty.
      const database = await scratchDatabase(serverUrl, 'veil_test', {
        migrated: options?.migrate !== false,
      });
      const handle = await openDatabase(
        { driver: 'postgres', connectionString: database.url, maxConnections: 4 },
        options,
      );
      return {
        handle,
        async dispose() {
          await handle.close();
          await database.drop();
        },
      };
    },
  },
];
