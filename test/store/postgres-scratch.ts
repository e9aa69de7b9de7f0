/**
 * Scratch databases on the test PostgreSQL server: one per test run, named so parallel runs never
 * collide, dropped (with any session still on it) when the test is done. A migrated one is cloned
 * from a template database made once per schema (`create database … template …`), which costs a
 * file copy instead of every migration; the template's name hashes the migrations, so a schema
 * change makes a new one.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { openDatabase } from '../../src/store/database.js';

/** A database of its own on the server: its URL, its name, and how to drop it. */
export interface ScratchDatabase {
  readonly name: string;
  readonly url: string;
  drop(): Promise<void>;
}

const TEMPLATE = `veil_tpl_${createHash('sha256')
  .update(readFileSync(new URL('../../src/store/migrations.ts', import.meta.url)))
  .digest('hex')
  .slice(0, 16)}`;

function withDatabase(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

async function admin<T>(serverUrl: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

let templateReady: Promise<void> | undefined;

/** Builds the migrated template once: migrated under a name of its own, renamed into place. */
function template(serverUrl: string): Promise<void> {
  templateReady ??= (async () => {
    const found = await admin(serverUrl, (c) =>
      c.query('select 1 from pg_database where datname = $1', [TEMPLATE]),
    );
    if (found.rowCount !== 0) return;
    const building = `${TEMPLATE}_${process.pid}_${randomBytes(4).toString('hex')}`;
    await admin(serverUrl, (c) => c.query(`create database ${building}`));
    try {
      const handle = await openDatabase({
        driver: 'postgres',
        connectionString: withDatabase(serverUrl, building),
      });
      await handle.close();
      await admin(serverUrl, (c) => c.query(`alter database ${building} rename to ${TEMPLATE}`)).catch(
        (error: { code?: string }) => {
          // Another run made the template first (duplicate_database); its copy is as good.
          if (error.code !== '42P04') throw error;
        },
      );
    } finally {
      await admin(serverUrl, (c) => c.query(`drop database if exists ${building} with (force)`));
    }
  })();
  return templateReady;
}

/**
 * A fresh database named `<prefix>_<pid>_<random>`, empty, or with every migration applied when
 * `migrated` is set.
 *
 * @example
 * ```ts
 * const db = await scratchDatabase(serverUrl, 'veil_test', { migrated: true });
 * const handle = await openDatabase({ driver: 'postgres', connectionString: db.url });
 * await db.drop();
 * ```
 */
export async function scratchDatabase(
  serverUrl: string,
  prefix: string,
  options: { readonly migrated?: boolean } = {},
): Promise<ScratchDatabase> {
  if (options.migrated === true) await template(serverUrl);
  const name = `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`;
  await admin(serverUrl, (c) =>
    c.query(`create database ${name}${options.migrated === true ? ` template ${TEMPLATE}` : ''}`),
  );
  return {
    name,
    url: withDatabase(serverUrl, name),
    drop: () =>
      admin(serverUrl, (c) => c.query(`drop database if exists ${name} with (force)`)).then(() => {}),
  };
}
