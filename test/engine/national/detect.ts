import assert from 'node:assert/strict';
import { it } from 'node:test';
import { analyze } from '../../../src/engine/analyze.js';

/** Examples for one entity type: texts where the [bracketed] span must be found, and texts where nothing may be. */
export interface EntityCases {
  readonly found: readonly string[];
  readonly notFound: readonly string[];
}

/** Splits "text with a [value] marked" into the plain text and the marked span's offsets. */
export function marked(source: string): { text: string; start: number; end: number } {
  const start = source.indexOf('[');
  const end = source.indexOf(']') - 1;
  assert.ok(start >= 0 && end >= start, `example needs one [marked] span: ${source}`);
  return { text: source.replace('[', '').replace(']', ''), start, end };
}

/** The findings of `analyze` for one entity type, reduced to type and offsets. */
export function spans(type: string, text: string): { type: string; start: number; end: number }[] {
  return analyze(text, { entities: [type] }).map((f) => ({ type: f.type, start: f.start, end: f.end }));
}

/** Declares one test per example: each marked span is found exactly, each negative finds nothing. */
export function entityTests(type: string, cases: EntityCases): void {
  for (const source of cases.found) {
    it(`finds ${source}`, () => {
      const { text, start, end } = marked(source);
      assert.deepEqual(spans(type, text), [{ type, start, end }]);
    });
  }
  for (const text of cases.notFound) {
    it(`finds nothing in ${text}`, () => {
      assert.deepEqual(spans(type, text), []);
    });
  }
}
