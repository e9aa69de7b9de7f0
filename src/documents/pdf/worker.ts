// The isolated PDF process: pdf.js parses and renders here, in a worker thread with its own heap
// limit, so a hostile PDF that loops or allocates without bound is stopped without touching the
// caller. It posts one message per page; the caller's watchdog restarts on each. A worker that
// finished a job cleanly is reused for the next; one that failed a limit is terminated.
import { parentPort } from 'node:worker_threads';
import { isVeilError } from '../../errors/veil-error.js';
import type { PdfJob, PdfMessage } from './sandbox.js';
import { DEFAULT_LIMITS } from '../limits.js';
import { openPdf, pdfError } from './open.js';
import { renderPage, renderScale } from './render.js';
import { largeImages } from './images.js';
import { needsOcr, textLayerLines } from './text-layer.js';
import { enclosing, inPoints, linesInside } from '../inside.js';

const post = (message: PdfMessage, transfer: ArrayBuffer[] = []): void =>
  parentPort?.postMessage(message, transfer);

async function run(job: PdfJob): Promise<void> {
  const { pdf, close } = await openPdf(job.bytes, job.limits);
  try {
    post({ type: 'open', pages: pdf.numPages });
    if (pdf.numPages > job.limits.maxPages) return;
    for (let number = 1; number <= pdf.numPages; number++) {
      // Pages the caller did not ask for are never opened, read or rendered.
      if ((job.kind === 'parse' || job.kind === 'render') && job.pages && !job.pages.includes(number))
        continue;
      if (job.kind === 'crop' && number !== job.page) continue;
      const proxy = await pdf.getPage(number);
      const { width, height } = proxy.getViewport({ scale: 1 });
      if (job.kind === 'parse') {
        // Only the part of the page the caller asked to read is kept or rendered (input
        // minimisation): text-layer words outside the regions never leave this worker.
        const asked = job.regions?.[number];
        const mine = asked && inPoints(asked, width, height);
        let lines = job.ocrMode === 'always' ? [] : await textLayerLines(proxy);
        if (mine) lines = linesInside(lines, mine);
        let ocr = job.ocrMode !== 'never' && needsOcr(lines);
        // A trusted text layer says nothing about the images beside it: large ones are OCR'd too.
        // When the images cannot be listed, the whole page is OCR'd rather than trusted unseen.
        const images = job.ocrMode === 'auto' && !ocr ? await largeImages(proxy).catch(() => undefined) : [];
        if (images === undefined) [lines, ocr] = [[], true];
        const clip = mine && enclosing(mine);
        // renderPage clips in pixels of the whole rendered page; the region is in points.
        const scale = clip ? renderScale(width, height, job.dpi, job.limits) : 1;
        const pixels = clip && {
          x: clip.x * scale,
          y: clip.y * scale,
          width: clip.width * scale,
          height: clip.height * scale,
        };
        const rendered =
          ocr || (images?.length ?? 0) > 0
            ? await renderPage(proxy, {
                dpi: job.dpi,
                limits: job.limits,
                ...(pixels ? { clip: pixels } : {}),
              })
            : undefined;
        const extra = rendered
          ? {
              png: rendered.png,
              scale: rendered.scale,
              ...(images && images.length > 0 ? { images } : {}),
              ...(clip ? { origin: { x: clip.x, y: clip.y } } : {}),
            }
          : {};
        post(
          { type: 'page', number, width, height, lines, ...extra },
          rendered ? [rendered.png.buffer as ArrayBuffer] : [],
        );
      } else {
        const fill = job.kind === 'crop' ? job.fill : job.fill[number];
        const clip = job.kind === 'crop' ? { clip: job.clip } : {};
        const rendered =
          job.kind === 'crop' || job.all || fill
            ? await renderPage(proxy, { dpi: job.dpi, limits: job.limits, fill: fill ?? [], ...clip })
            : undefined;
        post(
          {
            type: 'page',
            number,
            width,
            height,
            lines: [],
            ...(rendered ? { png: rendered.png, scale: rendered.scale } : {}),
          },
          rendered ? [rendered.png.buffer as ArrayBuffer] : [],
        );
      }
      proxy.cleanup();
    }
  } finally {
    await close();
  }
}

// One job at a time: the caller sends the next job only after `done` or `error`.
parentPort?.on('message', (job: PdfJob) => {
  run(job).then(
    () => post({ type: 'done' }),
    (error: unknown) => {
      const veil = isVeilError(error) ? error : pdfError(error);
      post({ type: 'error', code: veil.code, message: veil.message });
    },
  );
});

// A one-page PDF of Veil's own, opened once before the first job: pdf.js loads its fake worker on
// the first document it opens, so that start-up is done here and not counted as a job's page time.
const WARM_UP = Buffer.from(
  '%PDF-1.1\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n' +
    '3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 10 10]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n',
  'latin1',
);
void openPdf(WARM_UP, DEFAULT_LIMITS)
  .then((open) => open.close())
  .catch(() => undefined)
  .finally(() => post({ type: 'ready' }));
