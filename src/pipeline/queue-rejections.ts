/**
 * pg-boss 10 reports a finished step to the database without awaiting it (`Manager.work`'s
 * `onFetch` calls `complete()` and `fail()` and drops their promises). When the database is
 * unreachable at that moment (a restart, a failover) the promise rejects with no handler, and
 * Node ends the process. Nothing is lost if it is ignored: the step's message stays `active`
 * until its expiry, then runs again, and steps are idempotent. This guard keeps the process alive
 * for those rejections only; any other unhandled rejection still ends the process as before.
 */

let installed = false;
let reporter: ((error: Error) => void) | undefined;

function fromPgBoss(reason: unknown): reason is Error {
  return (
    reason instanceof Error &&
    typeof reason.stack === 'string' &&
    /[\\/]pg-boss[\\/]src[\\/]manager\.js/.test(reason.stack)
  );
}

/**
 * Installs the guard once per process; `report` (the latest given) hears each swallowed error.
 *
 * @example
 * ```ts
 * guardQueueRejections((error) => logger.warn({ errorName: error.name }, 'queue completion not recorded'));
 * ```
 */
export function guardQueueRejections(report?: (error: Error) => void): void {
  if (report !== undefined) reporter = report;
  if (installed) return;
  installed = true;
  process.on('unhandledRejection', (reason) => {
    if (fromPgBoss(reason)) {
      reporter?.(reason);
      return;
    }
    // Anything else keeps Node's default: the process ends on it.
    throw reason;
  });
}
