import { closeSharedOcr } from './ocr/select.js';
import { closeIdlePdfWorkers } from './pdf/sandbox.js';

/**
 * Releases the process-wide document resources: the shared OCR workers and the idle PDF parser
 * threads. A command or test file calls it when done, so the process can exit.
 *
 * @example
 * ```ts
 * try { await redactDocument(bytes, options); } finally { await closeDocumentResources(); }
 * ```
 */
export async function closeDocumentResources(): Promise<void> {
  await Promise.all([closeSharedOcr(), closeIdlePdfWorkers()]);
}
