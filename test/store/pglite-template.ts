/**
 * A migrated PGlite data directory, made once per schema and copied for each fresh test database.
 * A fresh PGlite runs initdb and every migration (about 3 s of CPU); opening a copy of a migrated,
 * cleanly closed cluster costs a tenth of that. The templates live in the temp directory under a
 * name hashing the migrations and the PGlite version, so every test process shares them and a
 * schema change makes new ones. The service template also holds pg-boss's schema and the job
 * queues (installing them costs about 0.7 CPU s per service opened), so its name also hashes
 * pg-boss's version and the queue settings.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { cp, mkdir, rename, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openRuntime } from '../../src/runtime/runtime.js';
import { openDatabase } from '../../src/store/database.js';
import { repoUrl } from '../repo-paths.js';

type TemplateKind = 'migrated' | 'service';

const SCHEMA_SOURCES: Record<TemplateKind, readonly string[]> = {
  migrated: ['src/store/migrations.ts', 'node_modules/@electric-sql/pglite/package.json'],
  service: [
    'src/store/migrations.ts',
    'node_modules/@electric-sql/pglite/package.json',
    'node_modules/pg-boss/package.json',
    'src/pipeline/jobs/queues.ts',
  ],
};

/**
 * The temp directory as the process started: a test that points TMPDIR at a private directory for a
 * while (the canary test) still finds the shared templates.
 */
const TEMPLATES_DIR = tmpdir();

function templatePath(kind: TemplateKind): string {
  const hash = createHash('sha256');
  for (const source of SCHEMA_SOURCES[kind]) hash.update(readFileSync(repoUrl(source)));
  const name = kind === 'migrated' ? 'veil-pglite-template' : 'veil-pglite-service-template';
  return join(TEMPLATES_DIR, `${name}-${hash.digest('hex').slice(0, 16)}`);
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

const ready = new Map<TemplateKind, Promise<string>>();

/** Builds the template once: in a directory of its own, renamed into place when complete. */
function template(kind: TemplateKind): Promise<string> {
  let building = ready.get(kind);
  if (building === undefined) {
    building = (async () => {
      const path = templatePath(kind);
      if (await exists(path)) return path;
      const scratch = `${path}.${process.pid}.${randomBytes(4).toString('hex')}`;
      const dataDir = join(scratch, 'pglite');
      try {
        if (kind === 'migrated') {
          const handle = await openDatabase({ driver: 'pglite', dataDir });
          await handle.close();
        } else {
          // What `openService` opens: the migrated database, pg-boss's schema and the job queues.
          const runtime = await openRuntime({ dataDir: scratch });
          await runtime.close();
        }
        // Another process may have won the race; its template is as good as this one.
        await rename(dataDir, path).catch(async (error: NodeJS.ErrnoException) => {
          if (!(await exists(path))) throw error;
        });
      } finally {
        await rm(scratch, { recursive: true, force: true });
      }
      return path;
    })();
    ready.set(kind, building);
  }
  return building;
}

async function copyTemplate(kind: TemplateKind, dataDir: string): Promise<void> {
  const path = await template(kind);
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  await cp(path, dataDir, { recursive: true });
}

/**
 * Fills `dataDir` (absent, or empty) with a copy of a migrated PGlite cluster, so
 * `openDatabase({ driver: 'pglite', dataDir })` opens it instead of creating one.
 *
 * @example
 * ```ts
 * await migratedPGlite(join(dir, 'pglite'));
 * const handle = await openDatabase({ driver: 'pglite', dataDir: join(dir, 'pglite') });
 * ```
 */
export function migratedPGlite(dataDir: string): Promise<void> {
  return copyTemplate('migrated', dataDir);
}

/**
 * Like {@link migratedPGlite}, with pg-boss's schema and the job queues installed too: for a
 * service (`openService`, `openRuntime`) on `<dataDir>/..`, which then finds them in place.
 *
 * @example
 * ```ts
 * await servicePGlite(join(dir, 'pglite'));
 * const service = await openService({ dataDir: dir, authenticate });
 * ```
 */
export function servicePGlite(dataDir: string): Promise<void> {
  return copyTemplate('service', dataDir);
}
