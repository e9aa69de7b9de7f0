// Document throughput: text-PDF parsing pages/s; OCR seconds per page for tesseract.js against the
// native tesseract CLI on the same images, prepared as parseImage prepares them, with the same model
// and settings (one worker vs one thread, so the ratio is per core); redaction seconds per page
// (rasterise + residual check).
// Usage: npm run bench:documents [-- --images N]
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import sharp from 'sharp';
import { createTesseractOcr } from '../../src/documents/ocr/pool.js';
import { prepareForOcr } from '../../src/documents/ocr/prepare.js';
import { parseDocument } from '../../src/documents/parse.js';
import { redactDocument } from '../../src/documents/redact.js';
import { closeDocumentResources } from '../../src/documents/resources.js';

const run = promisify(execFile);
const imagesArg = process.argv.indexOf('--images');
const imageCount = imagesArg > 0 ? Number(process.argv[imagesArg + 1]) : 5;
const seconds = (ms: number): string => (ms / 1000).toFixed(3);

async function textPdf(pages: number, line: (page: number) => string): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  for (let p = 0; p < pages; p++) {
    const page = doc.addPage([612, 792]);
    for (let l = 0; l < 40; l++)
      page.drawText(
        l === 20 ? line(p) : `Line ${l} of page ${p + 1}: the quick brown fox jumps over the lazy dog.`,
        { x: 50, y: 740 - l * 17, size: 11, font },
      );
  }
  return doc.save();
}

async function textPdfRate(): Promise<void> {
  const pdf = await textPdf(50, (p) => `Reference ${p}`);
  await parseDocument(pdf, { ocrMode: 'never' }); // warm-up: worker start, font data
  const started = performance.now();
  const rounds = 3;
  for (let i = 0; i < rounds; i++) await parseDocument(pdf, { ocrMode: 'never' });
  const ms = performance.now() - started;
  console.log(
    `text PDF parsing: ${((50 * rounds) / (ms / 1000)).toFixed(1)} pages/s (50-page PDF, 40 lines/page, ${rounds} rounds)`,
  );
}

async function ocrImages(): Promise<Buffer[]> {
  const sroie = fileURLToPath(new URL('../../../shared/eval/sroie/img/', import.meta.url));
  if (existsSync(sroie)) {
    const names = readdirSync(sroie)
      .filter((n) => n.endsWith('.jpg'))
      .sort()
      .slice(0, imageCount);
    return Promise.all(
      names.map(async (n) => (await prepareForOcr(sharp(readFileSync(join(sroie, n))).autoOrient())).png),
    );
  }
  console.log('(SROIE not found: OCR bench uses generated pages)');
  const svg = (i: number): string =>
    `<svg xmlns="http://www.w3.org/2000/svg" width="1700" height="2200"><rect width="100%" height="100%" fill="white"/>${Array.from({ length: 40 }, (_, l) => `<text x="100" y="${120 + l * 50}" font-family="sans-serif" font-size="30">Page ${i} line ${l}: invoice 4521 paid by card on 12/03/2024.</text>`).join('')}</svg>`;
  return Promise.all(
    Array.from({ length: imageCount }, async (_, i) => (await prepareForOcr(sharp(Buffer.from(svg(i))))).png),
  );
}

async function ocrRatio(): Promise<void> {
  const images = await ocrImages();
  const ocr = createTesseractOcr({ workers: 1 });
  await ocr.recognize(images[0]!); // warm-up: worker start and model load are not per-page costs
  const timed = async (work: () => Promise<unknown>): Promise<number> => {
    const started = performance.now();
    await work();
    return performance.now() - started;
  };
  try {
    await run('tesseract', ['--version']);
  } catch {
    let js = 0;
    for (const image of images) js += await timed(() => ocr.recognize(image));
    await ocr.close();
    console.log(`OCR tesseract.js: ${seconds(js / images.length)} s/page (${images.length} pages, 1 worker)`);
    console.log(
      'native tesseract: skipped (the `tesseract` CLI is not installed; apt-get install tesseract-ocr)',
    );
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'veil-bench-'));
  try {
    // The model tesseract.js loads (the bundled best_int English data), one thread like one
    // tesseract.js worker, and the worker's settings: LSTM engine, one uniform block, 300 dpi.
    const require = createRequire(import.meta.url);
    const model = join(
      dirname(require.resolve('@tesseract.js-data/eng/package.json')),
      '4.0.0_best_int',
      'eng.traineddata.gz',
    );
    writeFileSync(join(dir, 'eng.traineddata'), gunzipSync(readFileSync(model)));
    const args = (file: string): string[] => [
      file,
      '-',
      '--tessdata-dir',
      dir,
      '-l',
      'eng',
      '--oem',
      '1',
      '--psm',
      '6',
      '--dpi',
      '300',
    ];
    const env = { ...process.env, OMP_THREAD_LIMIT: '1' };
    const files = images.map((image, i) => {
      const path = join(dir, `${i}.png`);
      writeFileSync(path, image);
      return path;
    });
    await run('tesseract', args(files[0]!), { env });
    // Page by page, alternating which engine goes first, so load from elsewhere on the machine
    // falls on both alike.
    let js = 0;
    let native = 0;
    for (const [i, image] of images.entries()) {
      const readJs = (): Promise<number> => timed(() => ocr.recognize(image));
      const readNative = (): Promise<number> =>
        timed(() => run('tesseract', args(files[i]!), { env, maxBuffer: 16 * 1024 * 1024 }));
      if (i % 2 === 0) [js, native] = [js + (await readJs()), native + (await readNative())];
      else [native, js] = [native + (await readNative()), js + (await readJs())];
    }
    console.log(`OCR tesseract.js: ${seconds(js / images.length)} s/page (${images.length} pages, 1 worker)`);
    console.log(
      `OCR native tesseract: ${seconds(native / images.length)} s/page; tesseract.js / native = ${(js / native).toFixed(2)}x (target <= 1.2x)`,
    );
  } finally {
    await ocr.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function redactionRate(): Promise<void> {
  const pages = 4;
  const pdf = await textPdf(pages, (p) => `Contact: person${p}@example.org`);
  const started = performance.now();
  const out = await redactDocument(pdf, { detection: { entities: ['EMAIL_ADDRESS'] } });
  const ms = performance.now() - started;
  console.log(
    `PDF redaction: ${seconds(ms / pages)} s/page (${pages} pages, all rasterised at 200 dpi, residual check with OCR; residual ${out.residual})`,
  );
}

const ocr = createTesseractOcr();
try {
  await textPdfRate();
  await ocrRatio();
  await redactionRate();
} finally {
  await ocr.close();
  // The shared OCR pool and idle PDF parser threads would keep the process alive.
  await closeDocumentResources();
}
