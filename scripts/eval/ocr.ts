// OCR and PDF text quality on third-party data: SROIE receipts (character error rate of OCR lines
// against the box/ transcripts, and whether company, date and total appear in the OCR text), and
// pdfminer's expected text for its sample PDFs (whitespace-normalised agreement). The receipts are
// read twice: as the JPEG images they are, and wrapped as image-only PDFs scanned at 200 dpi, which
// goes through the scanned-PDF path (render at 300 dpi, prepare, OCR).
// Each OCR figure is taken for every engine given (`--engine native|wasm`, default both when the
// native tesseract is installed, else tesseract.js alone): accuracy and seconds per receipt.
// Usage: npm run eval:ocr [-- --limit N] [-- --engine native|wasm]
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PDFDocument } from 'pdf-lib';
import type { OcrEngineChoice } from '../../src/documents/ocr/engine.js';
import { nativeTesseractAvailable } from '../../src/documents/ocr/native.js';
import { createOcr } from '../../src/documents/ocr/select.js';
import { parseDocument } from '../../src/documents/parse.js';
import { closeDocumentResources } from '../../src/documents/resources.js';
import { documentText } from '../../src/documents/text.js';

const evalRoot = fileURLToPath(new URL('../../../shared/eval/', import.meta.url));
const limitArg = process.argv.indexOf('--limit');
const limit = limitArg > 0 ? Number(process.argv[limitArg + 1]) : Infinity;
const engineArg = process.argv.indexOf('--engine');
const engines: Exclude<OcrEngineChoice, 'auto'>[] =
  engineArg > 0
    ? [process.argv[engineArg + 1] as Exclude<OcrEngineChoice, 'auto'>]
    : (await nativeTesseractAvailable())
      ? ['native', 'wasm']
      : ['wasm'];

/** Levenshtein distance, two rows. */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++)
      current[j] = Math.min(
        previous[j]! + 1,
        current[j - 1]! + 1,
        previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    previous = current;
  }
  return previous[b.length]!;
}

/**
 * Edit distance from `needle` to its best-matching substring of `hay` (free start and end in
 * `hay`): a transcript line is scored against wherever OCR put it, whatever the reading order.
 */
function substringDistance(needle: string, hay: string): number {
  let previous: number[] = new Array<number>(hay.length + 1).fill(0);
  for (let i = 1; i <= needle.length; i++) {
    const current = [i];
    for (let j = 1; j <= hay.length; j++)
      current[j] = Math.min(
        previous[j]! + 1,
        current[j - 1]! + 1,
        previous[j - 1]! + (needle[i - 1] === hay[j - 1] ? 0 : 1),
      );
    previous = current;
  }
  return Math.min(...previous);
}

const normalise = (text: string): string => text.replace(/\s+/g, ' ').trim();
// SROIE's transcripts are upper case throughout (no line of box/ has a lower-case letter, while the
// receipts print "Date", "Cashier", "tan woon yann"), so they carry no case to compare against: CER
// is taken on upper-cased text. The case-sensitive figure is printed too, for comparison only.
const fold = (text: string): string => normalise(text).toUpperCase();
const squash = (text: string): string => text.replace(/\s+/g, '').toUpperCase();

/** A JPEG as the one image of a PDF page, sized as if it had been scanned at `dpi`. */
async function scannedPdf(jpeg: Uint8Array, dpi: number): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  const image = await pdf.embedJpg(jpeg);
  const [width, height] = [(image.width * 72) / dpi, (image.height * 72) / dpi];
  pdf.addPage([width, height]).drawImage(image, { x: 0, y: 0, width, height });
  return pdf.save();
}

const SCAN_DPI = 200;

