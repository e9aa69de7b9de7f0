import { describe } from 'node:test';
import { entityTests, type EntityCases } from './detect.js';

const CASES: Record<string, EntityCases> = {
  IN_AADHAAR: {
    found: ['Aadhaar: [2341 2341 2346]', 'आधार [234123412346]'],
    notFound: [
      'Aadhaar: 2341 2341 2347',
      'Aadhaar: 1341 2341 2346',
      'Aadhaar: 2222 2222 2222',
      'ref 2341 2341 2346',
    ],
  },
  IN_PAN: {
    found: ['[ACUPA7085R]', 'PAN: [AAPPV8261K]'],
    notFound: ['ACUXA7085R', 'ACUPA708R', 'acupa7085r'],
  },
  IN_PASSPORT: {
    found: ['passport no. [J8369854]'],
    notFound: ['code J8369854', 'passport Q8369854', 'passport J0369854'],
  },
  IN_VOTER: {
    found: ['Voter ID [WKH1186253]'],
    notFound: ['code WKH1186253', 'voter id WK1186253'],
  },
  IN_VEHICLE_REGISTRATION: {
    found: ['[MH 12 AB 1234]', 'vehicle [KA01MJ2022]', '[22 BH 1234 AA]'],
    notFound: ['XX 12 AB 1234', 'MH 12-AB 1234', 'MH 12 AB 12345'],
  },
  IN_GSTIN: {
    found: ['GSTIN: [27AAPFU0939F1ZV]', '[27AAPFU0939F1ZV]'],
    notFound: ['27AAPFU0939F1ZW', '40AAPFU0939F1Z7' /* check passes, no state 40 */, '27AAPXU0939F1ZV'],
  },
};

for (const [type, cases] of Object.entries(CASES)) describe(type, () => entityTests(type, cases));
