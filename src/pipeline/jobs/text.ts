/**
 * The one text a job's findings index into. The parse step stores it (encrypted) while the job
 * runs; a reveal after the job finished rebuilds it from the original the same way, so offsets
 * recorded by the detect step always point at the same characters.
 */
import { documentText, parseDocument, sniffType } from '../../documents/index.js';
import type { Document } from '../../documents/model.js';
import { keepRegions } from './extraction.js';
import { parseImageRegions } from './regions.js';
import type { JobExtraction } from './request.js';

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
export async function jobText(
  original: Uint8Array,
  declaredType: string | null,
  scope?: Pick<JobExtraction, 'pages' | 'regions'>,
): Promise<JobText> {
  const { route, text } = await jobDocument(original, declaredType, scope);
  return { route, text };
}

/**
 * {@link jobText} with the parsed document too (for field extraction), read only within the
 * job's pages and regions: pages outside them are never parsed or OCR'd, words outside the
 * regions are dropped before anything is stored.
 *
 * @example
 * ```ts
 * const { text, document } = await jobDocument(original, null, { pages: [1], regions: null });
 * ```
 */
export async function jobDocument(
  original: Uint8Array,
  declaredType: string | null,
  scope?: Pick<JobExtraction, 'pages' | 'regions'>,
): Promise<JobText & { readonly document: Document }> {
  // Declared text/plain, any text-like content is read as one text: which kind of text it is
  // does not matter, and telling CSV apart is the costliest part of sniffing a small text.
  const sniffed = await sniffType(original, { classifyText: declaredType !== 'text/plain' });
  if (sniffed.text !== undefined && (sniffed.format === 'text' || declaredType === 'text/plain')) {
    const lines = sniffed.text
      .split('\n')
      .map((line) => ({ words: [{ text: line, box: null, spaceBefore: false }] }));
    const document: Document = {
      format: 'text',
      mediaType: 'text/plain',
      pages: [{ number: 1, width: 0, height: 0, unit: null, source: 'text', lines }],
      tables: [],
      records: [],
    };
    return { route: 'text', text: sniffed.text, document };
  }
  // An image's regions are OCR'd as crops, so nothing outside them is read; on a PDF page only the
  // text-layer words inside the regions leave the PDF worker, and a page that needs OCR is rendered
  // and OCR'd only inside its regions' box; anything else outside the regions is dropped before storage.
  let document =
    sniffed.format === 'image' && scope?.regions
      ? await parseImageRegions(original, scope.regions)
      : await parseDocument(original, {
          ...(scope?.pages ? { pages: scope.pages } : {}),
          ...(scope?.regions ? { regions: scope.regions } : {}),
        });
  if (scope?.regions) document = keepRegions(document, scope.regions);
  return { route: 'document', text: documentText(document).text, document };
}
