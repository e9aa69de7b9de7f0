/**
 * A throwaway PostgreSQL server of the test's own (initdb into a temp directory, a free port on
 * 127.0.0.1), so a test can stop and start it mid-run without touching the shared server. Run as
 * the `postgres` user when the test runs as root (PostgreSQL refuses to run as root).
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const BIN = '/usr/lib/postgresql/15/bin';

/** Why the own server cannot run here, or false. */
export const ownPostgresSkip: string | false = existsSync(join(BIN, 'pg_ctl'))
  ? false
  : `PostgreSQL server binaries not found in ${BIN}; the restart test is skipped`;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (typeof address !== 'object' || address === null) throw new Error('no port');
  return address.port;
}

export interface OwnPostgres {
  /** `postgres://postgres@127.0.0.1:PORT/postgres`. */
  readonly url: string;
  /** Stops the server abruptly (`-m immediate`: no checkpoint, clients cut, recovery on start). */
  crash(): Promise<void>;
  start(): Promise<void>;
  /** Stops it and removes its directory. */
  dispose(): Promise<void>;
}

/**
 * Creates and starts the server.
 *
 * @example
 * ```ts
 * const server = await startOwnPostgres();
 * await server.crash(); await server.start();
 * await server.dispose();
 * ```
 */
export async function startOwnPostgres(): Promise<OwnPostgres> {
  const base = await mkdtemp(join(tmpdir(), 'veil-own-pg-'));
  const root = userInfo().uid === 0;
  const as = async (command: string, args: string[]): Promise<void> => {
    if (root) await run('runuser', ['-u', 'postgres', '--', join(BIN, command), ...args]);
    else await run(join(BIN, command), args);
  };
  if (root) {
    const { uid, gid } = await run('id', ['-u', 'postgres']).then(async ({ stdout }) => ({
      uid: Number(stdout.trim()),
      gid: Number((await run('id', ['-g', 'postgres'])).stdout.trim()),
    }));
    await chown(base, uid, gid);
  }
  const data = join(base, 'data');
  const port = await freePort();
  await as('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']);
  const options = `-p ${port} -k ${base} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=100`;
  const start = () => as('pg_ctl', ['-D', data, '-o', options, '-l', join(base, 'log'), '-w', 'start']);
  await start();
  let stopped = false;
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    async crash() {
      await as('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
    },
    start,
    async dispose() {
      if (!stopped) await as('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']).catch(() => {});
      stopped = true;
      await rm(base, { recursive: true, force: true });
    },
  };
}
