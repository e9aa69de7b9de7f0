/**
 * A real S3-compatible server for the tests: s3rver, listening on a loopback port and keeping
 * its objects as files in a temp directory, which the tests read to check what reached the
 * store. It knows one account (access key `S3RVER`): another key is refused with
 * `InvalidAccessKeyId`. It does not verify SigV4 signatures, so a wrong secret with the right key
 * id is accepted; the refusal tests use an unknown key id.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';

/** The credentials s3rver accepts. */
export const S3_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;

export interface TestS3Server {
  /** `http://127.0.0.1:PORT`. */
  readonly endpoint: string;
  /** Where the server keeps buckets and objects on disk. */
  readonly directory: string;
  /** Every stored object's bytes under a bucket, by file path (s3rver's own files). */
  storedObjects(bucket: string): Promise<Map<string, Buffer>>;
  close(): Promise<void>;
}

/**
 * Starts s3rver with the given buckets.
 *
 * @example
 * ```ts
 * const s3 = await startS3Server(['veil-blobs']);
 * try { ... } finally { await s3.close(); }
 * ```
 */
export async function startS3Server(buckets: readonly string[]): Promise<TestS3Server> {
  const directory = await mkdtemp(join(tmpdir(), 'veil-s3rver-'));
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory,
    configureBuckets: buckets.map((name) => ({ name, configs: [] })),
  });
  const { port } = await server.run();
  return {
    endpoint: `http://127.0.0.1:${port}`,
    directory,
    async storedObjects(bucket) {
      const found = new Map<string, Buffer>();
      const entries = await readdir(join(directory, bucket), { recursive: true, withFileTypes: true });
      for (const entry of entries)
        if (entry.isFile() && entry.name.endsWith('._S3rver_object')) {
          const path = join(entry.parentPath, entry.name);
          found.set(path, await readFile(path));
        }
      return found;
    },
    async close() {
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
