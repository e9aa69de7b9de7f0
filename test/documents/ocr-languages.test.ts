import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createNativeTesseractOcr,
  missingTesseractLanguages,
  nativeTesseractAvailable,
  nativeTesseractMissing,
} from '../../src/documents/ocr/native.js';
import { createOcr, useSharedOcr } from '../../src/documents/ocr/select.js';
import { loadConfig } from '../../src/runtime/config.js';
import { ocrFromConfig } from '../../src/runtime/ocr.js';
import { textImage } from './fixtures.js';

/**
 * A stand-in `tesseract` with English and no Malay: `--list-langs` lists `eng` and `osd`, and a
 * reading returns one word, the `-l` it was given, so a test sees which models a reading asked for
 * (and its arguments go to `FAKE_TESSERACT_LOG` when that is set).
 */
const FAKE_TESSERACT = `#!/bin/sh
if [ "$1" = "--list-langs" ]; then
  printf 'List of available languages in "/nowhere/tessdata/" (2):\\neng\\nosd\\n'
  exit 0
fi
lang=none
if [ -n "$FAKE_TESSERACT_LOG" ]; then echo "$*" >> "$FAKE_TESSERACT_LOG"; fi
while [ $# -gt 0 ]; do
  if [ "$1" = "-l" ]; then lang="$2"; fi
  shift
done
cat >/dev/null
printf 'level\\tpage_num\\tblock_num\\tpar_num\\tline_num\\tword_num\\tleft\\ttop\\twidth\\theight\\tconf\\ttext\\n'
printf '5\\t1\\t1\\t1\\t1\\t1\\t10\\t10\\t80\\t20\\t91\\t%s\\n' "$lang"
`;

let bin: string;
let fake: string;
let image: Uint8Array;

before(async () => {
  bin = await mkdtemp(join(tmpdir(), 'veil-fake-tesseract-'));
  fake = join(bin, 'tesseract');
  await writeFile(fake, FAKE_TESSERACT);
  await chmod(fake, 0o700);
  image = await textImage(['JALAN BESAR']);
});

after(async () => {
  await rm(bin, { recursive: true, force: true });
});

const firstWord = async (languages?: string): Promise<string | undefined> => {
  const ocr = createNativeTesseractOcr({ binary: fake, processes: 1, ...(languages ? { languages } : {}) });
  try {
    return (await ocr.recognize(image)).lines[0]?.[0]?.text;
  } finally {
    await ocr.close();
  }
};

describe('the native engine reads with the models it is given', () => {
  test('English when none is set, else the models named, as tesseract -l takes them', async () => {
    assert.equal(await firstWord(), 'eng');
    assert.equal(await firstWord('eng+msa'), 'eng+msa');
    assert.equal(await firstWord('msa+eng'), 'msa+eng');
  });

  test('a setting that is not a list of model names is refused before any process starts', () => {
    for (const languages of ['eng msa', 'eng+', '-l', 'eng;true', '../eng'])
      assert.throws(() => createNativeTesseractOcr({ binary: fake, languages }), {
        code: 'VEIL_CONFIG_INVALID',
      });
    assert.throws(() => createNativeTesseractOcr({ binary: fake, model: 'best_int', languages: 'eng+msa' }), {
      code: 'VEIL_CONFIG_INVALID',
    });
  });
});

