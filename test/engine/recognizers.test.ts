import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze } from '../../src/engine/analyze.js';

/** A valid example is found with exactly this value; an invalid one is not reported as the type. */
interface Case {
  readonly type: string;
  readonly valid: readonly [text: string, value: string][];
  readonly invalid: readonly string[];
}

const CASES: readonly Case[] = [
  {
    type: 'EMAIL_ADDRESS',
    valid: [
      ['write to jane.doe+tag@mail.example.co.uk today', 'jane.doe+tag@mail.example.co.uk'],
      ['<a@b.io>', 'a@b.io'],
    ],
    invalid: ['user@localhost', 'a..b@example.com', '@example.com'],
  },
  {
    type: 'URL',
    valid: [
      ['see https://example.org/a?b=1.', 'https://example.org/a?b=1'],
      ['visit www.veil.dev now', 'www.veil.dev'],
      ['http://MarketRepair.com/', 'http://MarketRepair.com/'],
    ],
    invalid: ['version 1.2.3', 'the end.Next'],
  },
  {
    type: 'PHONE_NUMBER',
    valid: [
      ['call (212) 555-0199', '(212) 555-0199'],
      ['tel +44 20 7946 0958', '+44 20 7946 0958'],
      ['phone: 833.719.3994x1887', '833.719.3994x1887'],
    ],
    invalid: ['call 12345', 'on 2001-03-12', 'ssn 536-22-1245'],
  },
  {
    type: 'CREDIT_CARD',
    valid: [
      ['card 4111 1111 1111 1111 ok', '4111 1111 1111 1111'],
      ['amex 378282246310005', '378282246310005'],
      ['mc 5555-5555-5555-4444', '5555-5555-5555-4444'],
    ],
    invalid: ['card 4111 1111 1111 1112', 'card 1234 5678 9012 3456', 'card 0000000000000000'],
  },
  {
    type: 'IBAN_CODE',
    valid: [
      ['IBAN GB82 WEST 1234 5698 7654 32', 'GB82 WEST 1234 5698 7654 32'],
      ['DE89370400440532013000', 'DE89370400440532013000'],
      ['pay DE89 3704 0044 0532 0130 00 for Hans', 'DE89 3704 0044 0532 0130 00'],
      ['iban de89370400440532013000.', 'de89370400440532013000'],
    ],
    invalid: ['IBAN GB82 WEST 1234 5698 7654 33', 'DE89370400440532013001'],
  },
  {
    type: 'IP_ADDRESS',
    valid: [
      ['from 192.168.1.20 ok', '192.168.1.20'],
      ['host 2001:db8::8a2e:370:7334', '2001:db8::8a2e:370:7334'],
      ['d80:e4b5:79da:6cf6:71f3:51f7:9161:c319', 'd80:e4b5:79da:6cf6:71f3:51f7:9161:c319'],
    ],
    invalid: ['ip 256.1.1.1', 'ip 1.2.3', 'time 12:30:45', 'bad 1::2::3'],
  },
  {
    type: 'MAC_ADDRESS',
    valid: [
      ['mac 00:1A:2B:3C:4D:5E', '00:1A:2B:3C:4D:5E'],
      ['mac 001a.2b3c.4d5e', '001a.2b3c.4d5e'],
    ],
    invalid: ['mac 00:1A:2B:3C:4D', 'mac 00:1A-2B:3C:4D:5E'],
  },
  {
    type: 'US_SSN',
    valid: [
      ['SSN 536-22-1245', '536-22-1245'],
      ['social security number 536221245', '536221245'],
    ],
    invalid: [
      'SSN 000-12-3456',
      'SSN 666-12-3456',
      'SSN 536-00-1245',
      'SSN 536-22-0000',
      'SSN 123-45-6789',
      'number 536221245',
    ],
  },
  {
    type: 'US_ITIN',
    valid: [['ITIN 912-70-1234', '912-70-1234']],
    invalid: ['ITIN 912-69-1234', 'ITIN 812-70-1234'],
  },
  { type: 'US_PASSPORT', valid: [['passport number C03005988', 'C03005988']], invalid: ['C03005988'] },
  { type: 'US_DRIVER_LICENSE', valid: [['driver license LH329609T', 'LH329609T']], invalid: ['LH329609T'] },
  { type: 'US_BANK_NUMBER', valid: [['bank account 12345678901', '12345678901']], invalid: ['12345678901'] },
  {
    type: 'US_ABA_ROUTING',
    valid: [['routing number 021000021', '021000021']],
    invalid: ['routing number 021000022'],
  },
  { type: 'US_EIN', valid: [['EIN 12-3456789', '12-3456789']], invalid: ['EIN 00-3456789'] },
  {
    type: 'ZIP_CODE',
    valid: [
      ['zip code 98547', '98547'],
      ['ZIP 94103-1234', '94103-1234'],
    ],
    invalid: ['costs 98547'],
  },
  { type: 'US_NPI', valid: [['NPI 1234567893', '1234567893']], invalid: ['NPI 1234567890'] },
  {
    type: 'MEDICAL_LICENSE',
    valid: [
      ['DEA number AB1234563', 'AB1234563'],
      ['medical license no. 12345678', '12345678'],
    ],
    invalid: ['DEA number AB1234564'],
  },
  {
    type: 'MEDICAL_RECORD_NUMBER',
    valid: [
      ['MRN: 00123456', '00123456'],
      ['medical record number 4455-221', '4455-221'],
    ],
    invalid: ['record 00123456'],
  },
  {
    type: 'US_MBI',
    valid: [['Medicare 1EG4-TE5-MK73', '1EG4-TE5-MK73']],
    invalid: ['Medicare 1EG4-TE5-MKI3'],
  },
  {
    type: 'VIN',
    valid: [['VIN 1M8GDM9AXKP042788', '1M8GDM9AXKP042788']],
    invalid: ['VIN 1M8GDM9AYKP042788', 'VIN 1M8GDM9AXKP04278O'],
  },
  { type: 'IMEI', valid: [['IMEI 490154203237518', '490154203237518']], invalid: ['IMEI 490154203237519'] },
  {
    type: 'CRYPTO',
    valid: [
      ['btc 1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2', '1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2'],
      ['btc bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq', 'bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq'],
      ['eth 0x52908400098527886E0F7030069857D2E4169EE7', '0x52908400098527886E0F7030069857D2E4169EE7'],
    ],
    invalid: ['btc 1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN3', 'btc bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdr'],
  },
  {
    type: 'SECRET',
    valid: [
      ['aws AKIAIOSFODNN7EXAMPLE key', 'AKIAIOSFODNN7EXAMPLE'],
      ['token ghp_abcdefghijklmnopqrstuvwxyz0123456789', 'ghp_abcdefghijklmnopqrstuvwxyz0123456789'],
      ['password = "hunter2secret"', 'hunter2secret'],
      [
        '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA1234567890\n-----END RSA PRIVATE KEY-----',
        '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA1234567890\n-----END RSA PRIVATE KEY-----',
      ],
      [
        'jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U',
        'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U',
      ],
    ],
    invalid: [
      'AKIA is a prefix',
      'password = ab',
      '-----BEGIN PUBLIC KEY-----\nabc\n-----END PUBLIC KEY-----',
    ],
  },
  {
    type: 'DATE_TIME',
    valid: [
      ['born on 12 March 1984.', '12 March 1984'],
      ['at 2013-03-14 12:53:39', '2013-03-14 12:53:39'],
      ['on 3/31/1934', '3/31/1934'],
      ['in July 2000', 'July 2000'],
      ['born in 1949 and', '1949'],
      ['listed for hearing in the first half of 1993, the', 'first half of 1993'],
    ],
    invalid: ['on 2/30/2001', 'on 2013-13-14', 'cost 1949.50'],
  },
  {
    type: 'MONEY',
    valid: [
      ['an award of 4,393 pounds sterling (GBP) in', '4,393 pounds sterling (GBP)'],
      ['worth GBP 268,000.', 'GBP 268,000'],
      ['paid $1,250.50 today', '$1,250.50'],
      ['fee of 292 euros', '292 euros'],
      ['a fine of 2,400 Austrian schillings with', '2,400 Austrian schillings'],
      ['an allowance of 730 GDR marks (hereafter', '730 GDR marks'],
      ['the penalty did not exceed ATS 25,000 and', 'ATS 25,000'],
      ['awarded 1,250 New Turkish liras in', '1,250 New Turkish liras'],
      ['paid TRY 5,430 (approximately EUR 2,600) in fees', 'TRY 5,430 (approximately EUR 2,600)'],
      [
        'bail at 80,000 Polish zlotys (PLN) [approx. 19,000 euros (EUR)], to',
        '80,000 Polish zlotys (PLN) [approx. 19,000 euros (EUR)]',
      ],
      [
        '8,112.40 Turkish liras (TRY) (approximately 4,100 euros (EUR)), plus',
        '8,112.40 Turkish liras (TRY) (approximately 4,100 euros (EUR))',
      ],
      [
        'costs of approximately 3,200,000 Swedish kronor (SEK; about 310,000 euros (EUR)).',
        'approximately 3,200,000 Swedish kronor (SEK; about 310,000 euros (EUR))',
      ],
    ],
    invalid: ['about 4,393 people', 'page 268,000', 'she got 18 marks in the exam'],
  },
  {
    type: 'DATE_TIME',
    valid: [
      ['sentenced to 14 years in prison', '14 years'],
      ['lodged within three months of', 'three months'],
      ['hearing on 11-13 May 1994 before', '11-13 May 1994'],
      [
        'the period falling between 15 March 1985 and 10 March 1989.',
        'between 15 March 1985 and 10 March 1989',
      ],
      ['heard on 28 April and 4 May 1993.', '28 April and 4 May 1993'],
      ['a hospital stay of 12 days', '12 days'],
      ['He served 6 years of it.', '6 years'],
      ['and sentenced him to four years and two months’ imprisonment.', 'four years and two months’'],
      ["sentenced to thirty-two years' imprisonment", "thirty-two years'"],
      ['released after 24 hours in custody', '24 hours'],
      [
        'hearings on 3 June, on 9 August and on 14 October 2002.',
        '3 June, on 9 August and on 14 October 2002',
      ],
      ['payments between March and October 2003 were', 'March and October 2003'],
      ['heard at the beginning of June 2011.', 'beginning of June 2011'],
      ['From 1971 to 1988 he worked as a welder', '1971 to 1988'],
      ['From 12 April 1991 to 3 May 1996, she was', '12 April 1991 to 3 May 1996'],
      ['During the spring and summer of 2008, views', 'spring and summer of 2008'],
      ['the period between November 2001 and May 2002 was', 'between November 2001 and May 2002'],
      ['Between 3 March 1993 and 4 December 1994 he was held', 'Between 3 March 1993 and 4 December 1994'],
      ['a ceremony held on All Saints’ Day at the cemetery', 'All Saints’ Day'],
      ['they attended the Newroz celebrations in the town', 'Newroz'],
    ],
    // A duration or a relative date alone says nothing about anyone.
    invalid: [
      'a 50 years old man',
      'Article 1949 of the Act',
      'Please follow up with the patient in 2 months.',
      'The card expires this month, so renew it.',
      'Send me the statement from last month',
      'During the 1990s, prices rose',
      'they sailed on to Easter Island',
    ],
  },
  {
    type: 'AGE',
    valid: [
      ['she is 42 years old', '42'],
      ['a 7-year-old boy', '7'],
      ['aged 65', '65'],
      ['The applicant, aged sixty three, was', 'sixty three'],
      ['that his age is 49, he', '49'],
      ['at the age of twenty-one he left', 'age of twenty-one'],
      ['she arrived aged 22 years, without papers', '22 years'],
      ['a pension from the age of 60 onwards', '60'],
    ],
    invalid: ['42 years ago', 'the agent saw sixty three cars'],
  },
  {
    type: 'JOB_TITLE',
    valid: [
      ['Until 2004 the claimant worked as a secondary school teacher in Leeds.', 'secondary school teacher'],
      ['In 2012 the applicant, a taxi driver, was stopped at a checkpoint.', 'taxi driver'],
      ['He was a laboratory assistant in the faculty.', 'laboratory assistant'],
      ['She was appointed to the post of school nurse at the clinic.', 'school nurse'],
      ['The applicant, who is a retired police officer, lives in Bristol.', 'retired police officer'],
      ['born in 1993, was a student at a music conservatory', 'student'],
      ['The defendant was an accountant by training.', 'accountant'],
    ],
    invalid: [
      'Jennifer is a very sympathetic person. They are also good',
      'This is a reminder that the fee is due.',
      'The fund serves as an advocate for music.',
      'He was a member of the board.',
    ],
  },
  {
    type: 'LAND_PARCEL',
    valid: [
      ['the land (plot no. 517/2) and a barn', '517/2'],
      ['registered under parcel number 8820.', '8820'],
      ['the plot nos. 214/7/1 only', '214/7/1'],
    ],
    invalid: ['a plot of land of 500 square metres', 'block 5 of the report', 'the sheet of 12 pages'],
  },
  {
    type: 'CASE_NUMBER',
    valid: [
      ['application (no. 28045/02) against', '28045/02'],
      ['joined with 31853/96 later', '31853/96'],
      ['Case 1:12-cv-03456', '1:12-cv-03456'.slice(2)],
      ['membership of the PKK (case no. 1996/276). On', '1996/276'],
    ],
    invalid: ['ratio 3/4', 'on 3/31/1934', 'a ratio of 2001/12 was', 'on 2001/12/05'],
  },
];

for (const { type, valid, invalid } of CASES) {
  test(`${type}: valid examples are found with exact offsets`, () => {
    for (const [text, value] of valid) {
      const found = analyze(text, { entities: [type] });
      const start = text.indexOf(value);
      assert.deepEqual(
        found.map((f) => [f.type, f.start, f.end]),
        [[type, start, start + value.length]],
        `${type} in ${JSON.stringify(text)}`,
      );
    }
  });
  test(`${type}: invalid examples (bad checksum or structure) are not reported`, () => {
    for (const text of invalid)
      assert.deepEqual(analyze(text, { entities: [type] }), [], `${type} in ${JSON.stringify(text)}`);
  });
}

test('LAND_PARCEL: each number of a list of parcels is one finding, without the words between', () => {
  const text = 'lands registered under the plots nos. 38, 402/2, 77.5 and 611. The';
  assert.deepEqual(
    analyze(text, { entities: ['LAND_PARCEL'] }).map((f) => text.slice(f.start, f.end)),
    ['38', '402/2', '77.5', '611'],
  );
});
