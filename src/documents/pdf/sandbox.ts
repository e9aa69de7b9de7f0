import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ErrorCode } from '../../errors/catalogue.js';
import { VeilError } from '../../errors/veil-error.js';
import type { DocumentLimits } from '../limits.js';
import type { Box, Line } from '../model.js';
import type { OcrMode } from '../parsers/context.js';

/** What the isolated PDF worker is asked to do: read every page, render some with boxes burned in, or crop one. */
export type PdfJob = { readonly bytes: Uint8Array; readonly limits: DocumentLimits; readonly dpi: number } &
  /** `pages`: only these 1-based pages are read (input minimisation); absent, every page. */
  (
    | {
        readonly kind: 'parse';
        readonly ocrMode: OcrMode;
        readonly pages?: readonly number[];
        /**
         * Per 1-based page, the regions to read, as fractions of the page: only text-layer words
         * inside them leave the worker, and a page needing OCR is rendered only inside the box
         * holding them. Pages without an entry are read whole.
         */
        readonly regions?: Readonly<Record<number, readonly Box[]>>;
      }
    /**
     * `fill` maps 1-based page numbers to boxes; `all` renders pages without boxes too. With
     * `pages`, only those pages are opened (the rest are neither read nor rendered).
     */
    | {
        readonly kind: 'render';
        readonly fill: Readonly<Record<number, readonly Box[]>>;
        readonly all: boolean;
        readonly pages?: readonly number[];
      }
    /** One rectangle (`clip`, pixels of the rendered page) of one 1-based page, with `fill` boxes burned in. */
    | {
        readonly kind: 'crop';
        readonly page: number;
        readonly clip: Box;
        readonly fill: readonly Box[];
      }
  );

/** One page from the worker: its size in points, its text layer, and a rendering when one was asked for. */
export interface PdfPageMessage {
  readonly type: 'page';
  readonly number: number;
  readonly width: number;
  readonly height: number;
  readonly lines: readonly Line[];
  readonly png?: Uint8Array;
  readonly scale?: number;
  /**
   * Set when the text layer is kept and the page is rendered only for the large images beside it:
   * their boxes (points, top-left origin). OCR words inside them are added to the text layer's.
   */
  readonly images?: readonly Box[];
  /** Where the rendering's top-left corner sits on the page (points) when only a clip was rendered. */
  readonly origin?: { readonly x: number; readonly y: number };
}

export type PdfMessage =
  /** The worker has loaded pdf.js and is waiting for its first job. */
  | { readonly type: 'ready' }
  | { readonly type: 'open'; readonly pages: number }
  | PdfPageMessage
  | { readonly type: 'done' }
  | { readonly type: 'error'; readonly code: ErrorCode; readonly message: string };

// Under tsx the module is TypeScript; once built it is JavaScript: the worker file matches. Node 20
// worker threads do not inherit tsx's loader, so a TypeScript worker registers it first.
const extension = extname(fileURLToPath(import.meta.url));
const workerUrl = new URL(`./worker${extension}`, import.meta.url);
const workerSource: URL | string =
  extension === '.ts'
    ? `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((tsx) => { tsx.register(); return import(${JSON.stringify(workerUrl.href)}); });`
    : workerUrl;

// Workers that finished a job cleanly wait here for the next one (starting pdf.js costs ~0.3 s).
const idle: Worker[] = [];
const MAX_IDLE = 2;

function spawn(limits: DocumentLimits): Worker {
  const worker = new Worker(workerSource, {
    eval: typeof workerSource === 'string',
    resourceLimits: { maxOldGenerationSizeMb: limits.maxParserMemoryMb, maxYoungGenerationSizeMb: 64 },
    stdout: true,
    stderr: true,
  });
  // pdf.js warns on stdout about damaged objects; the text may quote the document.
  worker.stdout.resume();
  worker.stderr.resume();
  return worker;
}

/**
 * Terminates the idle PDF workers. Their output streams keep a message port open, so a process
 * (a CLI command, a test file) calls this when it is done with PDFs, or it would not exit.
 *
 * @example
 * ```ts
 * await closeIdlePdfWorkers();
 * ```
 */
export async function closeIdlePdfWorkers(): Promise<void> {
  const workers = idle.splice(0, idle.length);
  await Promise.all(workers.map((worker) => worker.terminate().catch(() => undefined)));
}

