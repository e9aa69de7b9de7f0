import { describe } from 'node:test';
import { entityTests, type EntityCases } from './detect.js';

const CASES: Record<string, EntityCases> = {
  SG_NRIC_FIN: {
    found: ['NRIC [S1234567D]', '[T0123456G]', 'FIN [F1234567N]', '[M1234567K]'],
    notFound: ['S1234567A', 'T0123456D', 'A1234567D', 'S123456D'],
  },
  SG_UEN: {
    found: ['UEN [00192200M]', '[197401143C]', 'UEN: [T01FC6132D]', 'UEN [S16FC0121D]'],
    notFound: ['UEN 00192200N', 'UEN 197401143D', 'UEN T01ZZ6132D', 'UEN T01FC6132E'],
  },
};

for (const [type, cases] of Object.entries(CASES)) describe(type, () => entityTests(type, cases));
