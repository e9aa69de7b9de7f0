import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import JSZip from 'jszip';
import sharp from 'sharp';
import {
  analyzeDocument,
  closeDocumentResources,
  documentText,
  parseDocument,
  sniffType,
} from '../../src/documents/index.js';
import { openZip } from '../../src/documents/archive/zip.js';
import { DEFAULT_LIMITS, resolveLimits } from '../../src/documents/limits.js';
import { CANARY_EMAIL, CANARY_SSN, docx, eml, textPdf, utf8 } from './fixtures.js';

after(closeDocumentResources);

const codeOf = async (work: Promise<unknown>): Promise<string> => {
  try {
    await work;
    return 'no error';
  } catch (error) {
    return (error as { code?: string }).code ?? 'not a VeilError';
  }
};

describe('type detection from content', () => {
  test('each format is recognised from its bytes alone', async () => {
    assert.equal((await sniffType(await textPdf([['hello']]))).format, 'pdf');
    assert.equal((await sniffType(await docx(['hello']))).format, 'docx');
    assert.equal(
      (
        await sniffType(
          await sharp({ create: { width: 4, height: 4, channels: 3, background: '#fff' } })
            .webp()
            .toBuffer(),
        )
      ).mediaType,
      'image/webp',
    );
    assert.equal((await sniffType(utf8('{"a":1}'))).format, 'json');
    assert.equal((await sniffType(utf8('{"a":1}\n{"a":2}\n'))).format, 'ndjson');
    assert.equal((await sniffType(utf8('name,email\nA,a@example.org\nB,b@example.org\n'))).format, 'csv');
    assert.equal((await sniffType(eml('hi'))).format, 'email');
    assert.equal((await sniffType(utf8('Just a note.'))).format, 'text');
  });

  test('unsupported binary types fail with VEIL_UNSUPPORTED_TYPE', async () => {
    const gif = await sharp({ create: { width: 4, height: 4, channels: 3, background: '#fff' } })
      .gif()
      .toBuffer();
    assert.equal(await codeOf(parseDocument(gif)), 'VEIL_UNSUPPORTED_TYPE');
    const zip = await new JSZip().file('a.txt', 'x').generateAsync({ type: 'uint8array' });
    assert.equal(await codeOf(parseDocument(zip)), 'VEIL_UNSUPPORTED_TYPE');
  });
});

