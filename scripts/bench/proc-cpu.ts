/**
 * CPU time of processes from /proc, for the benchmarks that report CPU per request or per job: a
 * figure the machine's load moves far less than latency. Linux only; elsewhere the readers answer
 * undefined or 0.
 */
import { readFileSync, readdirSync } from 'node:fs';

/**
 * CPU seconds (user + system, all threads, or one thread) the process `pid` has used.
 *
 * @example
 * ```ts
 * const before = cpuSeconds(child.pid);
 * ```
 */
export function cpuSeconds(pid: number | undefined, thread?: number): number | undefined {
  try {
    const file = thread === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${thread}/stat`;
    const fields = readFileSync(file, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

/**
 * CPU seconds of the PostgreSQL backends serving `database` (their command lines name it): the
 * database server's share of a job, which the client processes' figures leave out. Backends that
 * exited meanwhile are missed, so pools that keep their connections are what this measures. 0
 * without a database (PGlite).
 *
 * @example
 * ```ts
 * const before = postgresCpuSeconds('veil_load_123');
 * ```
 */
export function postgresCpuSeconds(database: string | undefined): number {
  if (database === undefined) return 0;
  let total = 0;
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(` ${database} `)) continue;
      total += cpuSeconds(Number(pid)) ?? 0;
    } catch {
      // Gone meanwhile.
    }
  }
  return total;
}

/** One thread's scheduler account (`/proc/PID/task/TID/schedstat`), in milliseconds. */
export interface ThreadSchedule {
  /** Time on a CPU. */
  readonly run: number;
  /** Time runnable but waiting for a CPU (on the run queue). */
  readonly wait: number;
  /** Times it was given a CPU. */
  readonly slices: number;
}

/**
 * Every thread of `pid` with its scheduler account: the time a thread waited for a core is what a
 * loaded machine adds to latency, and it is measured here rather than inferred. Empty off Linux.
 *
 * @example
 * ```ts
 * const before = threadSchedules(child.pid);
 * ```
 */
export function threadSchedules(pid: number | undefined): Map<number, ThreadSchedule> {
  const threads = new Map<number, ThreadSchedule>();
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        const [run, wait, slices] = readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8')
          .trim()
          .split(' ')
          .map(Number);
        threads.set(Number(tid), { run: run! / 1e6, wait: wait! / 1e6, slices: slices! });
      } catch {
        // Gone meanwhile.
      }
    }
  } catch {
    // No such process, or not Linux.
  }
  return threads;
}
