import { describe } from 'node:test';
import { entityTests, type EntityCases } from './detect.js';

const CASES: Record<string, EntityCases> = {
  DE_TAX_ID: {
    found: ['Steuer-ID: [36574261809]', 'Steueridentifikationsnummer [36 574 261 809]'],
    notFound: [
      'Steuer-ID: 36574261808', // check digit
      'Steuer-ID: 11223456785', // check passes, but two digits repeat
      'Steuer-ID: 06574261809', // leading zero
      'Rechnung 36574261809', // no context
    ],
  },
  DE_ID_CARD: {
    found: ['Personalausweis [T220001293]', 'Ausweisnummer: [T22000129]'],
    notFound: [
      'Personalausweis T220001294',
      'Code T22000129',
      'Personalausweis TXYZWRLMN',
      'Personalausweis C01X00T47' /* a passport letter */,
    ],
  },
  FR_NIR: {
    found: ['[2 95 10 99 126 111 93]', 'n° de sécurité sociale [186022A21532523]'],
    notFound: ['2 95 10 99 126 111 94', '2 95 13 99 126 111 93', '186022A21532524'],
  },
  NL_BSN: {
    found: ['BSN: [111222333]', 'burgerservicenummer [1112.22.333]'],
    notFound: ['BSN: 111222334', 'artikel 111222333', 'BSN: 000000000'],
  },
  BE_NATIONAL_NUMBER: {
    found: ['[88.02.29-999.90]', 'Rijksregisternummer: [88022999990]'],
    notFound: [
      '88.02.29-999.91', // check digits
      'Rijksregisternummer: 87022910095', // check passes, but 29 February 1987
      'order 88022999990', // no context
    ],
  },
  LU_MATRICULE: {
    found: ['[1983010112374]', 'matricule [1983 01 01 123 74]'],
    notFound: ['matricule 1983010112375', 'matricule 1983022912347' /* both checks pass, 29 Feb 1983 */],
  },
  AT_SVNR: {
    found: ['Sozialversicherungsnummer [1237 010180]', 'SVNR: [1237010180]'],
    notFound: ['SVNR: 1238 010180', 'SVNR: 1238 320180' /* check passes, day 32 */, 'Nummer 1237 010180'],
  },
  IE_PPSN: {
    found: ['PPS number [6433435F]', '[1234567TW]'],
    notFound: ['PPSN 6433435G', 'PPSN 1234567TB'],
  },
  ES_NIF: {
    found: ['DNI [54362315K]', '[54362315-K]'],
    notFound: ['DNI 54362315L', 'DNI 5436231K'],
  },
  ES_NIE: {
    found: ['NIE [X2482300W]', '[Y-1234567-X]'],
    notFound: ['NIE X2482300A', 'NIE W2482300W'],
  },
  ES_PASSPORT: {
    found: ['pasaporte [PAA123456]', 'Spanish passport [AB123456]'],
    notFound: ['código PAA123456', 'pasaporte PAA12345', 'pasaporte PAAA123456'],
  },
  IT_FISCAL_CODE: {
    found: ['codice fiscale [RCCMNL83S18D969H]', '[RCCMNL83S18D96VW]' /* omocode */],
    notFound: [
      'RCCMNL83S18D969A', // check letter
      'RCCMNL83B31D969E', // check passes, but 31 February
      'RCCMNL83S18D969', // too short
    ],
  },
  IT_VAT_CODE: {
    found: ['Partita IVA: [00743110157]'],
    notFound: ['Partita IVA: 00743110158', 'Partita IVA: 00000000000', 'ordine 00743110157'],
  },
  IT_PASSPORT: {
    found: ['numero passaporto [YA1234567]'],
    notFound: ['codice YA1234567', 'passaporto YA123456'],
  },
  IT_IDENTITY_CARD: {
    found: ["carta d'identità [CA00000AA]", 'carta di identità n. [AB 1234567]'],
    notFound: ['codice CA00000AA', "carta d'identità CA0000AA"],
  },
  IT_DRIVER_LICENSE: {
    found: ['patente di guida [MI1234567A]', 'patente [U1H00A000B]'],
    notFound: ['codice MI1234567A', 'patente MI123456A'],
  },
  PT_NIF: {
    found: ['NIF [501 964 843]', 'número de contribuinte: [123456789]'],
    notFound: ['NIF 501 964 844', 'NIF 001 964 843', 'fatura 501 964 843'],
  },
  GR_AMKA: {
    found: ['ΑΜΚΑ: [01013099997]', 'AMKA [01013099997]'],
    notFound: ['AMKA 01013099998', 'AMKA 31023099992' /* Luhn passes, 31 February */],
  },
  HR_OIB: {
    found: ['OIB: [33392005961]'],
    notFound: ['OIB: 33392005962', 'račun 33392005961'],
  },
  SI_EMSO: {
    found: ['EMŠO: [0101006500006]', 'EMSO [1211981500126]'],
    notFound: ['EMŠO 0101006500007', 'EMŠO 3102986500004' /* check passes, 31 February */],
  },
  CY_TIC: {
    found: ['[10259033P]', 'TIC: [10259033-P]'],
    notFound: ['TIC 10259033Q', 'TIC 12259033P'],
  },
  MT_ID: {
    found: ['identity card no. [123456M]'],
    notFound: ['budget 250M', 'identity card 123456X', 'total 123456M'],
  },
  SE_PERSONNUMMER: {
    found: [
      '[880320-0016]',
      'personnummer [8112289874]',
      '[19811228-9874]',
      'samordningsnummer [701063-2391]',
    ],
    notFound: ['880320-0017', '881320-0014' /* Luhn passes, month 13 */, 'nummer 8112289874'],
  },
  SE_ORGANISATIONSNUMMER: {
    found: ['organisationsnummer [556036-0793]', 'org.nr [16556036-0793]', '[202100-5489] (org nr)'],
    notFound: [
      'organisationsnummer 556036-0794',
      'organisationsnummer 551036-0793' /* month-like 10 */,
      'order 556036-0793',
    ],
  },
  DK_CPR: {
    found: ['CPR-nummer: [211062-5629]', 'cpr nr [2110625629]'],
    notFound: ['CPR: 321062-5629', 'CPR: 211362-5629', 'tlf 211062-5629'],
  },
  FI_PERSONAL_IDENTITY_CODE: {
    found: ['[131052-308T]', 'henkilötunnus [010594Y9032]'],
    notFound: ['131052-308U', '310252-308Y' /* check passes, 31 February */, '131052-001H'],
  },
  EE_ISIKUKOOD: {
    found: ['isikukood [36805280109]'],
    notFound: [
      'isikukood 36805280108',
      'isikukood 36813280103' /* check passes, month 13 */,
      'arve 36805280109',
    ],
  },
  LT_ASMENS_KODAS: {
    found: ['asmens kodas [33309240064]'],
    notFound: ['asmens kodas 33309240065', 'asmens kodas 33302300068' /* check passes, 30 February */],
  },
  LV_PERSONAS_KODS: {
    found: ['personas kods [161175-19997]', 'personas kods: [320000-12345]' /* post-2017 code */],
    notFound: [
      'personas kods 161175-19998',
      'personas kods 311175-19992' /* check passes, 31 November */,
      'rēķins 161175-19997',
    ],
  },
  PL_PESEL: {
    found: ['PESEL: [44051401359]', 'numer PESEL [09222509560]'],
    notFound: [
      'PESEL: 44051401358',
      'PESEL: 44131401350' /* check passes, month 13 */,
      'faktura 44051401359',
    ],
  },
  CZ_BIRTH_NUMBER: {
    found: ['rodné číslo [710319/2745]', 'birth number [7103192745]'],
    notFound: ['rodné číslo 710319/2746', 'rodné číslo 7102302746' /* divisible by 11, 30 February */],
  },
  SK_BIRTH_NUMBER: {
    found: ['slovenské rodné číslo [710319/2745]'],
    notFound: ['rodné číslo 710319/2746', 'rodné číslo 715519/2745'],
  },
  HU_TAJ: {
    found: ['TAJ szám: [123 456 788]', 'TAJ [123456788]'],
    notFound: ['TAJ: 123 456 789', 'TAJ: 123 456-788', 'számla 123 456 788'],
  },
  RO_CNP: {
    found: ['CNP: [1630615123457]'],
    notFound: [
      'CNP: 1630615123458',
      'CNP: 1631315123457' /* check passes, month 13 */,
      'CNP: 1630615993457',
      'factura 1630615123457',
    ],
  },
  BG_EGN: {
    found: ['ЕГН [7523169263]', 'EGN: [8032056031]'],
    notFound: ['ЕГН 7523169264', 'ЕГН 7513329261' /* check passes, 32 November */, 'фактура 7523169263'],
  },
  EU_VAT_NUMBER: {
    found: [
      'USt-IdNr. [DE 136695976]',
      '[ATU13585627]',
      'BTW [NL004495445B01]',
      'TVA [FR 40 303 265 045]',
      '[BE 0403.019.261]',
      '[IT00743110157]',
      '[ESX2482300W]',
      '[PL 856-734-62-15]',
      '[SE556188840401]',
      '[DK 13 58 56 28]',
      '[EL094259216]',
      '[CY10259033P]',
      '[SK2022749619]',
      '[LT119511515]',
      '[BG175074752]',
    ],
    notFound: [
      'DE 136695977',
      'ATU13585628',
      'NL004495446B01',
      'FR 41 303 265 045',
      'XX123456789',
      'RO12',
      'SK2062749619',
    ],
  },
};

for (const [type, cases] of Object.entries(CASES)) describe(type, () => entityTests(type, cases));