describe('parsers', () => {
  test('PDF text layer: findings carry page and word boxes in points', async () => {
    const pdf = await textPdf([['Nothing here.'], [`Contact: ${CANARY_EMAIL}`]]);
    const { findings, pageCount, format } = await analyzeDocument(pdf, {
      detection: { entities: ['EMAIL_ADDRESS'] },
    });
    assert.equal(format, 'pdf');
    assert.equal(pageCount, 2);
    assert.equal(findings.length, 1);
    const [finding] = findings;
    assert.equal(finding?.type, 'EMAIL_ADDRESS');
    assert.equal(finding?.page, 2);
    assert.equal(finding?.boxes.length, 1);
    const box = finding!.boxes[0]!;
    // drawText at x=72, baseline y=700 on a 792 pt page: top of the 14 pt em box is at 792-700-14 = 78.
    assert.equal(box.page, 2);
    assert.ok(box.x > 72 + 40 && box.x < 72 + 70, `box starts after "Contact:" (${box.x})`);
    assert.ok(Math.abs(box.y - 78) < 1, `box top at 78 pt (${box.y})`);
    assert.ok(box.width > 150 && box.width < 200, `box width (${box.width})`);
  });

  test('plain text keeps its exact text; Windows-1252 is decoded', async () => {
    const latin = Uint8Array.from([
      ...Buffer.from('Caf', 'latin1'),
      0xe9,
      ...Buffer.from(` ${CANARY_SSN}\r\nsecond line`, 'latin1'),
    ]);
    const { text } = documentText(await parseDocument(latin));
    assert.equal(text, `Café ${CANARY_SSN}\r\nsecond line`);
  });

  test('CSV cells, JSON leaves and NDJSON lines map findings to cells and JSON pointers', async () => {
    const csv = await analyzeDocument(utf8(`id,contact\n1,${CANARY_EMAIL}\n`), {
      detection: { entities: ['EMAIL_ADDRESS'] },
    });
    assert.deepEqual(
      csv.findings.map((f) => [f.type, f.cell]),
      [['EMAIL_ADDRESS', { table: 0, row: 0, column: 1 }]],
    );
    const json = await analyzeDocument(utf8(JSON.stringify({ user: { emails: ['x', CANARY_EMAIL] } })), {
      detection: { entities: ['EMAIL_ADDRESS'] },
    });
    assert.deepEqual(
      json.findings.map((f) => f.path),
      ['/user/emails/1'],
    );
    const ndjson = await analyzeDocument(utf8(`{"a":"x"}\n{"ssn":"${CANARY_SSN}"}\n`), {
      detection: { entities: ['US_SSN'] },
    });
    assert.deepEqual(
      ndjson.findings.map((f) => [f.type, f.path]),
      [['US_SSN', '/ssn']],
    );
  });

  test('CSV: quoted cells keep their delimiters, quotes and line breaks; a BOM, semicolons and blank lines are handled', async () => {
    const doc = await parseDocument(
      utf8('\ufeffname;note\r\n"Lee, Ann";"said ""hi""\nthen left"\r\n\r\nBob;ok\r\n'),
    );
    assert.equal(doc.format, 'csv');
    assert.deepEqual(doc.tables[0], {
      columns: ['name', 'note'],
      rows: [
        ['Lee, Ann', 'said "hi"\nthen left'],
        ['Bob', 'ok'],
      ],
    });
  });

  test('CSV with a quote never closed fails with VEIL_MALFORMED_CSV and the line, never the content', async () => {
    const rows = Array.from({ length: 30 }, (_, i) => `${i},ok`).join('\n');
    const error = await parseDocument(utf8(`id,value\n${rows}\n31,"${CANARY_SSN}\n32,ok\n`)).then(
      () => undefined,
      (e: unknown) => e as { code?: string; message: string },
    );
    assert.equal(error?.code, 'VEIL_MALFORMED_CSV');
    // csv-parse reports the line it reached: the end, since the quote runs on to it.
    assert.equal(error.message, 'CSV input is malformed at line 33 (CSV_QUOTE_NOT_CLOSED)');
    assert.ok(!error.message.includes(CANARY_SSN));
  });

  test('an HTML-only e-mail body is read as text: entities decoded, scripts dropped, cells apart, link targets kept', async () => {
    const html =
      '<html><head><style>p { color: red }</style><script>var x = "hidden";</script></head><body>' +
      '<h2>Claim for Jane Doe</h2><p>Write to jane&#64;example.org or <a href="mailto:claims@example.org">the claims desk</a>.</p>' +
      '<table><tr><th>Policy</th><td>PX-1234</td></tr><tr><td>Phone</td><td>212-555-0199</td></tr></table></body></html>';
    const message = `From: a@example.com\r\nTo: b@example.com\r\nSubject: Claim\r\nMIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n\r\n${html}\r\n`;
    const text = documentText(await parseDocument(utf8(message))).text;
    assert.match(text, /Claim for Jane Doe/);
    assert.match(text, /Write to jane@example\.org or the claims desk \[claims@example\.org\]\./);
    assert.match(text, /Policy +PX-1234\nPhone +212-555-0199/);
    assert.ok(!text.includes('hidden') && !text.includes('color'), 'scripts and styles are not text');
    // A body of unclosed tags is read in one linear pass, not by a backtracking regex.
    const hostile = `From: a@example.com\r\nContent-Type: text/html\r\n\r\n${'<script '.repeat(100_000)}`;
    assert.equal((await parseDocument(utf8(hostile))).format, 'email');
  });

  test('DOCX body and header paragraphs are read through the bounded zip reader', async () => {
    const doc = await parseDocument(
      await docx([`Email ${CANARY_EMAIL}`, 'Second & last'], `SSN ${CANARY_SSN}`),
    );
    assert.equal(doc.format, 'docx');
    assert.equal(documentText(doc).text, `Email ${CANARY_EMAIL}\nSecond & last\nSSN ${CANARY_SSN}`);
  });

  test('e-mail headers, body and attachments (recursively) are parsed', async () => {
    const inner = eml(`inner ${CANARY_SSN}`, [
      { name: 'note.txt', type: 'text/plain', content: utf8('deepest note') },
    ]);
    const outer = eml(`Body mentions ${CANARY_EMAIL}`, [
      { name: 'people.csv', type: 'text/csv', content: utf8(`name,ssn\nA,${CANARY_SSN}\n`) },
      { name: 'fwd.eml', type: 'message/rfc822', content: inner },
      { name: 'blob.bin', type: 'application/octet-stream', content: Uint8Array.from([0, 1, 2, 3, 0, 0]) },
    ]);
    const doc = await parseDocument(outer);
    assert.equal(doc.format, 'email');
    assert.equal(doc.tables.length, 1);
    assert.deepEqual(
      doc.pages.map((p) => p.origin ?? 'message'),
      ['message', 'attachment 2', 'attachment 2/attachment 1'],
    );
    const { text } = documentText(doc);
    assert.ok(
      text.startsWith(
        'From: Sender <sender@example.com>\nTo: Records <records@example.com>\nSubject: Case file',
      ),
    );
    assert.ok(text.includes(`inner ${CANARY_SSN}`));
    assert.equal(
      await codeOf(parseDocument(outer, { limits: { maxAttachmentDepth: 1 } })),
      'VEIL_LIMIT_DEPTH',
    );
  });
});

