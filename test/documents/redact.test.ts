import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import {
  closeDocumentResources,
  documentText,
  operatorRedaction,
  parseDocument,
  redactDocument,
  type TextRedaction,
} from '../../src/documents/index.js';
import type { Finding } from '../../src/engine/types.js';
import { CANARY_EMAIL, CANARY_SSN, docx, eml, rawContains, textImage, textPdf, utf8 } from './fixtures.js';

after(closeDocumentResources);

// Only the canary types, so the tests do not depend on the name tagger's current weights.
const detection = { entities: ['EMAIL_ADDRESS', 'US_SSN'] };

/** Every text Veil can get back out of an output: text layer and OCR of every page. */
async function allText(bytes: Uint8Array): Promise<string> {
  return documentText(await parseDocument(bytes, { ocrMode: 'auto' })).text;
}

function assertNoCanary(bytes: Uint8Array, text: string): void {
  for (const canary of [CANARY_EMAIL, CANARY_SSN, 'zelda.canary']) {
    assert.ok(!rawContains(bytes, canary), `raw bytes hold ${canary}`);
    assert.ok(!text.includes(canary), `extracted text holds ${canary}`);
  }
}

describe('true redaction', () => {
  test('PDF: pages with findings are rasterised, others keep their text; no canary in any layer or metadata', async () => {
    const input = await textPdf([
      [`Patient e-mail ${CANARY_EMAIL}`, `SSN ${CANARY_SSN}`],
      ['Page two has nothing personal.'],
    ]);
    assert.ok(rawContains(input, CANARY_EMAIL), 'fixture metadata holds the canary');
    const out = await redactDocument(input, { detection });
    assert.equal(out.mediaType, 'application/pdf');
    assert.equal(out.residual, 0);
    assert.deepEqual(out.counts, { EMAIL_ADDRESS: 1, US_SSN: 1 });
    assert.equal(out.rasterisedPages, 1);
    const text = await allText(out.bytes);
    assertNoCanary(out.bytes, text);
    assert.match(text, /Page two has nothing personal\./, 'the untouched page keeps its text layer');
    assert.match(text, /Patient/, 'OCR still reads the unredacted words of the rasterised page');
    const { PDFDocument } = await import('pdf-lib');
    const reloaded = await PDFDocument.load(out.bytes, { updateMetadata: false });
    assert.equal(reloaded.getAuthor(), undefined);
    assert.equal(reloaded.getTitle(), undefined);
  });

  test('PDF: a kept page loses attached files, media, actions, link targets and undrawn forms, which nothing reads for PII', async () => {
    const { PDFDict, PDFDocument, PDFName, PDFString, StandardFonts } = await import('pdf-lib');
    const pdf = await PDFDocument.create();
    const font = await pdf.embedFont(StandardFonts.Helvetica);
    pdf.addPage([612, 792]).drawText(`SSN ${CANARY_SSN}`, { x: 72, y: 700, size: 14, font });
    const kept = pdf.addPage([612, 792]);
    kept.drawText('Page two has nothing personal.', { x: 72, y: 700, size: 14, font });
    const { context } = pdf;
    // An attached file whose (uncompressed) contents hold the canary, a mailto link and a page script.
    const file = context.register(context.stream(`notes for ${CANARY_EMAIL}`, { Type: 'EmbeddedFile' }));
    const attachment = context.obj({
      Type: 'Annot',
      Subtype: 'FileAttachment',
      Rect: [72, 600, 90, 618],
      FS: { Type: 'Filespec', F: PDFString.of('notes.txt'), EF: { F: file } },
    });
    const link = context.obj({
      Type: 'Annot',
      Subtype: 'Link',
      Rect: [72, 560, 200, 580],
      A: { S: 'URI', URI: PDFString.of(`mailto:${CANARY_EMAIL}`) },
    });
    kept.node.set(PDFName.of('Annots'), context.obj([context.register(attachment), context.register(link)]));
    kept.node.set(
      PDFName.of('AA'),
      context.obj({ O: { S: 'JavaScript', JS: PDFString.of(`app.alert('${CANARY_EMAIL}')`) } }),
    );
    // A form the page's resources name but its content never draws (left over from an earlier version).
    const leftover = context.register(
      context.stream(`BT /F1 12 Tf 72 500 Td (${CANARY_SSN}) Tj ET`, {
        Type: 'XObject',
        Subtype: 'Form',
        BBox: [0, 0, 612, 792],
      }),
    );
    kept.node.setXObject(PDFName.of('Leftover'), leftover);
    // A logo the page does draw stays.
    kept.drawImage(await pdf.embedPng(await textImage(['LOGO'], { width: 200 })), {
      x: 400,
      y: 700,
      width: 100,
      height: 30,
    });
    const input = await pdf.save({ useObjectStreams: false });
    assert.ok(rawContains(input, CANARY_EMAIL), 'the fixture carries the canary outside any text layer');

    const out = await redactDocument(input, { detection });
    assert.equal(out.rasterisedPages, 1);
    assert.ok(!rawContains(out.bytes, CANARY_EMAIL), 'no attached file, link or script survives');
    assert.ok(!rawContains(out.bytes, CANARY_SSN), 'no undrawn form survives');
    const reloaded = await PDFDocument.load(out.bytes);
    const xobjects = reloaded.getPage(1).node.Resources()?.lookupMaybe(PDFName.of('XObject'), PDFDict);
    assert.equal(xobjects?.keys().length, 1, 'the drawn logo is kept');
    assert.match(
      documentText(await parseDocument(out.bytes, { ocrMode: 'never' })).text,
      /Page two has nothing personal\./,
    );
  });

  test('PDF, searchable: rasterised pages get an invisible OCR text layer of what the redacted image shows', async () => {
    const input = await textPdf([
      [`Patient e-mail ${CANARY_EMAIL}`, `SSN ${CANARY_SSN}`, 'Discharged in good health'],
    ]);
    const out = await redactDocument(input, { detection, searchable: true });
    assert.equal(out.residual, 0);
    assert.equal(out.rasterisedPages, 1);
    // The text layer alone, without OCR: the words come from the layer Veil wrote.
    const layer = documentText(await parseDocument(out.bytes, { ocrMode: 'never' })).text;
    assert.match(layer, /Patient/);
    assert.match(layer, /Discharged/);
    assertNoCanary(out.bytes, await allText(out.bytes));
    assert.ok(!layer.includes(CANARY_SSN) && !layer.includes(CANARY_EMAIL));
  });

  test("PDF with a text layer and a pasted scan: the scan is OCR'd too, and what it shows is burned in", async () => {
    const { PDFDocument, StandardFonts } = await import('pdf-lib');
    const pdf = await PDFDocument.create();
    const page = pdf.addPage([612, 792]);
    page.drawText('Application form, page 1 of 1', {
      x: 72,
      y: 720,
      size: 14,
      font: await pdf.embedFont(StandardFonts.Helvetica),
    });
    // The scanned ID: 1000 x 180 px shown 5 x 0.9 inches, about 200 dpi, below the typed text.
    const scan = await pdf.embedPng(await textImage([`Holder mail ${CANARY_EMAIL}`, `SSN ${CANARY_SSN}`]));
    page.drawImage(scan, { x: 72, y: 500, width: 360, height: 65 });
    const input = await pdf.save();
    const parsed = await parseDocument(input);
    assert.equal(parsed.pages[0]!.source, 'text-layer+ocr');
    assert.match(documentText(parsed).text, /^Application form, page 1 of 1\nHolder mail/);

    const out = await redactDocument(input, { detection });
    assert.deepEqual(out.counts, { EMAIL_ADDRESS: 1, US_SSN: 1 });
    assert.equal(out.rasterisedPages, 1);
    assert.equal(out.residual, 0);
    const text = await allText(out.bytes);
    assertNoCanary(out.bytes, text);
    assert.match(text, /Application form/);
  });

  test('image: boxes burned in, EXIF stripped, OCR finds no canary', async () => {
    const input = await textImage([`Mail ${CANARY_EMAIL}`, `SSN ${CANARY_SSN} today`], {
      exif: true,
      format: 'jpeg',
    });
    assert.ok((await sharp(input).metadata()).exif, 'fixture carries EXIF');
    const out = await redactDocument(input, { detection });
    assert.equal(out.mediaType, 'image/jpeg');
    assert.equal(out.residual, 0);
    assert.deepEqual(out.counts, { EMAIL_ADDRESS: 1, US_SSN: 1 });
    const meta = await sharp(out.bytes).metadata();
    assert.equal(meta.exif, undefined);
    assert.equal(meta.xmp, undefined);
    const text = await allText(out.bytes);
    assertNoCanary(out.bytes, text);
    assert.match(text, /today/);
  });

  test('DOCX, e-mail with attachments, text, CSV and JSON leave as redacted text', async () => {
    const cases: [string, Uint8Array, string][] = [
      ['docx', await docx([`Reach me at ${CANARY_EMAIL}`], `SSN ${CANARY_SSN}`), 'text/plain'],
      [
        'email',
        eml(`Reply to ${CANARY_EMAIL}`, [
          { name: 'ids.csv', type: 'text/csv', content: utf8(`id,ssn\n1,${CANARY_SSN}\n`) },
        ]),
        'text/plain',
      ],
      ['text', utf8(`Call notes: ${CANARY_EMAIL}, SSN ${CANARY_SSN}.\n`), 'text/plain'],
      ['csv', utf8(`id,email,ssn\n1,${CANARY_EMAIL},${CANARY_SSN}\n2,"x, y",none\n`), 'text/csv'],
      [
        'json',
        utf8(JSON.stringify({ patient: { email: CANARY_EMAIL, ids: [CANARY_SSN] } })),
        'application/json',
      ],
    ];
    for (const [name, input, mediaType] of cases) {
      const out = await redactDocument(input, { detection });
      assert.equal(out.mediaType, mediaType, name);
      assert.equal(out.residual, 0, name);
      // The e-mail's From and To addresses are found as well.
      assert.deepEqual(out.counts, { EMAIL_ADDRESS: name === 'email' ? 3 : 1, US_SSN: 1 }, name);
      assertNoCanary(out.bytes, new TextDecoder().decode(out.bytes));
    }
    const csv = await redactDocument(cases[3]![1], { detection });
    assert.equal(
      new TextDecoder().decode(csv.bytes),
      'id,email,ssn\n1,[EMAIL_ADDRESS],[US_SSN]\n2,"x, y",none\n',
    );
    const json = await redactDocument(cases[4]![1], { detection });
    assert.deepEqual(JSON.parse(new TextDecoder().decode(json.bytes)), {
      patient: { email: '[EMAIL_ADDRESS]', ids: ['[US_SSN]'] },
    });
  });

  test('a custom text redactor is used for text formats', async () => {
    const stars = (text: string, findings: readonly Finding[]): TextRedaction => ({
      text: findings.reduceRight((t, f) => t.slice(0, f.start) + '***' + t.slice(f.end), text),
      replacements: ['***'],
    });
    const out = await redactDocument(utf8(`Mail ${CANARY_EMAIL} now`), { detection, redactText: stars });
    assert.equal(new TextDecoder().decode(out.bytes), 'Mail *** now');
  });

  test("DOCX and e-mail go through a policy's operators: numbered tags stay consistent across the whole document", async () => {
    const plan = { default: { operator: 'replace' as const } };
    const input = await docx(
      [`Reach me at ${CANARY_EMAIL}`, `or again at ${CANARY_EMAIL}`],
      `SSN ${CANARY_SSN}`,
    );
    const out = await redactDocument(input, { detection, redactText: operatorRedaction(plan) });
    assert.equal(out.residual, 0);
    const text = new TextDecoder().decode(out.bytes);
    assert.equal(text.match(/<EMAIL_ADDRESS_1>/g)?.length, 2, text);
    assert.match(text, /<US_SSN_1>/);
    assertNoCanary(out.bytes, text);

    const mail = eml(`Reply to ${CANARY_EMAIL}`, [
      { name: 'ids.csv', type: 'text/csv', content: utf8(`id,ssn\n1,${CANARY_SSN}\n`) },
    ]);
    const masked = await redactDocument(mail, {
      detection,
      redactText: operatorRedaction({ default: { operator: 'mask', char: '#' } }),
    });
    assert.equal(masked.residual, 0);
    const maskedText = new TextDecoder().decode(masked.bytes);
    assert.match(maskedText, /#{11}/);
    assertNoCanary(masked.bytes, maskedText);
  });

  test('what an operator wrote is not a residual finding, even when it looks like personal data', async () => {
    // A fixed replacement that is itself an e-mail address: the check must not refuse it...
    const decoy = { default: { operator: 'replace' as const, value: 'privacy@example.org' } };
    const out = await redactDocument(utf8(`Mail ${CANARY_EMAIL} now`), {
      detection,
      redactText: operatorRedaction(decoy),
    });
    assert.equal(new TextDecoder().decode(out.bytes), 'Mail privacy@example.org now');
    assert.equal(out.residual, 0);
    // ...while a redactor that leaves the original in place is caught and refused.
    const leaky = (text: string): TextRedaction => ({ text, replacements: [] });
    await assert.rejects(
      redactDocument(utf8(`Mail ${CANARY_EMAIL} now`), { detection, redactText: leaky }),
      (e: unknown) => (e as { code?: string }).code === 'VEIL_RESIDUAL_PII',
    );
  });
});
