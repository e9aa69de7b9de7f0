import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyze } from '../../src/engine/analyze.js';
import { isPlausibleUrl } from '../../src/engine/recognizers/contact.js';

/** The values every recognizer together reports in `text`, as "TYPE:value". */
function reported(text: string): string[] {
  return analyze(text).map((f) => `${f.type}:${text.slice(f.start, f.end)}`);
}

describe('malformed and look-alike IP addresses', () => {
  const notAddresses = [
    'the address 256.1.1.1 is invalid', // octet above 255
    'host 192.168.1 is down', // three octets
    'ip 192.168.01.1', // leading zero
    'from 192.168.1.1.5 on', // five groups
    'running v1.2.3.4 now',
    'upgrade to version 1.2.3.4 today',
    'ver. 4.3.2.1',
    'firmware 5.1.0.12 fixes it',
    'see section 1.2.3.4 of the contract',
    'paragraph 2.1.1.1 applies',
    'as § 3.1.4.1 says',
  ];
  for (const text of notAddresses) {
    it(`reports no IP address in "${text}"`, () => {
      assert.deepEqual(
        reported(text).filter((r) => r.startsWith('IP_ADDRESS')),
        [],
      );
    });
  }

  it('reads four dotted groups of digits as no phone number ("999.999.999.999")', () => {
    assert.deepEqual(reported('IP 999.999.999.999'), []);
  });

  it('reports no IPv6 address in code or words with no digit ("a::b", "dead::beef")', () => {
    assert.deepEqual(reported('call a::b then dead::beef'), []);
  });

  it('still reports valid addresses, with an address word beside a section word', () => {
    assert.deepEqual(reported('IP 10.0.0.1 logged'), ['IP_ADDRESS:10.0.0.1']);
    assert.deepEqual(reported('server 203.0.113.7 per section 4'), ['IP_ADDRESS:203.0.113.7']);
    assert.deepEqual(reported('link-local fe80::1'), ['IP_ADDRESS:fe80::1']);
  });
});

describe('malformed URLs', () => {
  it('rejects hosts no resolver could look up', () => {
    assert.equal(isPlausibleUrl('https://.com'), false);
    assert.equal(isPlausibleUrl('https://-bad-.com'), false);
    assert.equal(isPlausibleUrl('http://300.1.1.1/path'), false);
    assert.equal(isPlausibleUrl('1.2.3'), false);
  });

  it('accepts names, IPv4 and bracketed IPv6 hosts, ports and user info', () => {
    assert.equal(isPlausibleUrl('https://example.org/a?b=c'), true);
    assert.equal(isPlausibleUrl('http://localhost:8080/x'), true);
    assert.equal(isPlausibleUrl('http://192.0.2.1/'), true);
    assert.equal(isPlausibleUrl('http://[2001:db8::1]:443/'), true);
    assert.equal(isPlausibleUrl('ftp://user@files.example.org/'), true);
    assert.equal(isPlausibleUrl('www.münchen.de'), true);
  });

  it('reports no URL for a scheme with a malformed host', () => {
    assert.deepEqual(reported('see https://.com and http://300.1.1.1/path'), []);
  });
});

describe('identifiers and their labels are not names', () => {
  it('drops a lone token of seven digits or more that the tagger read as a place', () => {
    assert.deepEqual(reported('ID A1234567'), []);
  });

  it('drops a label in capitals before the number it labels, and reports the number', () => {
    assert.deepEqual(reported('KVNR A123456780'), ['DE_KVNR:A123456780']);
    assert.deepEqual(reported('TCKN 10000000146'), ['TR_TCKN:10000000146']);
  });

  it('drops a short label in capitals opening a line before a colon, whatever follows it', () => {
    assert.deepEqual(reported('Patient name: <PERSON_1>\nSSN: <US_SSN_1>\nMRN: pending'), []);
  });

  it('keeps a name in capitals that a list knows ("JOHN SMITH 12 May")', () => {
    assert.ok(reported('Signed by JOHN SMITH 12 May').some((r) => r.startsWith('PERSON:JOHN')));
  });
});
