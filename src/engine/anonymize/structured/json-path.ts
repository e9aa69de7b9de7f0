import { VeilError } from '../../../errors/veil-error.js';

/** One step of a JSONPath: a key, an index, any child (`*`), or any depth (`..`). */
export type PathSegment =
  | { readonly kind: 'key'; readonly key: string }
  | { readonly kind: 'index'; readonly index: number }
  | { readonly kind: 'any' }
  | { readonly kind: 'descend' };

const NAME = /^[A-Za-z_$][\w$-]*/;

/**
 * Parses the JSONPath subset used for field rules: `$`, `.name`, `['name']`, `[0]`, `.*`, `[*]`
 * and `..` (any depth), as in `$.patient.name`, `$.visits[*].notes` or `$..email`.
 *
 * @example
 * ```ts
 * parseJsonPath('$.visits[*].notes'); // [{ kind: 'key', key: 'visits' }, { kind: 'any' }, { kind: 'key', key: 'notes' }]
 * ```
 */
export function parseJsonPath(path: string): PathSegment[] {
  const fail = (): never => {
    throw new VeilError(
      'VEIL_INVALID_OPTION',
      `fields: "${path.slice(0, 64)}" is not a supported JSONPath (use $.a.b, $.a[*].b, $.a[0], $['a b'], $..b)`,
    );
  };
  if (!path.startsWith('$')) fail();
  const out: PathSegment[] = [];
  let rest = path.slice(1);
  while (rest.length > 0) {
    let m: RegExpExecArray | null;
    if (rest.startsWith('..')) {
      out.push({ kind: 'descend' });
      rest = rest.slice(2);
      if (rest.startsWith('*')) {
        out.push({ kind: 'any' });
        rest = rest.slice(1);
      } else if ((m = NAME.exec(rest))) {
        out.push({ kind: 'key', key: m[0] });
        rest = rest.slice(m[0].length);
      } else if (!rest.startsWith('[')) fail();
    } else if (rest.startsWith('.*')) {
      out.push({ kind: 'any' });
      rest = rest.slice(2);
    } else if (rest.startsWith('.') && (m = NAME.exec(rest.slice(1)))) {
      out.push({ kind: 'key', key: m[0] });
      rest = rest.slice(1 + m[0].length);
    } else if ((m = /^\[\*\]/.exec(rest))) {
      out.push({ kind: 'any' });
      rest = rest.slice(m[0].length);
    } else if ((m = /^\[(\d{1,9})\]/.exec(rest))) {
      out.push({ kind: 'index', index: Number(m[1]) });
      rest = rest.slice(m[0].length);
    } else if ((m = /^\[(?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)")\]/.exec(rest))) {
      out.push({ kind: 'key', key: (m[1] ?? m[2] ?? '').replace(/\\(.)/g, '$1') });
      rest = rest.slice(m[0].length);
    } else fail();
  }
  return out;
}

/**
 * True when a concrete path (keys and indices from the root) matches the pattern.
 *
 * @example
 * ```ts
 * matchesPath(parseJsonPath('$..email'), ['staff', 3, 'email']); // true
 * ```
 */
export function matchesPath(
  pattern: readonly PathSegment[],
  path: readonly (string | number)[],
  p = 0,
  c = 0,
): boolean {
  if (p === pattern.length) return c === path.length;
  const segment = pattern[p]!;
  if (segment.kind === 'descend') {
    for (let k = c; k < path.length; k += 1) if (matchesPath(pattern, path, p + 1, k)) return true;
    return false;
  }
  if (c === path.length) return false;
  const step = path[c]!;
  const ok =
    segment.kind === 'any' || (segment.kind === 'key' ? step === segment.key : step === segment.index);
  return ok && matchesPath(pattern, path, p + 1, c + 1);
}

/**
 * Writes a concrete path as JSONPath, for items and messages.
 *
 * @example
 * ```ts
 * formatPath(['visits', 0, 'notes']); // '$.visits[0].notes'
 * ```
 */
export function formatPath(path: readonly (string | number)[]): string {
  return `$${path.map((s) => (typeof s === 'number' ? `[${s}]` : /^[A-Za-z_$][\w$-]*$/.test(s) ? `.${s}` : `['${s.replace(/['\\]/g, '\\$&')}']`)).join('')}`;
}
