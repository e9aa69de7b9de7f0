/** What the job benchmarks share: their 5 KB text, a statement on the admin database and scratch databases. */
import pg from 'pg';

/** About 5 KB of clinical-note prose with an e-mail, a phone number, an SSN and a name every ~300 bytes. */
export function jobText(seed: number): string {
  const parts: string[] = [];
  for (let i = 0; parts.join('').length < 5000; i += 1) {
    const n = seed * 100 + i;
    parts.push(
      `Visit ${n}: the patient reported steady improvement and asked for a follow-up next month. `,
      `Contact person${n}@example.org or call 212-555-${String(1000 + (n % 9000)).padStart(4, '0')}. `,
      `Referred by Dr. Maria Keller; SSN on file 078-05-${String(1120 + (n % 8000)).padStart(4, '0')}. `,
    );
  }
  return parts.join('').slice(0, 5120);
}

/** Runs one statement (create or drop a database) on the server at `url`. */
export async function adminQuery(url: string, query: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(query);
  } finally {
    await client.end();
  }
}

/**
 * Creates database `name` on the server at `adminUrl` and returns its URL (the admin URL with the
 * database swapped in).
 *
 * @example
 * ```ts
 * const url = await createScratchDatabase('postgres://127.0.0.1/test', `veil_bench_${process.pid}`);
 * ```
 */
export async function createScratchDatabase(adminUrl: string, name: string): Promise<string> {
  await adminQuery(adminUrl, `create database ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}
