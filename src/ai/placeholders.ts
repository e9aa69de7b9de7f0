/**
 * The placeholders that stand for personal values in what a model sees: `<PERSON_1>`, `<US_SSN_2>`,
 * the engine's replace-operator tags. One shape, shared by the pseudonymiser (which issues them),
 * the egress guard (which lets issued ones through) and re-identification (which turns them back).
 */

/** A placeholder as the engine's TagScope writes it. */
export const PLACEHOLDER = /<[A-Z][A-Z0-9_]*_[0-9]+>/g;

/**
 * The text with every placeholder-shaped run that was already in it made inert: its angle
 * brackets become `‹` and `›` (one UTF-16 unit each, so offsets do not move). A document that
 * holds `<PERSON_1>` literally can then never be mistaken for an issued placeholder, neither by
 * the guard nor when the model's answer is re-identified.
 *
 * @example
 * ```ts
 * defusePlaceholders('see <PERSON_1> here'); // 'see ‹PERSON_1› here'
 * ```
 */
export function defusePlaceholders(text: string): string {
  return text.replace(PLACEHOLDER, (tag) => `‹${tag.slice(1, -1)}›`);
}
