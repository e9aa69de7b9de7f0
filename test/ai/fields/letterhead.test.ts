import { test } from 'node:test';
import assert from 'node:assert/strict';
import { extractFields } from '../../../src/ai/fields/extract.js';
import { createRuleExtractor } from '../../../src/ai/fields/rules/extract.js';
import { layoutLines } from '../../../src/ai/fields/rules/layout.js';
import { loadTemplate } from '../../../src/ai/fields/templates.js';
import type { Document } from '../../../src/documents/model.js';
import { page } from './page.js';

const rules = createRuleExtractor({ calibration: null });

async function receiptFields(doc: Document): Promise<Record<string, unknown>> {
  const { fields } = await extractFields(doc, await loadTemplate('receipt'), { rules });
  return Object.fromEntries(Object.entries(fields).map(([name, f]) => [name, f.value]));
}

/** Item lines that make a receipt long, as a till prints them. */
const items = (from: number, count: number): [number, number, string][] =>
  Array.from({ length: count }, (_, k) => [20, from + 25 * k, `ITEM ${k + 1} 1 X 2.00 2.00`]);

test('depth runs over the printed text: a receipt photographed low in a tall image keeps its letterhead on top', async () => {
  // The receipt starts halfway down a 2000 px photo; a date and a registration number sit
  // between the name and the address, so the address starts on the fourth line.
  const rows: [number, number, string][] = [
    [60, 1000, 'ACME TRADING SDN BHD'],
    [80, 1022, '01 JAN 2020 10:00'],
    [90, 1044, '(123456-A)'],
    [40, 1066, '8, JALAN MAJU 2,KAWASAN INDUSTRI'],
    [60, 1088, 'MAJU,81100 JOHOR BAHRU,JOHOR'],
    [80, 1110, 'TAX INVOICE'],
    ...items(1140, 12),
    [20, 1460, 'TOTAL 24.00'],
  ];
  const doc = page(rows, 2000);
  const lines = layoutLines(doc);
  assert.ok(lines[0]!.depth < 0.05, 'the first printed line is the top');
  assert.ok(lines.at(-1)!.depth > 0.95, 'the last printed line is the bottom');
  const fields = await receiptFields(doc);
  assert.equal(fields.company, 'ACME TRADING SDN BHD');
  assert.equal(fields.address, '8, JALAN MAJU 2,KAWASAN INDUSTRI, MAJU,81100 JOHOR BAHRU,JOHOR');
});

test('a page without word boxes keeps depth by line order', () => {
  const doc = page([
    [20, 10, 'FIRST'],
    [20, 40, 'LAST'],
  ]);
  const boxless: Document = {
    ...doc,
    pages: doc.pages.map((p) => ({
      ...p,
      lines: p.lines.map((l) => ({ ...l, words: l.words.map((w) => ({ ...w, box: null })) })),
    })),
  };
  assert.deepEqual(
    layoutLines(boxless).map((l) => l.depth),
    [0, 1],
  );
});

test("a seller's name printed on three lines is joined while a bracket stays open; the address is not pulled in", async () => {
  const fields = await receiptFields(
    page([
      [60, 20, 'LIM BROTHERS HARDWARE'],
      [60, 45, 'ENTERPRISE (BANDAR'],
      [60, 70, 'BARU) SDN BHD'],
      [60, 95, 'LOT 5, JALAN BESI 3,'],
      [60, 120, '40170 SHAH ALAM, SELANGOR'],
      [20, 400, 'TOTAL 9.00'],
    ]),
  );
  assert.equal(fields.company, 'LIM BROTHERS HARDWARE ENTERPRISE (BANDAR BARU) SDN BHD');
  assert.equal(fields.address, 'LOT 5, JALAN BESI 3, 40170 SHAH ALAM, SELANGOR');
});

test('a name is at most three lines: a fourth line of letters after an open bracket stays out', async () => {
  const fields = await receiptFields(
    page([
      [60, 20, 'LIM BROTHERS HARDWARE &'],
      [60, 45, 'ELECTRICAL ENTERPRISE'],
      [60, 70, 'TRADING (BANDAR'],
      [60, 95, 'BARU KLANG)'],
      [60, 120, 'LOT 5, JALAN BESI 3, 41150 KLANG'],
      [20, 400, 'TOTAL 9.00'],
    ]),
  );
  assert.equal(fields.company, 'LIM BROTHERS HARDWARE & ELECTRICAL ENTERPRISE TRADING (BANDAR');
});

test('a number under a label ending in NO neither opens nor continues an address; a house number does', async () => {
  const fields = await receiptFields(
    page([
      [60, 20, 'SUNRISE MINI MARKET'],
      [60, 45, 'BR NO.: 0123456-X'],
      [60, 70, 'NO 12-14G,'],
      [60, 95, 'TAMAN MELATI,'],
      [60, 120, '45600 BESTARI JAYA,'],
      [60, 145, 'SSM NO: 20190101234'],
      [20, 400, 'TOTAL 9.00'],
    ]),
  );
  assert.equal(fields.address, 'NO 12-14G, TAMAN MELATI, 45600 BESTARI JAYA');
});

