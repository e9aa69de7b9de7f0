import { RegExpParser } from '@eslint-community/regexpp';
import type { Pattern } from '@eslint-community/regexpp/ast';

const parser = new RegExpParser({ ecmaVersion: 2025 });

/**
 * The syntax tree of `regex` (@eslint-community/regexpp), or undefined for syntax the parser does
 * not know (a newer engine's): callers then fall back to their safe answer.
 */
export function parseRegex(regex: RegExp): Pattern | undefined {
  try {
    return parser.parsePattern(regex.source, 0, regex.source.length, {
      unicode: regex.flags.includes('u'),
      unicodeSets: regex.flags.includes('v'),
    });
  } catch {
    return undefined;
  }
}
