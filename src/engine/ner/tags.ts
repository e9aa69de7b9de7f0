/**
 * The tag set of the sequence tagger: O, then B- and I- for each entity type. Tag ids are
 * indices into `TAGS`; `O` is 0 so an all-zero tag array means "nothing found".
 */
export const ENTITY_TYPES = ['PERSON', 'LOCATION', 'ORGANIZATION', 'STREET_ADDRESS', 'NRP'] as const;

export type NerEntity = (typeof ENTITY_TYPES)[number];

/** `O`, then `B-<type>` and `I-<type>` for each entity type in `ENTITY_TYPES` order. */
export const TAGS: readonly string[] = ['O', ...ENTITY_TYPES.flatMap((type) => [`B-${type}`, `I-${type}`])];

/** The tag id of `B-<type>`. */
export function beginTag(type: NerEntity): number {
  return 1 + 2 * ENTITY_TYPES.indexOf(type);
}

/** True when `tag` is an `I-` tag. */
export function isInside(tag: number): boolean {
  return tag > 0 && tag % 2 === 0;
}

/** The entity type of a non-O tag. */
export function entityOf(tag: number): NerEntity {
  return ENTITY_TYPES[(tag - 1) >> 1]!;
}

/** An `I-` tag may only follow the `B-` or `I-` tag of the same type. */
export function allowedAfter(prev: number, tag: number): boolean {
  if (!isInside(tag)) return true;
  return prev === tag || prev === tag - 1;
}
