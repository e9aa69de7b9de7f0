/**
 * Runs `veil` for the tests: `runVeil` in-process through `runCli` with its own standard streams
 * (fast: the CLI is loaded once per file), `spawnVeil` as the real binary in a child process, for
 * the few smoke tests that check what only a process shows (exit status, signals, stdin pipes).
 */
import { spawnSync } from 'node:child_process';
import { PassThrough, Writable } from 'node:stream';
import { runCli } from '../../src/cli/run.js';
import { veilNodeArgs } from '../veil-process.js';

export interface VeilRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface VeilOptions {
  /** Standard input; none gives an empty stream, as a spawned process with a closed pipe sees. */
  readonly input?: string | Uint8Array;
  /** The environment; defaults to the test process's. */
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
}

class Collector extends Writable {
  readonly chunks: Buffer[] = [];
  override _write(
    chunk: Buffer | string,
    _encoding: BufferEncoding,
    done: (error?: Error | null) => void,
  ): void {
    this.chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
    done();
  }
  bytes(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

/**
 * Runs `veil ARGS` in this process and answers its exit code and output.
 *
 * @example
 * ```ts
 * const { code, stdout } = await runVeil(['analyze', '-'], { input: 'mail a@b.io' });
 * ```
 */
export async function runVeil(args: readonly string[], options: VeilOptions = {}): Promise<VeilRun> {
  const stdin = new PassThrough();
  stdin.end(options.input ?? '');
  const stdout = new Collector();
  const stderr = new Collector();
  const code = await runCli(args, {
    stdin,
    stdout,
    stderr,
    env: options.env ?? process.env,
    cwd: options.cwd ?? process.cwd(),
  });
  return { code, stdout: stdout.bytes().toString('utf8'), stderr: stderr.bytes().toString('utf8') };
}

/**
 * Runs `veil ARGS` as its own process (`veilNodeArgs`): the smoke tests'
 * path, and the one for commands that exit the process or wait for signals.
 *
 * @example
 * ```ts
 * const { code, stderr } = spawnVeil(['redact', 'missing.txt']);
 * ```
 */
export function spawnVeil(args: readonly string[], options: VeilOptions = {}): VeilRun {
  const result = spawnSync(process.execPath, veilNodeArgs(args), {
    ...(options.input === undefined ? {} : { input: options.input }),
    env: options.env ?? process.env,
    cwd: options.cwd ?? process.cwd(),
    timeout: 120_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  return {
    code: result.status ?? -1,
    stdout: result.stdout.toString('utf8'),
    stderr: result.stderr.toString('utf8'),
  };
}
