import { test } from 'node:test';
import assert from 'node:assert/strict';
import { extractFields } from '../../../src/ai/fields/extract.js';
import { billAmounts, isBillTotal, sumsAgree } from '../../../src/ai/fields/rules/bill-arithmetic.js';
import {
  endAddressAtPrint,
  endAtLegalForm,
  repairAddressTokens,
  restoreExpectedWords,
} from '../../../src/ai/fields/rules/blocks.js';
import {
  calibrate,
  fitCalibration,
  SHIPPED_CALIBRATION,
  type CalibrationSample,
} from '../../../src/ai/fields/rules/calibration.js';
import { createRuleExtractor } from '../../../src/ai/fields/rules/extract.js';
import { hasBrokenWord, hasStrayMarks } from '../../../src/ai/fields/rules/print-doubt.js';
import { layoutLines, trustedText, type LayoutLine } from '../../../src/ai/fields/rules/layout.js';
import type { FieldSpec, Money } from '../../../src/ai/fields/spec.js';
import { FIELD_TYPES } from '../../../src/ai/fields/spec.js';
import { validateFields } from '../../../src/ai/fields/templates.js';
import { repairNumbers, repairWords } from '../../../src/ai/fields/types/ocr-confusions.js';
import { parseValue } from '../../../src/ai/fields/types/index.js';
import type { Document } from '../../../src/documents/model.js';
import { page } from './page.js';

const TOTAL: FieldSpec = {
  name: 'total',
  type: 'money',
  hint: ['Total'],
  not: ['Sub Total', 'GST', 'Cash', 'Change', 'Rounding'],
};

test('letters OCR prints inside numbers are read as digits; words and codes stay as printed', () => {
  assert.equal(repairNumbers('TOTAL RM 6O.3O'), 'TOTAL RM 60.30');
  assert.equal(repairNumbers('DATE l2/O3/2O19'), 'DATE 12/03/2019');
  assert.equal(repairNumbers('NET 14_10'), 'NET 14.10');
  assert.equal(repairNumbers('5.20 S SOLD BOSS'), '5.20 S SOLD BOSS');
  assert.equal(repairNumbers('ITEM AB12 X'), 'ITEM AB12 X', 'glued to letters: a code');
  assert.equal(repairNumbers('BOX 1O'), 'BOX 1O', 'too short to tell');
  for (const text of ['TOTAL RM 6O.3O', 'l2/O3/2O19 x'])
    assert.equal(repairNumbers(text).length, text.length, 'offsets keep pointing at the same characters');
});

test('amounts and dates survive OCR misreads: letters for digits, a space after the decimal point', () => {
  const money = (text: string) =>
    (parseValue({ name: 't', type: 'money' }, text)?.value as Money | undefined)?.amount ?? null;
  assert.equal(money('RM 39. 80'), '39.80');
  assert.equal(money('RM 1O5.5O'), '105.50');
  assert.equal(money('14_10'), '14.10');
  assert.equal(money('RM 39. 805'), null, 'three digits after a space are not cents');
  const repaired = parseValue({ name: 't', type: 'money' }, 'RM 1O5.5O')!;
  assert.ok(repaired.checks.some((c) => c.name === 'ocr_repaired' && c.passed));
  const clean = parseValue({ name: 't', type: 'money' }, 'RM 105.50')!;
  assert.ok(repaired.quality < clean.quality, 'a repaired reading is a weaker one');
  assert.equal(parseValue({ name: 'd', type: 'date' }, '2O/O3/2019')?.value, '2019-03-20');
});

test('a lone digit inside a word is read as the letter it stands for; house numbers and codes stay', () => {
  assert.equal(repairWords('JALAN SET1A INDAH, U13/X'), 'JALAN SETIA INDAH, U13/X');
  assert.equal(repairWords('J0HOR Bahru'), 'JOHOR Bahru');
  assert.equal(repairWords('Ma5ter'), 'Master');
  assert.equal(repairWords('NO. 17-G, 1C, A4, 113G, B2B2'), 'NO. 17-G, 1C, A4, 113G, B2B2');
});

