/**
 * `veil --version`, `veil --help` and a command load only their own code: each command module
 * imports commander and light helpers at load, and its action imports what it runs
 * (src/cli/run.ts). Each case spawns the real binary with a module hook that records every module
 * it loads, so a static import of a heavy module in any command fails here by name.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { veilNodeArgs } from '../veil-process.js';
import { tempDir } from '../temp-dir.js';

/** Appends the URL of every module loaded after it is registered to the file VEIL_TEST_LOAD_LOG names. */
const RECORD_LOADS = `
import { appendFileSync } from 'node:fs';
export async function load(url, context, next) {
  appendFileSync(process.env.VEIL_TEST_LOAD_LOG, url + '\\n');
  return next(url, context);
}`;
const REGISTER = `data:text/javascript,${encodeURIComponent(
  `import { register } from 'node:module'; register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(RECORD_LOADS)}`)});`,
)}`;

interface Loads {
  /** The packages loaded, by name (`commander`, `@scope/name`). */
  readonly packages: ReadonlySet<string>;
  /** Veil's own modules loaded, relative to `src/` without extension (`cli/run`). */
  readonly modules: readonly string[];
  readonly stdout: string;
}

/** Runs `veil ARGS` as its own process and answers what it printed and which modules it loaded. */
function veilLoads(args: readonly string[]): Loads {
  const log = join(tempDir('veil-loads-'), 'loads.txt');
  const [first, ...rest] = veilNodeArgs(args);
  // After tsx's `--import` when the tests run from source: only modules loaded for veil count.
  const nodeArgs =
    first === '--import'
      ? [first, rest[0]!, '--import', REGISTER, ...rest.slice(1)]
      : ['--import', REGISTER, first!, ...rest];
  const run = spawnSync(process.execPath, nodeArgs, {
    encoding: 'utf8',
    env: { ...process.env, VEIL_TEST_LOAD_LOG: log },
    timeout: 60_000,
  });
  assert.equal(run.status, 0, run.stderr);
  const urls = readFileSync(log, 'utf8').trim().split('\n');
  const packages = new Set<string>();
  const modules: string[] = [];
  for (const url of urls) {
    const dependency = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
    if (dependency) packages.add(dependency[1]!);
    const own = /\/src\/(.+)\.[jt]s$/.exec(url);
    if (!dependency && own) modules.push(own[1]!);
  }
  return { packages, modules, stdout: run.stdout };
}

/**
 * The modules outside src/cli and src/errors that declaring every command needs: option parsers'
 * role list, `--format` and `--reason` choices, the system log's name in a description.
 */
const DECLARATIONS = new Set([
  'access/permissions',
  'access/principal',
  'pipeline/input-formats',
  'privacy/legal-holds/codes',
  'runtime/system-audit-log',
]);

function assertOnlyDeclarations(loads: Loads): void {
  assert.deepEqual([...loads.packages], ['commander']);
  const beyond = loads.modules.filter(
    (m) => !m.startsWith('cli/') && !m.startsWith('errors/') && !DECLARATIONS.has(m),
  );
  assert.deepEqual(beyond, [], 'a command module imports these at load; import them in its action');
}

test('veil --version loads commander and the command declarations only', () => {
  const loads = veilLoads(['--version']);
  assert.equal(loads.stdout, '0.1.0\n');
  assertOnlyDeclarations(loads);
  // Every command is declared, so help and suggestions know them all.
  assert.ok(loads.modules.includes('cli/commands/worker'));
  assert.ok(loads.modules.includes('cli/commands/serve'));
});

test('veil --help lists every command and loads no more than --version', () => {
  const loads = veilLoads(['--help']);
  for (const command of ['analyze', 'redact', 'serve', 'worker', 'audit', 'keys', 'hold', 'compliance'])
    assert.match(loads.stdout, new RegExp(`^  ${command} `, 'm'));
  assertOnlyDeclarations(loads);
});

test('veil token loads the local issuer, and no database, HTTP, engine or document code', () => {
  const loads = veilLoads([
    'token',
    '--role',
    'processor',
    '--tenant',
    'acme',
    '--data-dir',
    tempDir('veil-token-'),
  ]);
  assert.match(loads.stdout, /^[\w-]+\.[\w-]+\.[\w-]+\n$/);
  assert.ok(loads.modules.includes('access/local-issuer'));
  assert.deepEqual([...loads.packages].sort(), ['commander', 'jose']);
  assert.deepEqual(
    loads.modules.filter((m) =>
      /^(store|api|engine|documents|pipeline\/jobs|runtime\/(?!system-audit-log))/.test(m),
    ),
    [],
  );
});
