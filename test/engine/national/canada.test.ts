import { describe } from 'node:test';
import { entityTests, type EntityCases } from './detect.js';

const CASES: Record<string, EntityCases> = {
  CA_SIN: {
    found: ['SIN: [123-456-782]', 'social insurance number [123 456 782]'],
    notFound: [
      'SIN: 123-456-783',
      'SIN: 046 454 286' /* Luhn passes, 0 is never issued */,
      'ref 123-456-782',
    ],
  },
  CA_PASSPORT: {
    found: ['passport [AB123456]'],
    notFound: ['code AB123456', 'passport AB12345'],
  },
  CA_HEALTH_CARD: {
    found: ['OHIP [1234-567-897-AB]', 'health card [1234567897]'],
    notFound: ['OHIP 1234-567-898', 'ref 1234-567-897'],
  },
  CA_BUSINESS_NUMBER: {
    found: ['[12302 6635 RC 0001]', 'BN [123026635RT0001]'],
    notFound: ['12302 6636 RC 0001', '123026635RX0001'],
  },
};

for (const [type, cases] of Object.entries(CASES)) describe(type, () => entityTests(type, cases));