test('expected words come back one misread letter off, or one dropped letter off a long word', () => {
  assert.equal(restoreExpectedWords('ACME SON BHD', ['SDN BHD']), 'ACME SDN BHD');
  assert.equal(restoreExpectedWords('acme son bhd', ['SDN BHD']), 'acme sdn bhd');
  assert.equal(restoreExpectedWords('KEDAI PERNIAGAAR MAJU', ['PERNIAGAAN']), 'KEDAI PERNIAGAAN MAJU');
  assert.equal(
    restoreExpectedWords('40170 SHAH ALAN', ['JALAN']),
    '40170 SHAH ALAN',
    'one letter longer is another word',
  );
  assert.equal(
    restoreExpectedWords('KAWASAN PERINDUSTIAN TAMPOI', ['PERINDUSTRIAN']),
    'KAWASAN PERINDUSTRIAN TAMPOI',
  );
  assert.equal(
    restoreExpectedWords('40000 SHAH ALAM SELANGR', ['SELANGOR']),
    '40000 SHAH ALAM SELANGR',
    'a word under nine letters less one letter may be another word',
  );
  assert.equal(restoreExpectedWords('PERINDUSTRI', ['PERINDUSTRIAN']), 'PERINDUSTRI', 'two letters dropped');
  assert.equal(restoreExpectedWords('THE SON', ['SDN BHD']), 'THE SON', 'a short word alone is not restored');
  assert.equal(restoreExpectedWords('SAN BND', ['SDN BHD']), 'SAN BND', 'two misread letters are too many');
  assert.equal(
    restoreExpectedWords('NQ.12 JALAN MAJU', ['NO', 'JALAN']),
    'NO.12 JALAN MAJU',
    'a house number after a short word',
  );
  assert.equal(
    restoreExpectedWords('NQ JALAN', ['NO']),
    'NQ JALAN',
    'a short word with no number after it stays',
  );
});

test('a token read surely keeps its letters; digit confusions and a dropped letter are still undone', () => {
  const sure = new Set(['AVEVUE', 'SON', '8HD', 'PERINDUSTIAN']);
  assert.equal(restoreExpectedWords("D'SARA AVEVUE", ['AVENUE']), "D'SARA AVENUE");
  assert.equal(restoreExpectedWords("D'SARA AVEVUE", ['AVENUE'], sure), "D'SARA AVEVUE");
  assert.equal(restoreExpectedWords('ACME SON BHD', ['SDN BHD'], sure), 'ACME SON BHD');
  assert.equal(restoreExpectedWords('ACME SDN 8HD', ['SDN BHD'], sure), 'ACME SDN BHD');
  assert.equal(
    restoreExpectedWords('KAWASAN PERINDUSTIAN', ['PERINDUSTRIAN'], sure),
    'KAWASAN PERINDUSTRIAN',
  );
});

test('specks OCR gives (almost) no confidence are trimmed from the ends of a line, never from inside it', () => {
  const line = (words: readonly (readonly [string, number])[]): LayoutLine => {
    let text = '';
    const laid = words.map(([w, confidence]) => {
      const start = text.length + (text ? 1 : 0);
      text += `${text ? ' ' : ''}${w}`;
      return { start, end: start + w.length, box: null, confidence };
    });
    return { page: 1, text, words: laid, box: null, depth: 0.2, row: 3 };
  };
  assert.equal(
    trustedText(
      line([
        ['To', 0.02],
        ['NO.12', 0.9],
        ['JALAN', 0.9],
        ['x', 0.01],
        ['MAJU', 0.9],
        ['’,', 0],
      ]),
    ),
    'NO.12 JALAN x MAJU',
  );
  assert.equal(
    trustedText(
      line([
        ['SMUDGED', 0.01],
        ['ROAD', 0.9],
      ]),
    ),
    'SMUDGED ROAD',
    'a long word is a misread, not a speck',
  );
  assert.equal(trustedText(line([['ok', 0.05]])), '');
  // A name's line: a short word OCR doubts opening it is a speck too; one it trusts stays.
  const name = line([
    ['on', 0.34],
    ['.', 0.45],
    ['ACME', 0.82],
    ['SDN', 0.8],
    ['BHD', 0.97],
  ]);
  assert.equal(trustedText(name), 'on . ACME SDN BHD');
  assert.equal(trustedText(name, 0.5), 'ACME SDN BHD');
  assert.equal(
    trustedText(
      line([
        ['MR.', 0.9],
        ['DIY', 0.9],
      ]),
      0.5,
    ),
    'MR. DIY',
  );
  // An address's last line: a short word OCR doubts closing it is a speck; one it trusts stays.
  const closing = line([
    ['SELANGOR', 0.95],
    ['DARUL', 0.94],
    ['EHSAN', 0.95],
    ['U', 0.27],
  ]);
  assert.equal(trustedText(closing), 'SELANGOR DARUL EHSAN U');
  assert.equal(trustedText(closing, undefined, 0.5), 'SELANGOR DARUL EHSAN');
  assert.equal(
    trustedText(
      line([
        ['52000', 0.95],
        ['KL', 0.74],
      ]),
      undefined,
      0.5,
    ),
    '52000 KL',
  );
});

