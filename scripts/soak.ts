/**
 * `npm run soak -- --minutes N`: a real `veil serve` process on loopback under steady, mixed load
 * for N minutes (default 5; 30 is the target run): text jobs (SOAK_RATE a second, default 2),
 * redacted downloads, reveals with a reason, deletions with receipts, and audit reads (entries,
 * tree heads). Every minute it prints the server's RSS and heap (from its `/metrics`) and the
 * running counts; at the end it checks the audit log: `veil audit export` verifies with `veil audit
 * verify`, its entry count equals the signed tree size, and the events in it match what the soak
 * did (jobs created, reveals, deletions).
 *
 * On PostgreSQL (SOAK_PG_URL, default postgres://postgres@127.0.0.1:5432/test, a fresh database)
 * when it answers, else PGlite. Retention sweeps run when this build has them (`veil serve`'s own).
 */
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { mintDevelopmentToken } from '../src/access/index.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const { values } = parseArgs({ options: { minutes: { type: 'string', default: '5' } } });
const MINUTES = Number(values.minutes);
const RATE = Number(process.env.SOAK_RATE ?? 2);
const PG_URL = process.env.SOAK_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const TENANT = 'soak';

async function postgresAnswers(): Promise<boolean> {
  const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 1500 });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

async function admin(query: string): Promise<void> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    await client.query(query);
  } finally {
    await client.end();
  }
}

