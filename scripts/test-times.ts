/**
 * Where the test suite's time goes: runs each test file in its own `node --test` process and prints
 * a table sorted slowest first (file, wall seconds, CPU seconds, tests, failures), with the load
 * average at the start and the end. On a shared machine the wall time moves with the load; the CPU
 * time (user + system, from `/usr/bin/time` when installed) moves much less.
 *
 * It runs the compiled files `npm test` runs (`.build/`, which `npm run test:times` builds first), or
 * the sources through tsx with `--tsx`.
 *
 * Usage: `npm run test:times -- [--jobs N] [--json FILE] [--tsx] [path filter ...]`
 * (`--jobs` runs N files at once; the default 1 matches `node --test` on two cores).
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

interface FileTiming {
  file: string;
  seconds: number;
  /** User plus system CPU seconds of the file's processes, when `/usr/bin/time` measured them. */
  cpuSeconds: number | undefined;
  tests: number;
  failed: number;
  exitCode: number | null;
}

async function testFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((entry) => entry.isFile() && entry.name.endsWith('.test.ts'))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

/** The count on the TAP summary line `# NAME N`, or 0. */
function summaryCount(tap: string, name: string): number {
  const match = new RegExp(`^# ${name} (\\d+)$`, 'm').exec(tap);
  return match === null ? 0 : Number(match[1]);
}

const TIME = '/usr/bin/time';

/**
 * The node flags `npm test` runs each file with (package.json): `--liftoff-only` keeps WebAssembly
 * on V8's baseline compiler, which spares every file that opens PGlite the optimising compiler's
 * work on PostgreSQL's code (1 to 3 CPU s a file).
 */
const NODE_FLAGS = ['--expose-gc', '--liftoff-only'];

/** The temp directory `npm test` gives the files (a memory file system when there is one). */
const TEST_TMPDIR = execFileSync('sh', ['scripts/test-tmpdir.sh'], { encoding: 'utf8' }).trim();

/** The compiled test file `tsc -p tsconfig.test.json` writes for a test source. */
function compiled(file: string): string {
  return join('.build', file.replace(/\.ts$/, '.js'));
}

async function timeFile(file: string, scratch: string, tsx: boolean): Promise<FileTiming> {
  const loader = tsx ? ['--import', 'tsx', file] : [compiled(file)];
  const node = [process.execPath, ...NODE_FLAGS, '--test', '--test-reporter=tap', ...loader];
  const cpuFile = join(scratch, `${file.replaceAll('/', '_')}.cpu`);
  const measured = existsSync(TIME);
  const [command, ...args] = measured ? [TIME, '-f', '%U %S', '-o', cpuFile, ...node] : node;
  const started = performance.now();
  const child = spawn(command!, args, {
    stdio: ['ignore', 'pipe', 'ignore'],
    env: { ...process.env, TMPDIR: TEST_TMPDIR },
  });
  let tap = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => (tap += chunk));
  const exitCode = await new Promise<number | null>((resolve) => child.on('close', resolve));
  const seconds = (performance.now() - started) / 1000;
  let cpuSeconds: number | undefined;
  if (measured) {
    // The last line: a child killed by a signal adds a line before it.
    const last = (await readFile(cpuFile, 'utf8')).trim().split('\n').at(-1) ?? '';
    const [user, system] = last.split(' ').map(Number);
    if (Number.isFinite(user) && Number.isFinite(system)) cpuSeconds = user! + system!;
  }
  return {
    file,
    seconds,
    cpuSeconds,
    tests: summaryCount(tap, 'tests'),
    failed: summaryCount(tap, 'fail') + summaryCount(tap, 'cancelled'),
    exitCode,
  };
}

function cpu(timing: FileTiming): string {
  return timing.cpuSeconds === undefined ? '-' : timing.cpuSeconds.toFixed(1);
}

function load(): string {
  return loadavg()
    .map((value) => value.toFixed(2))
    .join(' ');
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  let jobs = 1;
  let jsonOut: string | undefined;
  let tsx = false;
  const filters: string[] = [];
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i] ?? '';
    if (arg === '--jobs') jobs = Number(args[(i += 1)]);
    else if (arg === '--json') jsonOut = args[(i += 1)];
    else if (arg === '--tsx') tsx = true;
    else filters.push(arg);
  }
  const files = (await testFiles('test')).filter(
    (file) => filters.length === 0 || filters.some((filter) => file.includes(filter)),
  );
  process.stderr.write(
    `${files.length} files, ${jobs} at a time, ${tsx ? 'through tsx' : 'compiled'}, temp files in ${TEST_TMPDIR}; load average ${load()}\n`,
  );
  const scratch = await mkdtemp(join(tmpdir(), 'veil-test-times-'));
  const started = performance.now();
  const timings: FileTiming[] = [];
  const queue = [...files];
  await Promise.all(
    Array.from({ length: Math.max(1, jobs) }, async () => {
      for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
        const timing = await timeFile(file, scratch, tsx);
        timings.push(timing);
        process.stderr.write(
          `  ${timing.seconds.toFixed(1).padStart(6)}s ${cpu(timing).padStart(6)}s CPU ${file}\n`,
        );
      }
    }),
  );
  const wall = (performance.now() - started) / 1000;
  await rm(scratch, { recursive: true, force: true });
  timings.sort((a, b) => b.seconds - a.seconds);
  const width = Math.max(...timings.map((t) => t.file.length), 4);
  const lines = [`${'file'.padEnd(width)}  seconds      cpu  tests  failed`];
  for (const t of timings)
    lines.push(
      `${t.file.padEnd(width)}  ${t.seconds.toFixed(1).padStart(7)}  ${cpu(t).padStart(7)}  ${String(
        t.tests,
      ).padStart(5)}  ${String(t.failed).padStart(6)}${t.exitCode === 0 ? '' : `  (exit ${t.exitCode})`}`,
    );
  const sum = timings.reduce((total, t) => total + t.seconds, 0);
  const cpuSum = timings.reduce((total, t) => total + (t.cpuSeconds ?? 0), 0);
  const tests = timings.reduce((total, t) => total + t.tests, 0);
  const failed = timings.reduce((total, t) => total + t.failed, 0);
  lines.push(
    `${timings.length} files, ${tests} tests, ${failed} failed; ${sum.toFixed(0)} s summed, ${wall.toFixed(
      0,
    )} s wall, ${cpuSum.toFixed(0)} s CPU; load average ${load()}`,
  );
  process.stdout.write(`${lines.join('\n')}\n`);
  if (jsonOut !== undefined) await writeFile(jsonOut, JSON.stringify(timings, null, 2));
  if (failed > 0 || timings.some((t) => t.exitCode !== 0)) process.exitCode = 1;
}

await main();
