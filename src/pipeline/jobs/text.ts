/**
 * The one text a job's findings index into. The parse step stores it (encrypted) while the job
 * runs; a reveal after the job finished rebuilds it from the original the same way, so offsets
 * recorded by the detect step always point at the same characters.
 */
import { documentText, parseDocument, sniffType } from '../../documents/index.js';

/** How the text was read: as plain text, or through the documents layer. */
export type TextRoute = 'text' | 'document';

/** A job's text and the route that produced it. */
export interface JobText {
  readonly route: TextRoute;
  readonly text: string;
}

/**
 * Reads a job's document as the pipeline does: the content decides the parser, and a declared
 * `text/plain` only keeps text-like content (CSV, JSON, e-mail) as one text, as the caller asked.
 *
 * @example
 * ```ts
 * const { route, text } = await jobText(original, manifest.mediaType);
 * ```
 */
export async function jobText(original: Uint8Array, declaredType: string | null): Promise<JobText> {
  const sniffed = await sniffType(original);
  if (sniffed.text !== undefined && (sniffed.format === 'text' || declaredType === 'text/plain'))
    return { route: 'text', text: sniffed.text };
  return { route: 'document', text: documentText(await parseDocument(original)).text };
}