test('a name ends at its legal form when only specks or a bracketed registration number follow', () => {
  assert.equal(endAtLegalForm('UNIHAKKA INTERNATIONAL SDN BHD A'), 'UNIHAKKA INTERNATIONAL SDN BHD');
  assert.equal(endAtLegalForm('ACME SDN BHD 3 :'), 'ACME SDN BHD');
  assert.equal(endAtLegalForm('AEON CO. (M) BHD (126925-H) ;'), 'AEON CO. (M) BHD');
  assert.equal(endAtLegalForm('BLUE S/B'), 'BLUE S/B');
  assert.equal(endAtLegalForm('ACME SDN BHD MAIN BRANCH'), 'ACME SDN BHD MAIN BRANCH', 'words stay');
  assert.equal(endAtLegalForm('BHDX TRADING 3'), 'BHDX TRADING 3', 'no legal form: as it was');
});

/** The company the rules read from a page of `rows` (x, y, text), uncalibrated. */
async function companyOf(rows: Parameters<typeof page>[0]): Promise<unknown> {
  const { fields } = await extractFields(
    page(rows),
    validateFields([{ name: 'company', type: 'string', position: 'top', expect: ['SDN BHD', 'BHD'] }]),
    { rules: createRuleExtractor({ calibration: null }) },
  );
  return fields.company!.value;
}

test('an address loses the lower-case specks and stray punctuation OCR left after it, never digits or capitals', () => {
  assert.equal(endAddressAtPrint('81200 Johor Bahru, Johor i re'), '81200 Johor Bahru, Johor');
  assert.equal(endAddressAtPrint('81200 JOHOR BAHRU, JOHOR . ;'), '81200 JOHOR BAHRU, JOHOR');
  assert.equal(endAddressAtPrint('BANDAR SRI DAMANSARA, 52000 KL'), 'BANDAR SRI DAMANSARA, 52000 KL');
  assert.equal(endAddressAtPrint('JALAN SS 2/24, SEKSYEN 7'), 'JALAN SS 2/24, SEKSYEN 7');
  assert.equal(endAddressAtPrint('no'), 'no', 'a lone word stays');
  assert.equal(
    endAddressAtPrint('45600 BESTARI JAYA, KUALA SELANGOR.0'),
    '45600 BESTARI JAYA, KUALA SELANGOR.',
  );
  assert.equal(endAddressAtPrint('JALAN MAJU, NO.5'), 'JALAN MAJU, NO.5', 'a house number after NO. stays');
});

test('a name line followed by its registration number in brackets is still the letterhead', async () => {
  const company = await companyOf([
    [20, 10, 'AD So'],
    [20, 40, 'AEON CO. (M) BHD (126925-H)'],
    [20, 70, '3RD FLR, AEON TAMAN MALURI'],
    [20, 400, 'TOTAL 9.00'],
  ]);
  assert.equal(company, 'AEON CO. (M) BHD');
});

const BILL = page([
  [60, 10, 'ACME TRADING SDN BHD'],
  [20, 300, 'SUB TOTAL 68.87'],
  [20, 325, 'GST 6% 4.13'],
  [20, 350, 'TOTAL AMT 72.99'],
  [20, 375, 'ROUNDING ADJ 0.01'],
  [300, 400, '73.00'],
  [20, 425, 'CASH 100.00'],
  [20, 450, 'CHANGE 27.00'],
]);

