import { describe } from 'node:test';
import { entityTests, type EntityCases } from './detect.js';

const CASES: Record<string, EntityCases> = {
  AU_TFN: {
    found: ['TFN: [123 456 782]', 'tax file number [123456782]'],
    notFound: ['TFN: 123 456 783', 'TFN: 123 456-782', 'ref 123 456 782'],
  },
  AU_ABN: {
    found: ['[51 824 753 556]', 'ABN [83914571673]'],
    notFound: ['83 914 571 674', 'ABN 10 000 000 000', 'order 83914571673'],
  },
  AU_ACN: {
    found: ['ACN [004 085 616]'],
    notFound: ['ACN 004 085 617', 'ref 004 085 616'],
  },
  AU_MEDICARE: {
    found: ['Medicare card [2123 45670 1]'],
    notFound: ['Medicare card 2123 45671 1', 'Medicare card 7123 45670 1', 'ref 2123 45670 1'],
  },
  AU_PASSPORT: {
    found: ['Australian passport [PA1234567]'],
    notFound: ['code PA1234567', 'passport PA123456'],
  },
};

for (const [type, cases] of Object.entries(CASES)) describe(type, () => entityTests(type, cases));
