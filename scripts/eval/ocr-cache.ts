// A cache of parsed (OCR'd) documents for evaluation scripts, outside the repository: OCR of the
// 40 SROIE receipts takes minutes, and tuning extraction rules should not wait for it each time.
// Evaluation data only (third-party receipts), so the cache is plain JSON in the temp directory.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Document } from '../../src/documents/model.js';
import { parseDocument, type ParseOptions } from '../../src/documents/parse.js';
import type { OcrEngineChoice } from '../../src/documents/ocr/engine.js';
import { autoOcrEngine } from '../../src/documents/ocr/select.js';

const CACHE_DIR = join(tmpdir(), 'veil-eval-ocr-cache');

/**
 * The OCR code's own fingerprint (every file under src/documents/ocr): a change to an engine or
 * its settings reads afresh instead of scoring an older reading from the cache.
 */
const OCR_SOURCES = fileURLToPath(new URL('../../src/documents/ocr/', import.meta.url));
const OCR_FINGERPRINT = readdirSync(OCR_SOURCES)
  .sort()
  .reduce(
    (hash, name) => hash.update(name).update(readFileSync(join(OCR_SOURCES, name))),
    createHash('sha256'),
  )
  .digest('hex')
  .slice(0, 12);

/**
 * The parsed document for `bytes`, from the cache when it holds one, else parsed and stored.
 * `engine` names the OCR engine in `options.ocr` when the caller chose one, so each engine's
 * reading is cached apart; without it the shared engine (`auto`) reads, keyed by the engine `auto`
 * picks on this machine. `languages` (the tesseract CLI's models, `VEIL_OCR_LANGS`) keys the
 * reading too when set.
 */
export async function cachedParse(
  bytes: Uint8Array,
  options: ParseOptions = {},
  engine?: Exclude<OcrEngineChoice, 'auto'>,
  languages?: string,
): Promise<{ doc: Document; cached: boolean }> {
  const reader = engine ?? (await autoOcrEngine());
  const setting = languages === undefined ? '' : `-${languages.replace(/\//g, '_')}`;
  const key = `${createHash('sha256').update(bytes).digest('hex')}-${OCR_FINGERPRINT}-${reader}${setting}`;
  const path = join(CACHE_DIR, `${key}.json`);
  if (existsSync(path)) return { doc: JSON.parse(readFileSync(path, 'utf8')) as Document, cached: true };
  const doc = await parseDocument(bytes, options);
  mkdirSync(CACHE_DIR, { recursive: true });
  writeFileSync(path, JSON.stringify(doc));
  return { doc, cached: false };
}

// Run directly, it fills the cache for every SROIE receipt.
if (process.argv[1]?.endsWith('ocr-cache.ts')) {
  const { closeDocumentResources } = await import('../../src/documents/resources.js');
  const root = fileURLToPath(new URL('../../../shared/eval/sroie/img/', import.meta.url));
  const started = Date.now();
  for (const name of readdirSync(root)
    .filter((n) => n.endsWith('.jpg'))
    .sort()) {
    const t = Date.now();
    const { cached } = await cachedParse(readFileSync(join(root, name)));
    console.log(`${name} ${cached ? 'cached' : `${Date.now() - t} ms`}`);
  }
  console.log(`done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  await closeDocumentResources();
}