test("a bill's sums are a second reading of its total: the rounded amount they give outranks a misread label", async () => {
  const lines = layoutLines(BILL);
  const bill = billAmounts(lines, TOTAL);
  assert.deepEqual(
    Object.fromEntries(Object.entries(bill).map(([role, list]) => [role, list.map((p) => p.cents)])),
    { rounding: [1], change: [2700], paid: [10000], subtotal: [6887], tax: [413] },
  );
  assert.equal(sumsAgree(bill, 7300, 5), true, 'sub-total + tax + rounding, and cash - change');
  assert.equal(sumsAgree(bill, 7299, 3), false, 'an unrounded total with no zero rounding printed');
  assert.equal(sumsAgree(bill, 6887, 7), false, 'a sub-total alone needs a printed zero tax');
  const { fields } = await extractFields(BILL, validateFields([TOTAL]), {
    rules: createRuleExtractor({ calibration: null }),
  });
  assert.deepEqual(fields.total!.value, { amount: '73.00', currency: null });
  assert.ok(fields.total!.checks.some((c) => c.name === 'arithmetic' && c.passed));
  assert.ok(isBillTotal(TOTAL));
  assert.equal(isBillTotal({ name: 'tip', type: 'money', hint: ['Tip'] }), false);
});

test('a bill whose sums give nothing leaves its readings as they were', async () => {
  const doc = page([
    [20, 300, 'TOTAL 12.50'],
    [20, 325, 'CASH 20.00'],
  ]);
  const { fields } = await extractFields(doc, validateFields([TOTAL]), {
    rules: createRuleExtractor({ calibration: null }),
  });
  assert.deepEqual(fields.total!.value, { amount: '12.50', currency: null });
  assert.ok(!fields.total!.checks.some((c) => c.name === 'arithmetic'));
});

test('calibration is isotonic per type, fitted from data, and read by linear interpolation', () => {
  // Readings scored higher are right more often, with one out-of-order pair the fit pools.
  const samples: CalibrationSample[] = [];
  const push = (raw: number, right: number, wrong: number): void => {
    for (let i = 0; i < right; i++) samples.push({ type: 'money', raw, right: true });
    for (let i = 0; i < wrong; i++) samples.push({ type: 'money', raw, right: false });
  };
  push(0.3, 1, 5);
  push(0.6, 4, 2);
  push(0.65, 2, 4);
  push(0.9, 9, 1);
  const table = fitCalibration(samples, 'made-up');
  const curve = table.types.money!;
  assert.equal(curve.samples, 28);
  assert.deepEqual(curve.raw, [0.3, 0.625, 0.9]);
  // Each step's share right with one right and one wrong added: 2/8, 7/14, 10/12.
  assert.deepEqual(curve.confidence, [0.25, 0.5, 0.833]);
  assert.equal(calibrate(table, 'money', 0.1), 0.25);
  assert.equal(calibrate(table, 'money', 0.99), 0.833);
  assert.ok(Math.abs(calibrate(table, 'money', 0.7625) - 0.6665) < 1e-9);
  assert.equal(calibrate(table, 'email', 0.42), 0.42, 'a type without a curve keeps its raw score');
});

test('the shipped calibration is monotone, within [0, 1], and names what it was fitted on', () => {
  assert.ok(SHIPPED_CALIBRATION.fitted.length > 0);
  for (const [type, curve] of Object.entries(SHIPPED_CALIBRATION.types)) {
    assert.ok((FIELD_TYPES as readonly string[]).includes(type), type);
    assert.equal(curve.raw.length, curve.confidence.length);
    curve.raw.forEach((x, i) => i > 0 && assert.ok(x > curve.raw[i - 1]!, `${type} raw ascending`));
    curve.confidence.forEach((y, i) => {
      assert.ok(y >= 0 && y <= 1);
      if (i > 0) assert.ok(y >= curve.confidence[i - 1]!, `${type} confidence non-decreasing`);
    });
  }
});

test('a rounding adjustment printed below a labelled total gives the rounded total, an unlabelled line the label misses', async () => {
  const doc = page([
    [20, 300, 'TOTAL AMT 60.31'],
    [20, 325, 'ROUNDING ADJ -0.01'],
    [20, 350, 'RK 60.30'],
  ]);
  const { fields } = await extractFields(doc, validateFields([TOTAL]), {
    rules: createRuleExtractor({ calibration: null }),
  });
  assert.deepEqual(fields.total!.value, { amount: '60.30', currency: null });
  assert.ok(fields.total!.checks.some((c) => c.name === 'rounding' && c.passed));
  // An adjustment that does not land on 5 cents, or one printed above the total, is not applied.
  for (const rows of [
    [
      [20, 300, 'TOTAL 60.31'],
      [20, 325, 'ROUNDING -0.02'],
    ],
    [
      [20, 300, 'ROUNDING -0.01'],
      [20, 325, 'TOTAL 60.31'],
    ],
  ] as const) {
    const other = await extractFields(page(rows), validateFields([TOTAL]), {
      rules: createRuleExtractor({ calibration: null }),
    });
    assert.deepEqual(other.fields.total!.value, { amount: '60.31', currency: null });
  }
});