function cli(args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    cwd: ROOT,
    env: { ...process.env, VEIL_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
}

const dataDir = mkdtempSync(join(tmpdir(), 'veil-soak-'));
const usePg = await postgresAnswers();
const database = `veil_soak_${process.pid}`;
let databaseUrl: string | undefined;
if (usePg) {
  await admin(`create database ${database}`);
  const url = new URL(PG_URL);
  url.pathname = `/${database}`;
  databaseUrl = url.toString();
}
const env = {
  VEIL_DATA_DIR: dataDir,
  ...(databaseUrl === undefined ? { DATABASE_URL: '' } : { DATABASE_URL: databaseUrl }),
};
const server = cli(['serve', '--port', '0', '--data-dir', dataDir, '--workers', '2'], env);
const base = await new Promise<string>((resolve, reject) => {
  let err = '';
  server.stderr!.on('data', (chunk: Buffer) => {
    err += chunk.toString('utf8');
    const match = /listening on (http:\/\/\S+)/.exec(err);
    if (match !== null) resolve(match[1]!);
  });
  server.once('exit', (code) => reject(new Error(`veil serve exited (${code}): ${err.slice(0, 400)}`)));
});
const bearer = async (role: 'processor' | 'dpo' | 'auditor') => ({
  authorization: `Bearer ${await mintDevelopmentToken(dataDir, { role, tenant: TENANT })}`,
  'content-type': 'application/json',
});
const as = {
  processor: await bearer('processor'),
  dpo: await bearer('dpo'),
  auditor: await bearer('auditor'),
};

const counts = {
  submitted: 0,
  succeeded: 0,
  failed: 0,
  downloads: 0,
  reveals: 0,
  deletes: 0,
  auditReads: 0,
  errors: 0,
};
const errorKinds: Record<string, number> = {};
function error(kind: string): void {
  counts.errors += 1;
  errorKinds[kind] = (errorKinds[kind] ?? 0) + 1;
}

async function call(
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: unknown,
  expect = 200,
): Promise<unknown> {
  try {
    // A JSON content type only with a body: Fastify refuses an empty JSON body.
    const { 'content-type': _json, ...bare } = headers;
    const res = await fetch(`${base}${path}`, {
      method,
      ...(body === undefined ? { headers: bare } : { headers, body: JSON.stringify(body) }),
    });
    const text = await res.text();
    if (res.status !== expect) {
      let code = String(res.status);
      try {
        code = `${res.status} ${(JSON.parse(text) as { error: { code: string } }).error.code}`;
      } catch {
        // not an error body
      }
      error(`${method} ${path.replace(/[0-9a-f-]{36}/g, ':id')} -> ${code}`);
      return undefined;
    }
    return text.length > 0 && res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text;
  } catch {
    error(`${method} ${path.replace(/[0-9a-f-]{36}/g, ':id')} -> socket`);
    return undefined;
  }
}

function claim(n: number): string {
  return `Claim note ${n}. Please contact Jane Miller${n} at jane.${n}@example.org or 212-555-${String(1000 + (n % 9000)).padStart(4, '0')}; SSN 078-05-${String(1120 + (n % 8000)).padStart(4, '0')}. `.repeat(
    4,
  );
}

const pending = new Set<string>();
const finished: string[] = [];
let stopping = false;
const loops: Promise<void>[] = [];
const every = (ms: number, work: () => Promise<void>): void => {
  loops.push(
    (async () => {
      while (!stopping) {
        const started = Date.now();
        await work();
        await new Promise((r) => setTimeout(r, Math.max(0, ms - (Date.now() - started))));
      }
    })(),
  );
};

every(1000 / RATE, async () => {
  const res = (await call(
    'POST',
    '/v1/jobs',
    as.processor,
    {
      text: claim(counts.submitted),
      purpose: 'claims',
      consent: { basis: 'contract' },
      outputs: ['findings_summary', 'redacted'],
      retention_days: 1,
    },
    202,
  )) as { job_id: string } | undefined;
  counts.submitted += 1;
  if (res !== undefined) pending.add(res.job_id);
});
every(1000, async () => {
  for (const id of [...pending].slice(0, 20)) {
    const status = (await call('GET', `/v1/jobs/${id}`, as.processor)) as { status: string } | undefined;
    if (status === undefined || status.status === 'queued' || status.status === 'running') continue;
    pending.delete(id);
    if (status.status === 'succeeded') {
      counts.succeeded += 1;
      finished.push(id);
      if ((await call('GET', `/v1/jobs/${id}/redacted`, as.processor)) !== undefined) counts.downloads += 1;
    } else {
      counts.failed += 1;
      error(`job ${status.status}`);
    }
  }
});
every(5000, async () => {
  const id = finished.at(-1);
  if (id === undefined) return;
  if (
    (await call('POST', `/v1/jobs/${id}/reveal`, as.dpo, {
      reason: { code: 'data_subject_request', ticket: `DSR-${counts.reveals}` },
    })) !== undefined
  )
    counts.reveals += 1;
});
every(10_000, async () => {
  const id = finished.shift();
  if (id === undefined) return;
  if ((await call('DELETE', `/v1/jobs/${id}`, as.processor)) !== undefined) counts.deletes += 1;
});
every(1000, async () => {
  if ((await call('GET', '/v1/audit/entries?limit=100', as.auditor)) !== undefined) counts.auditReads += 1;
  if ((await call('GET', '/v1/audit/sth', as.auditor)) !== undefined) counts.auditReads += 1;
});

async function memory(): Promise<{ rss: number; heap: number }> {
  const text = (await (await fetch(`${base}/metrics`)).text()).split('\n');
  const value = (name: string) =>
    Number(text.find((l) => l.startsWith(`${name} `))?.split(' ')[1] ?? NaN) / 1024 / 1024;
  return {
    rss: value('veil_process_resident_memory_bytes'),
    heap: value('veil_nodejs_heap_size_used_bytes'),
  };
}

console.log(
  `soak: ${MINUTES} min against veil serve on ${usePg ? 'PostgreSQL' : 'PGlite'} (2 embedded workers per step), ${RATE} jobs/s, reveals every 5 s, deletions every 10 s, audit reads every second`,
);
console.log('minute  rss MB  heap MB  submitted  succeeded  failed  reveals  deletes  audit reads  errors');
const start = Date.now();
const samples: Array<{ rss: number; heap: number }> = [];
for (let minute = 0; minute <= MINUTES; minute += 1) {
  if (minute > 0) await new Promise((r) => setTimeout(r, start + minute * 60_000 - Date.now()));
  const m = await memory();
  samples.push(m);
  console.log(
    `${String(minute).padStart(6)}  ${m.rss.toFixed(0).padStart(6)}  ${m.heap.toFixed(0).padStart(7)}  ${String(counts.submitted).padStart(9)}  ${String(counts.succeeded).padStart(9)}  ` +
      `${String(counts.failed).padStart(6)}  ${String(counts.reveals).padStart(7)}  ${String(counts.deletes).padStart(7)}  ${String(counts.auditReads).padStart(11)}  ${String(counts.errors).padStart(6)}`,
  );
}
stopping = true;
await Promise.all(loops);
// Let the last jobs finish before the server stops, so the log is complete.
for (let i = 0; i < 60 && pending.size > 0; i += 1) {
  for (const id of [...pending]) {
    const status = (await call('GET', `/v1/jobs/${id}`, as.processor)) as { status: string } | undefined;
    if (status !== undefined && status.status !== 'queued' && status.status !== 'running') {
      pending.delete(id);
      if (status.status === 'succeeded') counts.succeeded += 1;
      else counts.failed += 1;
    }
  }
  await new Promise((r) => setTimeout(r, 500));
}
const sth = (await call('GET', '/v1/audit/sth', as.auditor)) as { tree_size: number } | undefined;
await new Promise<void>((resolve) => {
  server.once('exit', () => resolve());
  server.kill('SIGTERM');
});

const exportFile = join(dataDir, 'audit-export.jsonl');
const exported = spawnSync(
  process.execPath,
  [
    '--import',
    'tsx',
    'src/cli/main.ts',
    'audit',
    'export',
    '--tenant',
    TENANT,
    '-o',
    exportFile,
    '--data-dir',
    dataDir,
  ],
  { cwd: ROOT, env: { ...process.env, ...env }, encoding: 'utf8' },
);
const verified = spawnSync(
  process.execPath,
  ['--import', 'tsx', 'src/cli/main.ts', 'audit', 'verify', exportFile],
  { cwd: ROOT, env: { ...process.env, ...env }, encoding: 'utf8' },
);
const lines =
  exported.status === 0
    ? readFileSync(exportFile, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map(
          (l) =>
            JSON.parse(l) as { type: string; event?: { action: string }; tree_head?: { tree_size: number } },
        )
    : [];
const entries = lines.flatMap((l) => (l.type === 'entry' && l.event ? [{ event: l.event }] : []));
const lastHead = lines
  .flatMap((l) => (l.type === 'tree_head' && l.tree_head ? [l.tree_head.tree_size] : []))
  .reduce((a, b) => Math.max(a, b), 0);
const byAction: Record<string, number> = {};
for (const e of entries) byAction[e.event.action] = (byAction[e.event.action] ?? 0) + 1;
const accepted =
  counts.submitted -
  Object.entries(errorKinds)
    .filter(([k]) => k.startsWith('POST /v1/jobs ->'))
    .reduce((a, [, n]) => a + n, 0);

const rss = samples.map((s) => s.rss);
const heap = samples.map((s) => s.heap);
console.log(
  `memory: rss ${Math.min(...rss).toFixed(0)}–${Math.max(...rss).toFixed(0)} MB (first ${rss[0]!.toFixed(0)}, last ${rss.at(-1)!.toFixed(0)}), heap ${Math.min(...heap).toFixed(0)}–${Math.max(...heap).toFixed(0)} MB (first ${heap[0]!.toFixed(0)}, last ${heap.at(-1)!.toFixed(0)})`,
);
console.log(
  `errors: ${counts.errors}${counts.errors > 0 ? ` ${JSON.stringify(errorKinds)}` : ''}; jobs ${counts.succeeded} succeeded, ${counts.failed} failed, ${pending.size} unfinished`,
);
const checks = [
  [`audit export written (${entries.length} entries)`, exported.status === 0],
  [`veil audit verify: ${verified.stdout.trim().split('\n')[0] ?? ''}`, verified.status === 0],
  // The retention sweeper goes on writing until the server stops, so the head read before shutdown
  // covers a prefix of the log; the newest head in the export, signed at shutdown, covers all of it.
  [
    `tree size ${sth?.tree_size ?? '?'} (signed head read before shutdown) <= entries in the export ${entries.length}`,
    sth !== undefined && sth.tree_size <= entries.length,
  ],
  [
    `newest signed head in the export covers every entry: tree size ${lastHead} = ${entries.length}`,
    lastHead === entries.length,
  ],
  [
    `job.created events ${byAction['job.created'] ?? 0} = jobs accepted ${accepted}`,
    (byAction['job.created'] ?? 0) === accepted,
  ],
  [
    `job.reveal events ${byAction['job.reveal'] ?? 0} = reveals ${counts.reveals}`,
    (byAction['job.reveal'] ?? 0) === counts.reveals,
  ],
  [
    `job.deleted events ${byAction['job.deleted'] ?? 0} = deletions ${counts.deletes}`,
    (byAction['job.deleted'] ?? 0) === counts.deletes,
  ],
] as const;
for (const [what, ok] of checks) console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
console.log(`events by action: ${JSON.stringify(byAction)}`);
rmSync(dataDir, { recursive: true, force: true });
if (databaseUrl !== undefined) await admin(`drop database if exists ${database} with (force)`);
process.exitCode = checks.every(([, ok]) => ok) && counts.errors === 0 ? 0 : 1;
