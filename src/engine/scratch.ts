/**
 * Working memory a recognizer reuses from one call to the next (typed arrays for tokens, tags and
 * parser state), owned by one analyzer instead of the module: two analyzers never share it, and
 * nothing in it is read before the call that uses it has written it.
 */

/** One kind of working memory: how to make it. A module declares its kind once, as a constant. */
export interface ScratchKind<T> {
  readonly create: () => T;
}

/**
 * The working memory of one analyzer, made on first need per kind. `createAnalyzer` makes one and
 * passes it to every `Recognizer.find`; a direct `find` call without one gets a fresh one.
 *
 * @example
 * ```ts
 * const BUFFERS: ScratchKind<Int32Array> = { create: () => new Int32Array(1024) };
 * const scratch = new Scratch();
 * scratch.of(BUFFERS) === scratch.of(BUFFERS); // true
 * ```
 */
export class Scratch {
  private readonly made = new Map<ScratchKind<unknown>, unknown>();

  of<T>(kind: ScratchKind<T>): T {
    let value = this.made.get(kind) as T | undefined;
    if (value === undefined) {
      value = kind.create();
      this.made.set(kind, value);
    }
    return value;
  }
}