test("address repairs: a street abbreviation one letter off, a street number's 1 read as I, a closing I read as !; nothing else", () => {
  assert.equal(repairAddressTokens('67, JLN MEWAH 25/63 THN SRI MUDA'), '67, JLN MEWAH 25/63 TMN SRI MUDA');
  assert.equal(repairAddressTokens('LOT 2685 JUN GENTING KLANG'), 'LOT 2685 JLN GENTING KLANG');
  assert.equal(repairAddressTokens('NO: 28, JALAN ASTANA IC, BANDAR'), 'NO: 28, JALAN ASTANA 1C, BANDAR');
  assert.equal(repairAddressTokens('45600 BATANG BERJUNTA!, SELANGOR'), '45600 BATANG BERJUNTAI, SELANGOR');
  assert.equal(repairAddressTokens('Tampoi! Johor, NO.5!'), 'Tampoi! Johor, NO.5!', 'not after capitals');
  for (const kept of [
    'SALE ENDS 12 JUN 2018',
    'ABC JUN GENTING',
    'MEWAH THN',
    'BANDAR IC, JALAN',
    'JALAN IPOH',
    '12, TMN SRI MUDA',
  ])
    assert.equal(repairAddressTokens(kept), kept);
});

test('a registration number on a line of its own, with OCR specks before it, does not open an address', async () => {
  const doc = page([
    [20, 20, 'PERNIAGAAN ZHENG HUI'],
    [20, 45, ', JN0325958-V'],
    [20, 70, 'NO.59 JALAN PERMAS 9/5'],
    [20, 95, 'BANDAR BARU PERMAS JAYA'],
    [20, 120, '81760 JOHOR BAHRU'],
    [20, 145, 'TEL: 07-386 7524'],
    [20, 400, 'TOTAL 9.00'],
  ]);
  const { fields } = await extractFields(
    doc,
    validateFields([
      { name: 'company', type: 'string', position: 'top', expect: ['PERNIAGAAN'] },
      { name: 'address', type: 'address', position: 'top', expect: ['JALAN', 'BANDAR', 'JOHOR'] },
    ]),
    { rules: createRuleExtractor({ calibration: null }) },
  );
  assert.equal(fields.address!.value, 'NO.59 JALAN PERMAS 9/5, BANDAR BARU PERMAS JAYA, 81760 JOHOR BAHRU');
});

test("a seller's name OCR split into two lines on one row is read left to right; a line below is not pulled in", async () => {
  // A tilted photo: the suffix sits a little higher at the right and comes out as a line of its own, first.
  const company = await companyOf([
    [420, 24, 'BHD'],
    [20, 30, 'LIGHTROOM GALLERY, SDM'],
    [20, 60, 'NO: 28, JALAN ASTANA'],
    [20, 400, 'TOTAL 9.00'],
  ]);
  assert.equal(company, 'LIGHTROOM GALLERY, SDN BHD');
});

test('a lone small letter inside a name is a word OCR broke: the name scores lower and goes to review', async () => {
  const company = async (name: string) =>
    (
      await extractFields(
        page([
          [60, 40, name],
          [60, 84, 'NO 12, JALAN MAJU 3,'],
          [60, 106, '81100 JOHOR BAHRU, JOHOR.'],
        ]),
        validateFields([
          { name: 'company', type: 'string', position: 'top', expect: ['TRADING'], review_below: 0.8 },
        ]),
      )
    ).fields.company!;
  const broken = await company('Shel l ISNI PETRO TRADING');
  const whole = await company('SHELL ISNI PETRO TRADING');
  assert.equal(broken.status, 'needs_review');
  assert.ok(broken.checks.some((c) => c.name === 'whole_words' && !c.passed));
  assert.equal(whole.status, 'accepted');
  assert.ok(whole.checks.some((c) => c.name === 'whole_words' && c.passed));
  // A name all in small letters is not held to it: nothing sets its words apart.
  assert.ok(
    (await company('tan chay a yee trading')).checks.some((c) => c.name === 'whole_words' && c.passed),
  );
});

