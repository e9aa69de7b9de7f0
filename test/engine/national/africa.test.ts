import { describe } from 'node:test';
import { entityTests, type EntityCases } from './detect.js';

const CASES: Record<string, EntityCases> = {
  NG_NIN: {
    found: ['NIN: [38012745613]', 'National Identification Number [38012745613]'],
    notFound: ['NIN: 11111111111', 'NIN: 3801274561', 'order 38012745613'],
  },
  NG_VEHICLE_REGISTRATION: {
    found: ['plate number [ABC 123 DE]', 'vehicle [KJA-456-XY]'],
    notFound: ['plate ABC 123-DE', 'code ABC 123 DE', 'plate AB 123 DE'],
  },
  ZA_ID_NUMBER: {
    found: ['ID number [800101 5009 087]', 'South African ID [8001015009087]'],
    notFound: [
      'ID number 800101 5009 088', // Luhn
      'ID number 801301 5009 087', // month 13
      'ID number 800101 5009 387', // citizenship digit 3
      'account 8001015009087',
    ],
  },
};

for (const [type, cases] of Object.entries(CASES)) describe(type, () => entityTests(type, cases));
