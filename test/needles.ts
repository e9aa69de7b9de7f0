/**
 * Looking for many plaintext needles (canary values) in bytes in one pass. The leak tests read whole
 * data directories (a PGlite cluster is about 40 MB) for a few hundred needles; `bytes.includes` once
 * per needle scanned each file once per needle (9 of the canary test's 22 CPU s on PGlite), while
 * one regular expression of all the needles, run over the bytes read as latin1, scans them once and
 * finds the same occurrences.
 */

/** Escapes the characters a regular expression gives a meaning. */
function literal(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * A search for any of `needles` (compared as their UTF-8 bytes) in bytes.
 *
 * @example
 * ```ts
 * const find = needleSearch(['536-12-1234', 'canary@example.org']);
 * find(await readFile(file)); // the needle found first in the bytes, or undefined
 * ```
 */
export function needleSearch(needles: readonly string[]): (bytes: Uint8Array) => string | undefined {
  if (needles.length === 0) return () => undefined;
  // Each needle's UTF-8 bytes as latin1 characters, one per byte, so the expression matches bytes.
  const byBytes = new Map(needles.map((needle) => [Buffer.from(needle, 'utf8').toString('latin1'), needle]));
  const pattern = new RegExp([...byBytes.keys()].map(literal).join('|'));
  return (bytes) => {
    const match = pattern.exec(
      Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1'),
    );
    return match === null ? undefined : byBytes.get(match[0]);
  };
}
