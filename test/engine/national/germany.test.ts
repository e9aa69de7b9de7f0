import { describe } from 'node:test';
import { entityTests, type EntityCases } from './detect.js';

const CASES: Record<string, EntityCases> = {
  DE_PASSPORT: {
    // The specimen passport's serial number (BSI), with and without its MRZ check digit.
    found: ['Reisepass Nr. [C01X00T478]', 'passport number: [C01X00T47]'],
    notFound: ['Reisepass C01X00T479', 'Code C01X00T47', 'Reisepass L01X00T47' /* an identity card letter */],
  },
  DE_LANR: {
    found: ['LANR: [123456601]', 'lebenslange Arztnummer [123456601]'],
    notFound: ['LANR: 123456701', 'Bestellung 123456601', 'LANR: 12345660'],
  },
  DE_BSNR: {
    found: ['BSNR [721234500]', 'Betriebsstättennummer: [021234567]'],
    notFound: ['BSNR 991234500' /* no such regional association */, 'Kundennummer 721234500'],
  },
  DE_KVNR: {
    found: ['KVNR: [A123456780]', 'Krankenversichertennummer [A 123456780]'],
    notFound: ['KVNR: A123456781', 'Artikel A123456780', 'KVNR: 1123456780'],
  },
  DE_RVNR: {
    found: ['Sozialversicherungsnummer [12 150385 M 01 4]', '[12150385M014]', 'RVNR [12 150385 M 014]'],
    notFound: [
      '12 150385 M 01 5', // check digit
      '12 310285 M 01 4', // 31 February
      'Sozialversicherungsnummer 12 150385 M 01 45',
    ],
  },
};

for (const [type, cases] of Object.entries(CASES)) describe(type, () => entityTests(type, cases));
