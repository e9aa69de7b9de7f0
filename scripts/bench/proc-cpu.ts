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
