/**
 * Numbering for the replace operator: the first distinct PERSON is `<PERSON_1>`, the next
 * `<PERSON_2>`, and the same value always gets the same tag within the scope. Pass one scope to
 * several `anonymize` calls to keep numbering stable across the documents of a subject or a job.
 *
 * The scope remembers every distinct value it has numbered, so its memory grows with them; give
 * each job its own scope and drop it with the job.
 *
 * @example
 * ```ts
 * const tags = new TagScope();
 * tags.tagFor('PERSON', 'Ann'); // '<PERSON_1>'
 * tags.tagFor('PERSON', 'Bob'); // '<PERSON_2>'
 * tags.tagFor('PERSON', 'Ann'); // '<PERSON_1>'
 * ```
 */
export class TagScope {
  readonly #byType = new Map<string, Map<string, number>>();

  /** The tag for `value` of entity `type`, numbering it if it is new. */
  tagFor(type: string, value: string): string {
    let numbers = this.#byType.get(type);
    if (!numbers) {
      numbers = new Map();
      this.#byType.set(type, numbers);
    }
    let n = numbers.get(value);
    if (n === undefined) {
      n = numbers.size + 1;
      numbers.set(value, n);
    }
    return `<${type}_${n}>`;
  }
}
