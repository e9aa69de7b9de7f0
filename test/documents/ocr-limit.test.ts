/**
 * The page time limit of OCR under load: it counts an image's own reading, not its wait for a free
 * process, and a page past it fails alone. The engine is the native driver over a stand-in
 * `tesseract` (a shell script that takes a fixed time per image), so the timings are the
 * script's, whatever the machine's load.
 */
import assert from 'node:assert/strict';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createNativeTesseractOcr } from '../../src/documents/ocr/native.js';
import { parseContext } from '../../src/documents/parse.js';
import { recognizeWithin } from '../../src/documents/parsers/context.js';

let dir: string;
let binary: string;
// An image of more than 1,000 bytes takes 10 s to read; any other 0.6 s. Either prints one word.
const SCRIPT = `#!/bin/sh
size=$(wc -c)
if [ "$size" -gt 1000 ]; then sleep 10 >/dev/null 2>&1; else sleep 0.6 >/dev/null 2>&1; fi
printf 'level\\tpage_num\\tblock_num\\tpar_num\\tline_num\\tword_num\\tleft\\ttop\\twidth\\theight\\tconf\\ttext\\n'
printf '5\\t1\\t1\\t1\\t1\\t1\\t10\\t10\\t40\\t12\\t95\\tWORD\\n'
`;
const quick = new Uint8Array(16);
const slow = new Uint8Array(2000);

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'veil-ocr-limit-'));
  binary = join(dir, 'tesseract');
  await writeFile(binary, SCRIPT);
  await chmod(binary, 0o700);
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('pages queued behind one another are not timed out by their wait', async () => {
  const ocr = createNativeTesseractOcr({ binary, processes: 1 });
  const context = parseContext({ ocr, limits: { pageTimeoutMs: 2500 } });
  try {
    // Five pages on one process take 3 s or more in all; each one's own reading takes 0.6 s.
    const started = performance.now();
    const results = await Promise.all(
      [1, 2, 3, 4, 5].map((n) => recognizeWithin(context, quick, `OCR of page ${n}`)),
    );
    assert.ok(performance.now() - started > 2500, 'the last page waited longer than the limit');
    for (const result of results)
      assert.deepEqual(
        result.lines[0]!.map((w) => w.text),
        ['WORD'],
      );
  } finally {
    await ocr.close();
  }
});

test('a page past the limit fails alone with VEIL_LIMIT_TIME; the pages beside it are read', async () => {
  const ocr = createNativeTesseractOcr({ binary, processes: 2 });
  const context = parseContext({ ocr, limits: { pageTimeoutMs: 2000 } });
  try {
    const outcomes = await Promise.allSettled([
      recognizeWithin(context, slow, 'OCR of page 9'),
      ...[1, 2, 3].map((n) => recognizeWithin(context, quick, `OCR of page ${n}`)),
    ]);
    const [stuck, ...others] = outcomes;
    assert.equal(stuck!.status, 'rejected');
    const error = (stuck as PromiseRejectedResult).reason as Error & { code?: string };
    assert.equal(error.code, 'VEIL_LIMIT_TIME');
    assert.equal(error.message, 'OCR of page 9 took longer than limits.pageTimeoutMs (2000 ms)');
    // Before, the timeout reset the shared engine: every other page in flight or queued failed too.
    assert.deepEqual(
      others.map((o) => o.status),
      ['fulfilled', 'fulfilled', 'fulfilled'],
    );
  } finally {
    await ocr.close();
  }
});
