/**
 * Calls grouped while a group is in flight: the shape of a worker process's group commits and
 * grouped reads. The first call starts a group at the end of the current turn of the event loop
 * (so the calls of a fetched batch, made together, share it); calls made while a group runs wait
 * for the next, one group at a time.
 */

/**
 * Wraps `runGroup` (which answers how each input of a group ended, in order) as a function of one
 * input. A group of at most `maxPerGroup` inputs; if `runGroup` itself rejects, every call of its
 * group rejects with that error.
 *
 * @example
 * ```ts
 * const read = groupCalls(async (ids: readonly string[]) => settle(await readMany(ids)), 64);
 * const [a, b] = await Promise.all([read('a'), read('b')]); // one readMany(['a', 'b'])
 * ```
 */
export function groupCalls<In, Out>(
  runGroup: (inputs: readonly In[]) => Promise<ReadonlyArray<PromiseSettledResult<Out>>>,
  maxPerGroup: number,
): (input: In) => Promise<Out> {
  const waiting: Array<{
    readonly input: In;
    readonly resolve: (out: Out) => void;
    readonly reject: (error: unknown) => void;
  }> = [];
  let flushing = false;

  const flush = async (): Promise<void> => {
    while (waiting.length > 0) {
      const group = waiting.splice(0, maxPerGroup);
      const settled = await runGroup(group.map((w) => w.input)).catch((error: unknown) =>
        group.map((): PromiseSettledResult<Out> => ({ status: 'rejected', reason: error })),
      );
      for (const [i, w] of group.entries()) {
        const outcome = settled[i]!;
        if (outcome.status === 'fulfilled') w.resolve(outcome.value);
        else w.reject(outcome.reason);
      }
    }
    flushing = false;
  };

  return (input) =>
    new Promise<Out>((resolve, reject) => {
      waiting.push({ input, resolve, reject });
      if (!flushing) {
        flushing = true;
        setImmediate(() => void flush());
      }
    });
}
