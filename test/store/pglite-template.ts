/**
 * A migrated PGlite data directory, made once per schema and copied for each fresh test database.
 * A fresh PGlite runs initdb and every migration (about 3 s of CPU); opening a copy of a migrated,
 * cleanly closed cluster costs a tenth of that. The template lives in the temp directory under a
 * name hashing the migrations and the PGlite version, so every test process shares it and a
 * schema change makes a new one.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { cp, mkdir, rename, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../../src/store/database.js';

function templateKey(): string {
  const hash = createHash('sha256');
  hash.update(readFileSync(new URL('../../src/store/migrations.ts', import.meta.url)));
  hash.update(readFileSync(new URL('../../node_modules/@electric-sql/pglite/package.json', import.meta.url)));
  return hash.digest('hex').slice(0, 16);
}

const TEMPLATE = join(tmpdir(), `veil-pglite-template-${templateKey()}`);

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

let ready: Promise<void> | undefined;

/** Builds the template once: in a directory of its own, renamed into place when complete. */
function template(): Promise<void> {
  ready ??= (async () => {
    if (await exists(TEMPLATE)) return;
    const building = `${TEMPLATE}.${process.pid}.${randomBytes(4).toString('hex')}`;
    try {
      const handle = await openDatabase({ driver: 'pglite', dataDir: building });
      await handle.close();
      // Another process may have won the race; its template is as good as this one.
      await rename(building, TEMPLATE).catch(async (error: NodeJS.ErrnoException) => {
        if (!(await exists(TEMPLATE))) throw error;
      });
    } finally {
      await rm(building, { recursive: true, force: true });
    }
  })();
  return ready;
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
export async function migratedPGlite(dataDir: string): Promise<void> {
  await template();
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  await cp(TEMPLATE, dataDir, { recursive: true });
}