async function sroie(asPdf: boolean, engine: Exclude<OcrEngineChoice, 'auto'>): Promise<void> {
  const root = `${evalRoot}sroie/`;
  if (!existsSync(root)) return console.log(`SROIE: skipped (${root} not found)`);
  const ocr = createOcr(engine);
  const names = readdirSync(`${root}img`)
    .filter((n) => n.endsWith('.jpg'))
    .sort()
    .slice(0, limit);
  let errors = 0;
  let chars = 0;
  let lineErrors = 0;
  let lineChars = 0;
  let caseErrors = 0;
  const fields = { company: 0, date: 0, total: 0 };
  const started = Date.now();
  try {
    for (const name of names) {
      const id = name.replace(/\.jpg$/, '');
      const jpeg = readFileSync(`${root}img/${name}`);
      const doc = await parseDocument(asPdf ? await scannedPdf(jpeg, SCAN_DPI) : jpeg, { ocr });
      const text = documentText(doc).text;
      // Transcript lines in reading order, compared with the OCR text as one string: CER is
      // robust to how the two segment lines.
      const truth = readFileSync(`${root}box/${id}.csv`, 'utf8')
        .split('\n')
        .filter((l) => l.trim())
        .map((l) => l.split(',').slice(8).join(','));
      const reference = fold(truth.join(' '));
      errors += distance(fold(text), reference);
      chars += reference.length;
      const hay = fold(text);
      const hayWithCase = normalise(text);
      for (const line of truth.map(normalise).filter(Boolean)) {
        lineErrors += Math.min(line.length, substringDistance(line.toUpperCase(), hay));
        caseErrors += Math.min(line.length, substringDistance(line, hayWithCase));
        lineChars += line.length;
      }
      const key = JSON.parse(readFileSync(`${root}key/${id}.json`, 'utf8')) as Record<string, string>;
      for (const field of ['company', 'date', 'total'] as const)
        if (key[field] && squash(text).includes(squash(key[field]))) fields[field]++;
    }
  } finally {
    await ocr.close();
  }
  const n = names.length;
  console.log(
    `SROIE, ${engine === 'native' ? 'native tesseract' : 'tesseract.js'} (${n} receipts${asPdf ? `, each as an image-only PDF scanned at ${SCAN_DPI} dpi` : ''}): line CER ${((100 * lineErrors) / lineChars).toFixed(2)}% over ${lineChars} characters (each transcript line against its best match in the OCR text, upper-cased like the transcripts)`,
  );
  console.log(
    `  case-sensitive line CER ${((100 * caseErrors) / lineChars).toFixed(2)}% (counts every lower-case letter the receipt prints as an error: the transcripts are all upper case)`,
  );
  console.log(
    `  whole-text CER ${((100 * errors) / chars).toFixed(2)}% (transcript order vs OCR reading order, so layout differences count as errors); ${((Date.now() - started) / 1000 / n).toFixed(2)} s/receipt`,
  );
  console.log(
    `  key fields found in OCR text: company ${fields.company}/${n}, date ${fields.date}/${n}, total ${fields.total}/${n}`,
  );
}

/**
 * How one pdfminer case is scored, as its test compares: the whole text (whitespace-normalised),
 * a prefix, or one line of pdfminer's output, which Veil may join with its neighbours (pdfminer
 * splits table cells into lines, Veil keeps a row on one line), so that one is found as a substring.
 */
function scorePdfCase(
  comparison: string,
  got: string,
  expected: string,
): { exact: boolean; similarity: number; how: string } {
  const [a, b] = [squash(got), squash(expected)];
  if (b.length === 0) return { exact: a.length === 0, similarity: a.length === 0 ? 1 : 0, how: 'exact' };
  if (comparison.startsWith('prefix')) {
    const head = a.slice(0, b.length);
    return { exact: head === b, similarity: Math.max(0, 1 - distance(head, b) / b.length), how: 'prefix' };
  }
  if (comparison.includes('line index'))
    return {
      exact: a.includes(b),
      similarity: Math.max(0, 1 - substringDistance(b, a) / b.length),
      how: 'contains',
    };
  return { exact: a === b, similarity: Math.max(0, 1 - distance(a, b) / b.length), how: 'exact' };
}

async function pdfSamples(): Promise<void> {
  const root = `${evalRoot}pdf/`;
  if (!existsSync(root)) return console.log(`PDF: skipped (${root} not found)`);
  const { cases } = JSON.parse(readFileSync(`${root}expected_text.json`, 'utf8')) as {
    cases: { key: string; pdf: string; expected_text: string; comparison: string }[];
  };
  let agreeing = 0;
  let similarity = 0;
  for (const c of cases) {
    let got = '';
    let source = '';
    try {
      // As `veil extract` reads it: the text layer, or OCR where the layer is missing or garbage.
      const doc = await parseDocument(readFileSync(root + c.pdf));
      got = documentText(doc).text;
      if (doc.pages.some((p) => p.source === 'ocr')) source = ' (OCR)';
    } catch (error) {
      got = `<${(error as { code?: string }).code ?? 'error'}>`;
    }
    // pdfminer puts spaces between the letters of spaced-out text; compare without any whitespace.
    const score = scorePdfCase(c.comparison, got, c.expected_text);
    similarity += score.similarity;
    if (score.exact) agreeing++;
    console.log(
      `  ${c.key.padEnd(40)} ${score.how.padEnd(8)} ${score.exact ? 'agrees' : `similarity ${(100 * score.similarity).toFixed(1)}%`}${source}`,
    );
  }
  console.log(
    `PDF text (${cases.length} pdfminer cases, compared as pdfminer's tests compare): ${agreeing} agree after whitespace normalisation; mean similarity ${((100 * similarity) / cases.length).toFixed(1)}%`,
  );
}

await pdfSamples();
for (const engine of engines) {
  await sroie(false, engine);
  await sroie(true, engine);
}
// Idle PDF and OCR threads would keep the process alive after the figures are printed.
await closeDocumentResources();
