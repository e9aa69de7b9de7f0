import { describe } from 'node:test';
import { entityTests, type EntityCases } from './detect.js';

const CASES: Record<string, EntityCases> = {
  UK_POSTCODE: {
    // One example of each outward-code shape in Royal Mail's guide (A9, A99, AA9, AA99, A9A, AA9A).
    found: [
      '[M1 1AE]',
      'Leeds [LS12 6AB]',
      '[CR2 6XH]',
      '[DN55 1PT]',
      '[W1A 0AX]',
      'London [EC1A 1BB]',
      'postcode: [SW1A1AA]',
      '[GIR 0AA]',
    ],
    notFound: [
      'QA1 1AA', // Q never opens a postcode
      'AJ1 1AA', // J never second
      'M1 1AC', // C never in the inward code
      'W1I 0AX', // I never after A9
      'SW1A1AA', // run together, without context
      'm1 1ae',
    ],
  },
  UK_NHS: {
    found: ['NHS number: [943 476 5919]', 'patient nhs no [9434765919].', 'NHS [943-476-5919]'],
    notFound: [
      'NHS number: 943 476 5918', // check digit
      'NHS number: 943 476-5919', // mixed separators
      'invoice 943 476 5919', // valid but no context
      'NHS number: 1943 476 5919', // part of a longer number
    ],
  },
  UK_NINO: {
    found: ['NI number [AB 12 34 56 C]', '[AB123456C] on file'],
    notFound: ['BG 12 34 56 A', 'DA123456A', 'AO123456A', 'AB123456E', 'QQ123456C'],
  },
  UK_PASSPORT: {
    found: ['UK passport number: [123456789]'],
    notFound: ['order number 123456789', 'passport number 12345678'],
  },
  UK_DRIVING_LICENCE: {
    found: ['licence [MORGA753116SM9IJ]', 'DVLA: [SMITH610102J99AB]'],
    notFound: [
      'licence MORGA752306SM9IJ', // 30 February (month 52 = February, female)
      'licence MORGA713316SM9IJ', // month 13
      'licence MOR9A753116SM9IJ', // letter after surname padding
      'licence MORGA753116SM9I', // too short
    ],
  },
  UK_UTR: {
    found: ['UTR: [1955839661]', 'HMRC unique taxpayer reference [19558 39661]'],
    notFound: ['UTR: 1955839662', 'reference 1955839661'],
  },
  UK_VEHICLE_REGISTRATION: {
    found: ['car registration [AB51 ABC]', 'vehicle [LK24XYZ] seen'],
    notFound: [
      'car registration AB50 ABC',
      'car registration AB01 ABC',
      'car registration AI51 ABC',
      'AB51 ABC',
    ],
  },
};

for (const [type, cases] of Object.entries(CASES)) describe(type, () => entityTests(type, cases));
