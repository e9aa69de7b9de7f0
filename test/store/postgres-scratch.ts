/**
 * Scratch databases on the test PostgreSQL server: one per test run, named so parallel runs never
 * collide, dropped (with any session still on it) when the test is done. A migrated one is cloned
 * from a template database made once per schema (`create database … template …`), which costs a
 * file copy instead of every migration; the template's name hashes the migrations, so a schema
 * change makes a new one.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openRuntime } from '../../src/runtime/runtime.js';
import { openDatabase } from '../../src/store/database.js';
import { repoUrl } from '../repo-paths.js';

/** A database of its own on the server: its URL, its name, and how to drop it. */
export interface ScratchDatabase {
  readonly name: string;
  readonly url: string;
  drop(): Promise<void>;
}

function schemaHash(sources: readonly string[]): string {
  const hash = createHash('sha256');
  for (const source of sources) hash.update(readFileSync(repoUrl(source)));
  return hash.digest('hex').slice(0, 16);
}

const MIGRATIONS = 'src/store/migrations.ts';
/** The migrated template; the service template also holds pg-boss's schema and the job queues. */
const TEMPLATES = {
  migrated: `veil_tpl_${schemaHash([MIGRATIONS])}`,
  service: `veil_svc_tpl_${schemaHash([MIGRATIONS, 'node_modules/pg-boss/package.json', 'src/pipeline/jobs/queues.ts'])}`,
} as const;
type TemplateKind = keyof typeof TEMPLATES;

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

const templatesReady = new Map<TemplateKind, Promise<string>>();

/** Fills the database at `url` as the template `kind` holds it. */
async function install(kind: TemplateKind, url: string): Promise<void> {
  if (kind === 'migrated') {
    const handle = await openDatabase({ driver: 'postgres', connectionString: url });
    await handle.close();
    return;
  }
  // What `openService` opens: the migrated database, pg-boss's schema and the job queues.
  const dataDir = await mkdtemp(join(tmpdir(), 'veil-pg-template-'));
  try {
    const runtime = await openRuntime({ dataDir, databaseUrl: url });
    await runtime.close();
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** Builds a template once: filled under a name of its own, renamed into place. */
function template(serverUrl: string, kind: TemplateKind): Promise<string> {
  const name = TEMPLATES[kind];
  let ready = templatesReady.get(kind);
  if (ready === undefined) {
    ready = (async () => {
      const found = await admin(serverUrl, (c) =>
        c.query('select 1 from pg_database where datname = $1', [name]),
      );
      if (found.rowCount !== 0) return name;
      const building = `${name}_${process.pid}_${randomBytes(4).toString('hex')}`;
      await admin(serverUrl, (c) => c.query(`create database ${building}`));
      try {
        await install(kind, withDatabase(serverUrl, building));
        await admin(serverUrl, (c) => c.query(`alter database ${building} rename to ${name}`)).catch(
          (error: { code?: string }) => {
            // Another run made the template first (duplicate_database); its copy is as good.
            if (error.code !== '42P04') throw error;
          },
        );
      } finally {
        await admin(serverUrl, (c) => c.query(`drop database if exists ${building} with (force)`));
      }
      return name;
    })();
    templatesReady.set(kind, ready);
  }
  return ready;
}

/**
 * A fresh database named `<prefix>_<pid>_<random>`, empty, or with every migration applied when
 * `migrated` is set, or also with pg-boss's schema and the job queues when `service` is set.
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
  options: { readonly migrated?: boolean; readonly service?: boolean } = {},
): Promise<ScratchDatabase> {
  const kind: TemplateKind | undefined =
    options.service === true ? 'service' : options.migrated === true ? 'migrated' : undefined;
  const source = kind === undefined ? undefined : await template(serverUrl, kind);
  const name = `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`;
  await admin(serverUrl, (c) =>
    c.query(`create database ${name}${source === undefined ? '' : ` template ${source}`}`),
  );
  return {
    name,
    url: withDatabase(serverUrl, name),
    drop: () =>
      admin(serverUrl, (c) => c.query(`drop database if exists ${name} with (force)`)).then(() => {}),
  };
}