describe('limits', () => {
  test('limits are validated by name', () => {
    assert.throws(() => resolveLimits({ maxPages: -1 }), /limits.maxPages/);
    assert.throws(() => resolveLimits({ nope: 1 } as never), /unknown setting/);
  });

  test('bytes, pages, pixels, JSON depth: each broken limit has its own code', async () => {
    assert.equal(
      await codeOf(parseDocument(utf8('x'.repeat(2000)), { limits: { maxBytes: 1000 } })),
      'VEIL_LIMIT_BYTES',
    );
    assert.equal(
      await codeOf(parseDocument(await textPdf([['a'], ['b'], ['c']]), { limits: { maxPages: 2 } })),
      'VEIL_LIMIT_PAGES',
    );
    // 8000 x 8000 blank pixels compress to a few kilobytes: the size is refused from the header.
    const bomb = await sharp({ create: { width: 8000, height: 8000, channels: 3, background: '#fff' } })
      .png()
      .toBuffer();
    assert.ok(bomb.length < 1_000_000);
    assert.equal(await codeOf(parseDocument(bomb)), 'VEIL_LIMIT_PIXELS');
    assert.equal(await codeOf(parseDocument(utf8('['.repeat(300) + ']'.repeat(300)))), 'VEIL_LIMIT_DEPTH');
  });

  test('zip reader: entry count, expansion ratio, zip-slip names and lying sizes are refused', async () => {
    const many = new JSZip();
    for (let i = 0; i < 20; i++) many.file(`word/f${i}.xml`, 'x');
    assert.throws(() => openZip(utf8('not a zip at all, not even close'), DEFAULT_LIMITS), {
      code: 'VEIL_MALFORMED_DOCUMENT',
    });
    const manyBytes = await many.generateAsync({ type: 'uint8array' });
    assert.throws(() => openZip(manyBytes, resolveLimits({ maxArchiveEntries: 10 })), {
      code: 'VEIL_LIMIT_ARCHIVE',
    });

    const bomb = await (
      await JSZip.loadAsync(await docx(['x']))
    )
      .file('word/document.xml', ' '.repeat(20_000_000))
      .generateAsync({ type: 'uint8array', compression: 'DEFLATE' });
    assert.throws(() => openZip(bomb, DEFAULT_LIMITS), { code: 'VEIL_LIMIT_ARCHIVE' });
    assert.equal(await codeOf(parseDocument(bomb)), 'VEIL_LIMIT_ARCHIVE');

    const slip = await new JSZip().file('../../evil.txt', 'x').generateAsync({ type: 'uint8array' });
    assert.throws(() => openZip(slip, DEFAULT_LIMITS), { code: 'VEIL_MALFORMED_DOCUMENT' });

    const ok = await new JSZip()
      .file('word/document.xml', 'a'.repeat(5000))
      .generateAsync({ type: 'uint8array', compression: 'DEFLATE' });
    assert.equal(
      new TextDecoder().decode(openZip(ok, DEFAULT_LIMITS).read('word/document.xml')).length,
      5000,
    );
    // Declared size patched from 5000 to 50 in the central directory: inflation stops at the bound.
    const lying = Uint8Array.from(ok);
    const view = new DataView(lying.buffer);
    // The entry's central record: its name is the last occurrence, 46 bytes after the record start.
    const central = Buffer.from(lying).lastIndexOf('word/document.xml') - 46;
    view.setUint32(central + 24, 50, true);
    assert.throws(() => openZip(lying, DEFAULT_LIMITS).read('word/document.xml'), {
      code: 'VEIL_LIMIT_ARCHIVE',
    });
  });
});
