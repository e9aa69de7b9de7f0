import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NATIONAL_RECOGNIZERS } from '../../../src/engine/recognizers/national/index.js';

const ADVERSARIAL: Record<string, string> = {
  digits: '1'.repeat(100_000),
  'digit-dash': '1-'.repeat(50_000),
  'letter-digit': 'A1'.repeat(50_000),
  mixed: 'AB12 '.repeat(10_000) + '12.34.56-'.repeat(5_000) + 'X1234567'.repeat(2_500),
  'separators only': '- . / '.repeat(16_000),
};

describe('national recognizers', () => {
  it('report the documented entity types', () => {
    const types = [...new Set(NATIONAL_RECOGNIZERS.flatMap((r) => r.entities))].sort();
    assert.deepEqual(types, [
      'AT_SVNR',
      'AU_ABN',
      'AU_ACN',
      'AU_MEDICARE',
      'AU_PASSPORT',
      'AU_TFN',
      'BE_NATIONAL_NUMBER',
      'BG_EGN',
      'CA_BUSINESS_NUMBER',
      'CA_HEALTH_CARD',
      'CA_PASSPORT',
      'CA_SIN',
      'CY_TIC',
      'CZ_BIRTH_NUMBER',
      'DE_BSNR',
      'DE_ID_CARD',
      'DE_KVNR',
      'DE_LANR',
      'DE_PASSPORT',
      'DE_RVNR',
      'DE_TAX_ID',
      'DK_CPR',
      'EE_ISIKUKOOD',
      'ES_NIE',
      'ES_NIF',
      'ES_PASSPORT',
      'EU_VAT_NUMBER',
      'FI_PERSONAL_IDENTITY_CODE',
      'FR_NIR',
      'GR_AMKA',
      'HR_OIB',
      'HU_TAJ',
      'IE_PPSN',
      'IN_AADHAAR',
      'IN_GSTIN',
      'IN_PAN',
      'IN_PASSPORT',
      'IN_VEHICLE_REGISTRATION',
      'IN_VOTER',
      'IT_DRIVER_LICENSE',
      'IT_FISCAL_CODE',
      'IT_IDENTITY_CARD',
      'IT_PASSPORT',
      'IT_VAT_CODE',
      'KR_BRN',
      'KR_DRIVER_LICENSE',
      'KR_FRN',
      'KR_PASSPORT',
      'KR_RRN',
      'LT_ASMENS_KODAS',
      'LU_MATRICULE',
      'LV_PERSONAS_KODS',
      'MT_ID',
      'NG_NIN',
      'NG_VEHICLE_REGISTRATION',
      'NL_BSN',
      'PH_TIN',
      'PL_PESEL',
      'PT_NIF',
      'RO_CNP',
      'SE_ORGANISATIONSNUMMER',
      'SE_PERSONNUMMER',
      'SG_NRIC_FIN',
      'SG_UEN',
      'SI_EMSO',
      'SK_BIRTH_NUMBER',
      'TH_TNIN',
      'TR_TCKN',
      'TR_VEHICLE_REGISTRATION',
      'UK_DRIVING_LICENCE',
      'UK_NHS',
      'UK_NINO',
      'UK_PASSPORT',
      'UK_POSTCODE',
      'UK_UTR',
      'UK_VEHICLE_REGISTRATION',
      'ZA_ID_NUMBER',
    ]);
  });

  it('have unique names', () => {
    const names = NATIONAL_RECOGNIZERS.map((r) => r.name);
    assert.equal(new Set(names).size, names.length);
  });

  it('finish on 100 KB adversarial strings (no catastrophic backtracking)', { timeout: 10_000 }, () => {
    for (const [label, text] of Object.entries(ADVERSARIAL)) {
      const started = performance.now();
      for (const recognizer of NATIONAL_RECOGNIZERS) {
        const findings = recognizer.find(text, { start: 0, end: text.length });
        for (const f of findings)
          assert.ok(
            f.start >= 0 && f.end <= text.length && f.start < f.end,
            `${recognizer.name} on ${label}`,
          );
      }
      // Linear scans take milliseconds; a super-linear pattern takes seconds to minutes here.
      assert.ok(
        performance.now() - started < 3_000,
        `${label} took ${Math.round(performance.now() - started)} ms`,
      );
    }
  });

  it('keep offsets inside the window they are given', () => {
    const text = 'x'.repeat(40) + ' BSN 111222333 and NINO AB 12 34 56 C ' + 'y'.repeat(40);
    for (const recognizer of NATIONAL_RECOGNIZERS) {
      for (const f of recognizer.find(text, { start: 41, end: 79 })) {
        assert.ok(f.start >= 41 && f.end <= 79, recognizer.name);
        assert.equal(text.slice(f.start, f.end).trim(), text.slice(f.start, f.end));
      }
    }
  });
});
