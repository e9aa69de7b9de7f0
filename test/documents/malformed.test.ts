import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createNativeTesseractOcr, nativeTesseractAvailable } from '../../src/documents/ocr/native.js';
import { createTesseractOcr } from '../../src/documents/ocr/pool.js';
import { parseDocument } from '../../src/documents/parse.js';
import { openZip } from '../../src/documents/archive/zip.js';
import { DEFAULT_LIMITS } from '../../src/documents/limits.js';
import { isVeilError } from '../../src/errors/veil-error.js';
import { closeDocumentResources } from '../../src/documents/resources.js';
import { EVAL_URL } from '../repo-paths.js';

const root = fileURLToPath(new URL('security/malformed/', EVAL_URL));
// The test is about parsers meeting hostile bytes; OCR only ever sees the PNG they decode to. The
// native engine reads those in about half the CPU time of tesseract.js (total-pages-zero.tif's three
// fax pages and hopper_bad_exif.jpg, with no time limit: 12 CPU s against 21, in one process) and
// stops an image at its time limit, where a tesseract.js worker reads on and delays the next file.
const ocr = (await nativeTesseractAvailable())
  ? createNativeTesseractOcr({ processes: 1 })
  : createTesseractOcr({ workers: 1 });
after(async () => {
  await ocr.close();
  await closeDocumentResources();
});

function corpus(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return corpus(path);
    return /^(LICENSE|MANIFEST|README)/.test(name) ? [] : [path];
  });
}

const files = existsSync(root) ? corpus(root) : [];
if (files.length === 0)
  test(
    'malformed corpus',
    { skip: `../shared/eval/security/malformed not found at ${root}` },
    () => undefined,
  );

// Tight limits keep the run short; the outcome must still be a VeilError or a parsed document.
const limits = { pageTimeoutMs: 15_000, maxParserMemoryMb: 512 };

for (const path of files) {
  const name = path.slice(root.length);
  test(`malformed: ${name}`, { timeout: 60_000 }, async () => {
    const bytes = readFileSync(path);
    if (name.endsWith('.DANGEROUS')) {
      // Archive bombs and zip-slip files are only ever opened by the bounded in-memory zip reader.
      assert.throws(
        () => openZip(bytes, DEFAULT_LIMITS),
        (error: unknown) => isVeilError(error),
      );
    }
    const before = process.memoryUsage().rss;
    try {
      const doc = await parseDocument(bytes, { ocr, limits });
      assert.ok(Array.isArray(doc.pages), 'a parsed document has pages');
    } catch (error) {
      assert.ok(isVeilError(error), `ends in a VeilError, not ${(error as Error)?.name}`);
      assert.doesNotMatch(error.message, /[\x00-\x08]/, 'message carries no document bytes');
    }
    // Bounded memory: no single file may grow the process by more than 1 GiB.
    assert.ok(process.memoryUsage().rss - before < 1024 * 1024 * 1024, 'memory stays bounded');
  });
}
