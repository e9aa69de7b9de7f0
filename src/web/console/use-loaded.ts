/**
 * The one way a page loads something from the API: started when a dependency changes, aborted
 * when it changes again or the page closes, so a late answer never overwrites a newer one.
 */
import { useEffect, useState } from 'preact/hooks';

/**
 * What `load` answered (undefined until then) and the error it failed with, if any.
 *
 * @example
 * ```ts
 * const { value: keys, error } = useLoaded((signal) => session.client.listApiKeys({ signal }), [session, version]);
 * ```
 */
export function useLoaded<T>(
  load: (signal: AbortSignal) => Promise<T>,
  inputs: ReadonlyArray<unknown>,
): { value: T | undefined; error: unknown } {
  const [value, setValue] = useState<T | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  useEffect(() => {
    const controller = new AbortController();
    load(controller.signal).then(
      (v) => {
        setValue(() => v);
        setError(undefined);
      },
      (e: unknown) => {
        if (!controller.signal.aborted) setError(e);
      },
    );
    return () => controller.abort();
  }, inputs);
  return { value, error };
}
