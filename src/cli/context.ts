import { AsyncLocalStorage } from 'node:async_hooks';
import type { Readable, Writable } from 'node:stream';

/**
 * What a CLI run reads and writes besides its arguments: the standard streams, the environment
 * and the working directory. `bin/veil` passes the process's own; tests pass their own streams, so
 * a command runs in-process exactly as the binary runs it.
 */
export interface CliIo {
  readonly stdin: Readable;
  readonly stdout: Writable;
  readonly stderr: Writable;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
}

/** The running command's streams and environment, and the exit code it has set so far. */
export interface CliContext extends CliIo {
  exitCode: number | undefined;
}

const running = new AsyncLocalStorage<CliContext>();

/** The process's own streams, environment and exit code, for code that runs outside `runCli`. */
const processContext: CliContext = {
  get stdin() {
    return process.stdin;
  },
  get stdout() {
    return process.stdout;
  },
  get stderr() {
    return process.stderr;
  },
  get env() {
    return process.env;
  },
  get cwd() {
    return process.cwd();
  },
  get exitCode() {
    return typeof process.exitCode === 'number' ? process.exitCode : undefined;
  },
  set exitCode(code: number | undefined) {
    process.exitCode = code;
  },
};

/**
 * The context of the command running now: its streams, environment and exit code.
 *
 * @example
 * ```ts
 * cli().stderr.write('warning: …\n');
 * if (failed) cli().exitCode = 1;
 * ```
 */
export function cli(): CliContext {
  return running.getStore() ?? processContext;
}

/**
 * The process's own streams, environment and working directory, as `bin/veil` runs a command
 * with them.
 */
export const processCliIo: CliIo = processContext;

/**
 * Runs `work` with `io` as the context every `cli()` call inside it sees. The process's own
 * ({@link processCliIo}) is what `cli()` answers outside any run, so the binary runs its command
 * without an `AsyncLocalStorage` run: one would switch Node's promise hooks on for the process's
 * life, and a long-running `veil serve` would pay for them on every promise it makes (about 2x the
 * cost of a promise-heavy path such as an HTTP request through the database).
 */
export function withCliContext<T>(io: CliIo, work: (context: CliContext) => Promise<T>): Promise<T> {
  if (io === processCliIo) return work(processContext);
  const context: CliContext = {
    stdin: io.stdin,
    stdout: io.stdout,
    stderr: io.stderr,
    env: io.env,
    cwd: io.cwd,
    exitCode: undefined,
  };
  return running.run(context, () => work(context));
}