describe('checking the models asked for', () => {
  test('lists the models tesseract does not have, or null when it does not run', async () => {
    assert.deepEqual(await missingTesseractLanguages('eng', fake), []);
    assert.deepEqual(await missingTesseractLanguages('eng+msa', fake), ['msa']);
    assert.deepEqual(await missingTesseractLanguages('msa+Latin+eng', fake), ['msa', 'Latin']);
    assert.equal(await missingTesseractLanguages('eng', '/nonexistent/tesseract'), null);
    assert.equal(await nativeTesseractAvailable(fake), true);
    assert.equal(await nativeTesseractAvailable(fake, 'eng+msa'), false);
  });

  test('the error names the Debian package of each missing model', () => {
    const error = nativeTesseractMissing('tesseract', ['msa', 'Latin', 'script/Cyrillic', 'chi_sim']);
    assert.equal(error.code, 'VEIL_OCR_UNAVAILABLE');
    assert.match(
      error.message,
      /apt-get install tesseract-ocr-msa tesseract-ocr-script-latn tesseract-ocr-script-cyrl tesseract-ocr-chi-sim\b/,
    );
    assert.match(nativeTesseractMissing('tesseract', null).message, /apt-get install tesseract-ocr\)/);
  });

  test('VEIL_OCR_LANGS is validated, unset by default, and its models are checked at start', async () => {
    assert.equal(loadConfig({}).config.VEIL_OCR_LANGS, undefined);
    assert.equal(loadConfig({ VEIL_OCR_LANGS: 'eng+msa' }).config.VEIL_OCR_LANGS, 'eng+msa');
    assert.throws(
      () => loadConfig({ VEIL_OCR_LANGS: 'eng msa' }),
      (error: Error & { code?: string }) => {
        assert.equal(error.code, 'VEIL_CONFIG_INVALID');
        assert.match(error.message, /VEIL_OCR_LANGS: expected tesseract models joined by \+/);
        return true;
      },
    );
    const path = process.env.PATH;
    process.env.PATH = `${bin}:${path ?? ''}`;
    try {
      await assert.rejects(
        ocrFromConfig({ VEIL_OCR: 'native', VEIL_OCR_LANGS: 'eng+msa' }),
        (error: Error & { code?: string }) => {
          assert.equal(error.code, 'VEIL_OCR_UNAVAILABLE');
          assert.match(error.message, /no model for msa \(apt-get install tesseract-ocr-msa\)/);
          return true;
        },
      );
    } finally {
      process.env.PATH = path;
    }
  });
});

describe('paddle-checked reads with English and Malay unless told otherwise', () => {
  const withFakeOnPath = async <T>(act: () => Promise<T>): Promise<T> => {
    const path = process.env.PATH;
    process.env.PATH = `${bin}:${path ?? ''}`;
    try {
      return await act();
    } finally {
      process.env.PATH = path;
    }
  };

  test('its tesseract is asked for eng+msa, and for the setting when one is given', async () => {
    const log = join(bin, 'args.log');
    process.env.FAKE_TESSERACT_LOG = log;
    try {
      for (const languages of [undefined, 'eng']) {
        const checked = createOcr('paddle-checked', {
          native: { binary: fake, processes: 1, ...(languages ? { languages } : {}) },
          paddle: { concurrency: 1 },
        });
        try {
          await checked.recognize(image);
        } finally {
          await checked.close();
        }
      }
      const runs = (await readFile(log, 'utf8')).trim().split('\n');
      assert.match(runs[0]!, / -l eng\+msa /);
      assert.match(runs.at(-1)!, / -l eng /);
    } finally {
      delete process.env.FAKE_TESSERACT_LOG;
    }
  });

  test('without the Malay model it stops at start naming its package, unless VEIL_OCR_LANGS=eng', async () => {
    await withFakeOnPath(async () => {
      await assert.rejects(
        ocrFromConfig({ VEIL_OCR: 'paddle-checked' }),
        (error: Error & { code?: string }) => {
          assert.equal(error.code, 'VEIL_OCR_UNAVAILABLE');
          assert.match(error.message, /apt-get install tesseract-ocr-msa\), or set VEIL_OCR_LANGS=eng/);
          return true;
        },
      );
      await ocrFromConfig({ VEIL_OCR: 'paddle-checked', VEIL_OCR_LANGS: 'eng' });
      await ocrFromConfig({ VEIL_OCR: 'native' });
    });
    await useSharedOcr('auto');
  });
});