test('a site or branch code closes an address after its postcode; a code line before it, a date or a phone do not join', async () => {
  const withSite = await receiptFields(
    page([
      [60, 20, 'SUNRISE PETRO TRADING'],
      [60, 45, 'LOT 88 JLN KLANG LAMA'],
      [60, 70, '58000 KL'],
      [60, 95, 'SITE 2041'],
      [60, 120, 'STATION B7'],
      [20, 400, 'TOTAL 9.00'],
    ]),
  );
  assert.equal(withSite.address, 'LOT 88 JLN KLANG LAMA, 58000 KL, SITE 2041');
  const withDate = await receiptFields(
    page([
      [60, 20, 'SUNRISE PETRO TRADING'],
      [60, 45, 'LOT 88 JLN KLANG LAMA'],
      [60, 70, '58000 KL'],
      [60, 95, '12/01/2019'],
      [20, 400, 'TOTAL 9.00'],
    ]),
  );
  assert.equal(withDate.address, 'LOT 88 JLN KLANG LAMA, 58000 KL');
  const withPhone = await receiptFields(
    page([
      [60, 20, 'SUNRISE PETRO TRADING'],
      [60, 45, 'LOT 88 JLN KLANG LAMA'],
      [60, 70, '58000 KL'],
      [60, 95, '03-7781 2345'],
      [20, 400, 'TOTAL 9.00'],
    ]),
  );
  assert.equal(withPhone.address, 'LOT 88 JLN KLANG LAMA, 58000 KL');
});

test('a TAX INVOICE title ends an address also when OCR ran its words together', async () => {
  const fields = await receiptFields(
    page([
      [60, 20, 'ACME TRADING SDN BHD'],
      [40, 45, '12, JALAN MAJU 7/4,KAWASAN INDUSTRI'],
      [60, 70, 'MAJU 81200 JOHOR BAHRU,JOHOR'],
      [80, 95, 'TAXINVOICE'],
      [20, 400, 'TOTAL 9.00'],
    ]),
  );
  assert.equal(fields.address, '12, JALAN MAJU 7/4,KAWASAN INDUSTRI, MAJU 81200 JOHOR BAHRU,JOHOR');
});

test("a short word OCR doubts closing an address's last line is a speck; one closing an inner line stays", async () => {
  const doc = page([
    [60, 20, 'TEO HENG STATIONERY & BOOKS'],
    [40, 45, 'NO.53,JALAN BESAR,45600 BATANG BERJUNTAI X'],
    [60, 70, 'SELANGOR DARUL EHSAN U'],
    [60, 95, 'TEL:03-3271 9872'],
    [20, 400, 'TOTAL 9.00'],
  ]);
  const doubted = (line: Document['pages'][number]['lines'][number]): typeof line => ({
    ...line,
    words: line.words.map((w, i) => (i === line.words.length - 1 ? { ...w, confidence: 0.27 } : w)),
  });
  const [first] = doc.pages;
  const lines = first!.lines.map((l, i) => (i === 1 || i === 2 ? doubted(l) : l));
  const fields = await receiptFields({ ...doc, pages: [{ ...first!, lines }] });
  assert.equal(fields.address, 'NO.53,JALAN BESAR,45600 BATANG BERJUNTAI X, SELANGOR DARUL EHSAN');
});

test("a unit or street line with its number is the address's first line, never the seller's name", async () => {
  const fields = await receiptFields(
    page([
      [60, 20, 'John Tan Wei Ming'],
      [60, 45, 'S117, Second Floor,'],
      [60, 70, 'Aeon Tebrau City,'],
      [60, 95, '1, Jalan Desa Tebrau,'],
      [60, 120, '81100 Johor Bahru, Johor.'],
      [80, 145, '* TAX INVOICE *'],
      [20, 400, 'TOTAL 9.00'],
    ]),
  );
  assert.equal(fields.company, 'John Tan Wei Ming');
  assert.equal(
    fields.address,
    'S117, Second Floor, Aeon Tebrau City, 1, Jalan Desa Tebrau, 81100 Johor Bahru, Johor.',
  );
});

test('a registration number OCR misread (a letter for a digit, a space inside it) does not open an address', async () => {
  const address = async (registration: string): Promise<unknown> =>
    (
      await receiptFields(
        page([
          [60, 20, 'ACME TRADING SDN BHD'],
          [60, 45, registration],
          [40, 70, 'LOT 18, JALAN KPB 6,'],
          [60, 95, '43300 SERI KEMBANGAN, SELANGOR'],
          [80, 120, '- INVOICE -'],
          [20, 400, 'TOTAL 9.00'],
        ]),
      )
    ).address;
  for (const registration of ['(CO.RFG : 86Q671-D)', '78941 7-W', '(CO.REG : 860671-D)', '789417-W'])
    assert.equal(
      await address(registration),
      'LOT 18, JALAN KPB 6, 43300 SERI KEMBANGAN, SELANGOR',
      registration,
    );
});

test('after the postcode, a line holding a state name that OCR ran together with its town closes the address', async () => {
  const fields = await receiptFields(
    page([
      [60, 20, 'FUYI MINI MARKET'],
      [60, 45, 'BR No.: 0195932-X'],
      [60, 70, 'NO 43-45-47G'],
      [60, 95, 'TAMAN SEJATI'],
      [60, 120, 'IJOK, 45600 BESTARI JAYA'],
      [60, 145, 'KUALASELANGOR.0'],
      [60, 170, '03-3279 1851.'],
      [20, 400, 'TOTAL 9.00'],
    ]),
  );
  assert.equal(fields.address, 'NO 43-45-47G, TAMAN SEJATI, IJOK, 45600 BESTARI JAYA, KUALASELANGOR.');
});
