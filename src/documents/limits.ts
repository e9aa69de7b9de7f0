import { VeilError } from '../errors/veil-error.js';

/**
 * Bounds on everything a hostile document can make Veil do. Each is configurable; breaking one
 * ends the work with a stable error code and no output.
 */
export interface DocumentLimits {
  /** Largest input, and largest attachment, in bytes. */
  readonly maxBytes: number;
  /** Most pages (PDF pages, TIFF frames, attachments' pages together). */
  readonly maxPages: number;
  /** Most pixels in one image or one rendered page; checked from headers before decoding. */
  readonly maxPixels: number;
  /** Most entries in a zip container (DOCX). */
  readonly maxArchiveEntries: number;
  /** Most bytes a zip container may expand to, all entries together. */
  readonly maxExpandedBytes: number;
  /** Largest expanded/compressed ratio of one zip entry. */
  readonly maxCompressionRatio: number;
  /** Deepest nesting of attachments within attachments. */
  readonly maxAttachmentDepth: number;
  /** Deepest nesting of JSON arrays and objects. */
  readonly maxJsonDepth: number;
  /** Longest time to parse, render or OCR one page, in milliseconds. */
  readonly pageTimeoutMs: number;
  /** Heap of the isolated PDF parser, in MiB; a PDF that needs more is stopped. */
  readonly maxParserMemoryMb: number;
}

/** The defaults, in one place; `docs` and the CLI read them from here. */
export const DEFAULT_LIMITS: DocumentLimits = Object.freeze({
  maxBytes: 100 * 1024 * 1024,
  maxPages: 500,
  // 50 megapixels holds an A3 page scanned at 600 dpi; a decompression bomb declares far more.
  maxPixels: 50_000_000,
  maxArchiveEntries: 5_000,
  maxExpandedBytes: 256 * 1024 * 1024,
  // Real DOCX XML compresses about 10:1; zip bombs reach 1000:1 and beyond.
  maxCompressionRatio: 200,
  maxAttachmentDepth: 3,
  maxJsonDepth: 256,
  pageTimeoutMs: 60_000,
  maxParserMemoryMb: 768,
});

/**
 * Merges caller overrides into the defaults and validates every value, so a bad setting stops the
 * work up front with a message naming it.
 *
 * @example
 * ```ts
 * const limits = resolveLimits({ maxPages: 20 });
 * limits.maxBytes; // 104857600 (the default)
 * ```
 */
export function resolveLimits(overrides: Partial<DocumentLimits> = {}): DocumentLimits {
  const limits: Record<string, number> = { ...DEFAULT_LIMITS };
  for (const [key, value] of Object.entries(overrides)) {
    if (!(key in DEFAULT_LIMITS))
      throw new VeilError('VEIL_INVALID_OPTION', `limits: unknown setting "${key.slice(0, 40)}"`);
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0)
      throw new VeilError('VEIL_INVALID_OPTION', `limits.${key} must be a positive number`);
    limits[key] = value;
  }
  return Object.freeze(limits as unknown as DocumentLimits);
}

/**
 * Runs `work` but gives up after `ms` milliseconds with VEIL_LIMIT_TIME. `onTimeout` lets the caller
 * stop what is still running (an OCR worker, a PDF task), since a promise cannot be cancelled.
 *
 * @example
 * ```ts
 * const text = await withDeadline(ocr.recognize(png), 60_000, 'OCR of page 3');
 * ```
 */
export async function withDeadline<T>(
  work: Promise<T>,
  ms: number,
  what: string,
  onTimeout?: () => void,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      onTimeout?.();
      reject(new VeilError('VEIL_LIMIT_TIME', `${what} took longer than limits.pageTimeoutMs (${ms} ms)`));
    }, ms);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