/**
 * Runs a PDF job in a worker thread with a heap limit and a watchdog that allows
 * `limits.pageTimeoutMs` per page (the document's opening counts as a page). `onPage` sees each
 * page as it is ready, so OCR can start while later pages are still being read. A worker that
 * runs out of memory or time is terminated and the job fails with VEIL_LIMIT_MEMORY or
 * VEIL_LIMIT_TIME; nothing it produced is kept. Resolves to the document's page count.
 *
 * @example
 * ```ts
 * const count = await runPdfJob({ kind: 'parse', bytes, limits, dpi: 300, ocrMode: 'auto' }, (page) => pages.push(page));
 * ```
 */
export function runPdfJob(
  job: PdfJob,
  onPage: (page: PdfPageMessage, pages: number) => void,
): Promise<number> {
  return new Promise((resolve, reject) => {
    // A reused worker must have been started with the same heap limit.
    const reusable = idle.findIndex(
      (w) => (w as Worker & { heapLimit?: number }).heapLimit === job.limits.maxParserMemoryMb,
    );
    const fresh = reusable < 0;
    const worker = fresh ? spawn(job.limits) : idle.splice(reusable, 1)[0]!;
    (worker as Worker & { heapLimit?: number }).heapLimit = job.limits.maxParserMemoryMb;
    worker.ref();
    let settled = false;
    let pages = 0;
    let timer: NodeJS.Timeout | undefined;
    const finish = (error?: VeilError, healthy = false): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      worker.removeAllListeners('message').removeAllListeners('error').removeAllListeners('exit');
      // A worker being terminated can still report running out of memory; that is no longer news.
      worker.on('error', () => undefined);
      if (healthy && idle.length < MAX_IDLE) {
        // An idle worker must not keep the process alive; it is simply dropped at exit.
        worker.unref();
        worker.on('exit', () => idle.splice(idle.indexOf(worker) >>> 0, idle.includes(worker) ? 1 : 0));
        idle.push(worker);
      } else void worker.terminate();
      if (error) reject(error);
      else resolve(pages);
    };
    const arm = (): void => {
      clearTimeout(timer);
      timer = setTimeout(
        () =>
          finish(
            new VeilError(
              'VEIL_LIMIT_TIME',
              `a PDF page took longer than limits.pageTimeoutMs (${job.limits.pageTimeoutMs} ms)`,
            ),
          ),
        job.limits.pageTimeoutMs,
      );
    };
    // The watchdog times the document, not the worker's start-up (loading pdf.js, which under load
    // or a TypeScript loader takes long and says nothing about the document): a fresh worker is
    // sent its job, and timed, once it says it is ready.
    const start = (): void => {
      arm();
      worker.postMessage(job);
    };
    worker.on('message', (message: PdfMessage) => {
      if (settled) return;
      if (message.type === 'ready') {
        if (fresh) start();
      } else if (message.type === 'open') {
        pages = message.pages;
        if (pages > job.limits.maxPages)
          finish(
            new VeilError(
              'VEIL_LIMIT_PAGES',
              `PDF has more than limits.maxPages (${job.limits.maxPages}) pages`,
            ),
          );
        else arm();
      } else if (message.type === 'page') {
        arm();
        try {
          onPage(message, pages);
        } catch (error) {
          finish(
            error instanceof VeilError
              ? error
              : new VeilError('VEIL_INTERNAL', 'a PDF page could not be processed', { cause: error }),
          );
        }
      } else if (message.type === 'done') finish(undefined, true);
      // A parse error leaves pdf.js in a clean state (the document was destroyed), so the worker is kept.
      else finish(new VeilError(message.code, message.message), true);
    });
    worker.on('error', (error: Error & { code?: string }) => {
      finish(
        error.code === 'ERR_WORKER_OUT_OF_MEMORY'
          ? new VeilError(
              'VEIL_LIMIT_MEMORY',
              `parsing the PDF needed more than limits.maxParserMemoryMb (${job.limits.maxParserMemoryMb} MiB)`,
            )
          : new VeilError('VEIL_MALFORMED_DOCUMENT', 'PDF is damaged and could not be parsed', {
              cause: error,
            }),
      );
    });
    worker.on('exit', () =>
      finish(new VeilError('VEIL_MALFORMED_DOCUMENT', 'the PDF parser stopped unexpectedly')),
    );
    if (!fresh) start();
  });
}
