import { describe } from 'node:test';
import { entityTests, type EntityCases } from './detect.js';

const CASES: Record<string, EntityCases> = {
  KR_RRN: {
    found: [
      '주민등록번호 [900101-1234568]',
      '[900101-1234568]',
      'RRN [9001011234568]',
      '[210315-3987654]' /* born after the random numbers began */,
    ],
    notFound: [
      '900101-1234567',
      '901301-1234568' /* month 13 */,
      '900101-5234568' /* a foreigner digit */,
      'ref 9001011234568',
    ],
  },
  KR_FRN: {
    found: ['외국인등록번호 [900101-5234561]', '[900101-5234561]'],
    notFound: ['900101-5234562', '900101-1234561', '900230-5234561' /* 30 February */],
  },
  KR_BRN: {
    found: ['사업자등록번호 [123-45-67891]', 'BRN [1234567891]'],
    notFound: ['123-45-67892', 'order 1234567891', '099-45-67891' /* no tax office below 101 */],
  },
  KR_PASSPORT: {
    found: ['여권번호 [M12345678]', 'Korean passport [M123A4567]'],
    notFound: ['code M12345678', 'passport X12345678', 'passport M1234567'],
  },
  KR_DRIVER_LICENSE: {
    found: ['운전면허번호 [11-17-174133-01]', 'driver license [281717413301]'],
    notFound: ['driver license 27-17-174133-01' /* no region 27 */, 'invoice 11-17-174133-01'],
  },
  TH_TNIN: {
    found: ['[1-2345-67890-12-1]', 'เลขประจำตัวประชาชน [1234567890121]'],
    notFound: ['1-2345-67890-12-2', '9-2345-67890-12-1', 'order 1234567890121'],
  },
  TR_TCKN: {
    found: ['TC Kimlik No: [10000000146]', 'TCKN [10000000146]'],
    notFound: ['TC Kimlik No: 10000000147', 'TC Kimlik No: 01000000146', 'fatura 10000000146'],
  },
  TR_VEHICLE_REGISTRATION: {
    found: ['plaka [34 ABC 123]', 'araç plakası [06 A 12345]', 'plate [35AB1234]'],
    notFound: [
      'plaka 82 ABC 123' /* no province 82 */,
      'plaka 34 ABC 1234' /* four digits after three letters */,
      'plaka 34 QWX 123',
    ],
  },
  PHONE_NUMBER: {
    // Turkish and Philippine numbers in their national forms (a mobile, a landline in Istanbul),
    // valid by libphonenumber's metadata for the region, so no context word is needed.
    found: ['Cep: [0532 123 45 67]', 'ofis [0212 555 12 34]', 'ile [0917 123 4567]', '[+63 917 123 4567]'],
    notFound: [],
  },
  PH_TIN: {
    found: [
      'TIN [123-456-789-000]',
      'BIR TIN No. [123456789]',
      'taxpayer identification number [123 456 789 00000]',
    ],
    notFound: ['ref 123-456-789-000', 'TIN 123-456-78', 'TIN 123-456 789-000'],
  },
};

for (const [type, cases] of Object.entries(CASES)) describe(type, () => entityTests(type, cases));