test('marks print does not set in a name or address, and unbalanced brackets, are signs of a misreading', async () => {
  for (const misread of [
    '$117, Second Floor',
    'BATANG BERJUNTA}',
    'PERNIAGAAN ZHENG HU]',
    'MR O.1.¥. SDN BHD',
    '99SPEED MART S7BS19537-X) AIT',
    'LOT 5 (JALAN',
  ])
    assert.equal(hasStrayMarks(misread), true, misread);
  for (const printed of [
    'AEON CO. (M) BHD',
    "NO.59, JALAN D'SARA 9/5, 81750 JOHOR",
    'RESTORAN A & W @ SETIA ALAM',
    'No: 28, D’sara #3',
  ])
    assert.equal(hasStrayMarks(printed), false, printed);
  assert.equal(hasBrokenWord('Shel l ISNI'), true);
  assert.equal(hasBrokenWord('tan chay a yee'), false);
  const spec = validateFields([
    { name: 'company', type: 'string', position: 'top', expect: ['MART'], review_below: 0.8 },
  ]);
  const company = async (name: string) =>
    (
      await extractFields(
        page([
          [60, 40, name],
          [60, 84, 'LOT 12, JALAN MAJU 3, 81100 JOHOR'],
        ]),
        spec,
      )
    ).fields.company!;
  const stray = await company('99 SPEED MART S7BS19537-X) AIT');
  const clean = await company('99 SPEED MART S/B');
  assert.ok(stray.checks.some((c) => c.name === 'clean_marks' && !c.passed));
  assert.ok(clean.checks.some((c) => c.name === 'clean_marks' && c.passed));
  assert.ok(stray.confidence < clean.confidence, `${stray.confidence} < ${clean.confidence}`);
  assert.equal(stray.status, 'needs_review');
});

test('a letter OCR also saw as another one lowers an address it sits in, where the mean confidence hides it', async () => {
  const spec = validateFields([
    { name: 'company', type: 'string', position: 'top', expect: ['HARDWARE'] },
    { name: 'address', type: 'address', review_below: 0.8 },
  ]);
  const lines: [number, number, string][] = [
    [60, 40, 'HOME MASTER HARDWARE'],
    [60, 84, 'NO.113G JALAN SETIA GEMBILANG,'],
    [60, 106, 'U13/EG BANDAR SETIA ALAM,'],
    [60, 128, '40170 SHAH ALAM, SELANGOR.'],
    [20, 400, 'TOTAL 9.00'],
  ];
  const plain = page(lines);
  // As PP-OCR read SROIE receipt 012 (all its words at 0.95 or more): the E of `U13/EG` also seen as
  // a B or a G, the B of `GEMBILANG` as an E, the last 0 of `40170` as another digit.
  const withDoubts = (doubts: Record<string, number[]>): Document => ({
    ...plain,
    pages: plain.pages.map((p) => ({
      ...p,
      lines: p.lines.map((l) => ({
        words: l.words.map((w) => (doubts[w.text] ? { ...w, doubts: doubts[w.text]! } : w)),
      })),
    })),
  });
  const doubted = withDoubts({
    'U13/EG': [0, 0, 0, 0, 0.17, 0.01],
    'GEMBILANG,': [0, 0, 0, 0.14, 0, 0, 0, 0, 0, 0],
    '40170': [0, 0, 0, 0, 0.1],
  });
  const sure = (await extractFields(plain, spec)).fields.address!;
  const unsure = (await extractFields(doubted, spec)).fields.address!;
  assert.equal(unsure.value, sure.value);
  assert.ok(
    sure.checks.some((c) => c.name === 'sure_letters' && c.passed),
    'no doubts: sure',
  );
  assert.equal(sure.status, 'accepted');
  assert.ok(
    unsure.checks.some((c) => c.name === 'sure_letters' && !c.passed),
    'doubts: unsure',
  );
  assert.ok(unsure.confidence < sure.confidence, `${unsure.confidence} < ${sure.confidence}`);
  assert.equal(unsure.status, 'needs_review');
  // One letter as unsure as the E alone leaves the reading sure enough.
  const one = await extractFields(withDoubts({ 'U13/EG': [0, 0, 0, 0, 0.17, 0.01] }), spec);
  assert.ok(
    one.fields.address!.checks.some((c) => c.name === 'sure_letters' && c.passed),
    'one doubt: sure',
  );
});
