import type { FieldSpec } from '../spec.js';
import { check, type ValueMatch } from './match.js';

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Every allowed value of an `enum` field printed in a text (case and spacing ignored), as the
 * spec writes it.
 *
 * @example
 * ```ts
 * findEnums('Sex: Female', { name: 'sex', type: 'enum', values: ['female', 'male'] })[0].value; // 'female'
 * ```
 */
export function findEnums(text: string, spec: FieldSpec): ValueMatch[] {
  const found: ValueMatch[] = [];
  for (const allowed of spec.values ?? []) {
    const pattern = new RegExp(
      `(?<![\\p{L}\\p{N}])${allowed.split(/\s+/).map(escape).join('\\s+')}(?![\\p{L}\\p{N}])`,
      'giu',
    );
    for (const m of text.matchAll(pattern))
      found.push({
        start: m.index,
        end: m.index + m[0].length,
        value: allowed,
        checks: [check('enum')],
        quality: 1,
      });
  }
  return found.sort((a, b) => a.start - b.start);
}

const TICKED = /\[\s*[xX✓✔]\s*\]|\(\s*[xX✓✔]\s*\)|[☑☒✓✔✗✘■]/g;
const EMPTY = /\[\s*\]|\(\s*\)|[☐□]/g;
const WORDS = /(?<![\p{L}])(yes|no|true|false|y|n)(?![\p{L}])/giu;

/**
 * Every box or yes/no answer in a text: a ticked box (`[x]`, `☑`, `✔`) is true, an empty one
 * (`[ ]`, `☐`) false, and the words yes/no, true/false as written.
 *
 * @example
 * ```ts
 * findBooleans('[x] I consent', spec)[0].value; // true
 * ```
 */
export function findBooleans(text: string, _spec: FieldSpec): ValueMatch[] {
  const found: ValueMatch[] = [];
  for (const m of text.matchAll(TICKED))
    found.push({
      start: m.index,
      end: m.index + m[0].length,
      value: true,
      checks: [check('box:ticked')],
      quality: 1,
    });
  for (const m of text.matchAll(EMPTY))
    found.push({
      start: m.index,
      end: m.index + m[0].length,
      value: false,
      checks: [check('box:empty')],
      quality: 0.9,
    });
  for (const m of text.matchAll(WORDS)) {
    const yes = /^(yes|true|y)$/i.test(m[1]!);
    found.push({
      start: m.index,
      end: m.index + m[0].length,
      value: yes,
      checks: [check('word')],
      quality: m[1]!.length === 1 ? 0.6 : 0.9,
    });
  }
  return found.sort((a, b) => a.start - b.start);
}
