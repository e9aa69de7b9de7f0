import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FieldCandidate } from '../../../src/ai/fields/extractor.js';
import {
  AGREEMENT_EVIDENCE,
  checkSecondReading,
  readingAgrees,
  weighAgreement,
  type FieldRegionReader,
} from '../../../src/ai/fields/second-reading.js';
import type { FieldSpec } from '../../../src/ai/fields/spec.js';

describe('readingAgrees', () => {
  test('holds a value whose words the reading has in one run, whatever the case, spacing and punctuation', () => {
    assert.equal(
      readingAgrees('SYARIKAT PERNIAGAAN GIN KEE', 'syarikat perniagaan\nGIN KEE (81109-A)'),
      true,
    );
    assert.equal(readingAgrees('NO.53JALAN PUTRA1', 'NO.53 JALAN PUTRA 1,'), true);
    assert.equal(readingAgrees('81 100 JOHOR BAHRU', '81100 JOHOR BAHRU'), true);
  });

  test('refuses a misread letter, a word read short, and an empty value or reading', () => {
    assert.equal(readingAgrees('SYARIKAT PERNIAGAAN GIN KEF', 'SYARIKAT PERNIAGAAN GIN KEE'), false);
    assert.equal(readingAgrees('Johor ahru, Johor', 'Johor Bahru, Johor'), false);
    assert.equal(readingAgrees('TMN SRI MUBA', 'TMN SRI MUDA'), false);
    assert.equal(readingAgrees('', 'ANYTHING'), false);
    assert.equal(readingAgrees('TEO HENG', ''), false);
  });
});

describe('weighAgreement', () => {
  test("multiplies the confidence's odds by the dev half's likelihood ratios", () => {
    assert.equal(Math.round(AGREEMENT_EVIDENCE.string!.agreed * 1000) / 1000, 2.549);
    assert.equal(Math.round(AGREEMENT_EVIDENCE.address!.disagreed * 1000) / 1000, 0.336);
    assert.equal(weighAgreement(0.8, 'string', 'agreed'), 0.911);
    assert.equal(weighAgreement(0.8, 'address', 'disagreed'), 0.573);
    assert.equal(weighAgreement(0.5, 'string', 'agreed'), 0.718);
  });

  test('leaves unchecked fields, types without ratios and certain scores as they are', () => {
    assert.equal(weighAgreement(0.8, 'string', 'unchecked'), 0.8);
    assert.equal(weighAgreement(0.8, 'date', 'disagreed'), 0.8);
    assert.equal(weighAgreement(0, 'string', 'agreed'), 0);
  });
});

describe('checkSecondReading', () => {
  const fields: FieldSpec[] = [
    { name: 'company', type: 'string', position: 'top' },
    { name: 'address', type: 'address' },
    { name: 'date', type: 'date' },
  ];
  const candidate = (value: string, confidence: number): FieldCandidate => ({
    value,
    confidence,
    page: 1,
    box: { x: 10, y: 10, width: 200, height: 20 },
    checks: [],
  });
  const found = {
    company: candidate('SYARIKAT PERNIAGAAN GIN KEE', 0.8),
    address: candidate('67, JLN MEWAH, TMN SRI MUBA', 0.8),
    date: candidate('2018-03-07', 0.9),
  };

  test('marks agreed and disagreed text fields and weighs their confidence; other types are untouched', async () => {
    const asked: number[] = [];
    // The port as a caller may implement it: here, readings that were read before.
    const reader: FieldRegionReader = async (regions) => {
      asked.push(regions.length);
      return ['SYARIKAT PERNIAGAAN GIN KEE (81109-A)', '67, JLN MEWAH, TMN SRI MUDA'];
    };
    const checked = await checkSecondReading(found, fields, reader);
    assert.deepEqual(asked, [2], 'both text fields are read in one call');
    assert.equal(checked.company?.agreement, 'agreed');
    assert.equal(checked.company?.confidence, 0.911);
    assert.deepEqual(checked.company?.checks, [], 'agreement is evidence, not a check a router fails on');
    assert.equal(checked.address?.agreement, 'disagreed');
    assert.equal(checked.address?.confidence, 0.573);
    assert.deepEqual(checked.address?.checks, []);
    assert.deepEqual(checked.date, found.date);
  });

  test('without a reader, or for a region read as null, text fields are unchecked with their confidence', async () => {
    const none = await checkSecondReading(found, fields, undefined);
    assert.equal(none.company?.agreement, 'unchecked');
    assert.equal(none.company?.confidence, 0.8);
    assert.deepEqual(none.company?.checks, []);
    const partly = await checkSecondReading(found, fields, async () => [null, '67, JLN MEWAH, TMN SRI MUBA']);
    assert.equal(partly.company?.agreement, 'unchecked');
    assert.equal(partly.address?.agreement, 'agreed');
    assert.equal(partly.address?.confidence, 0.911);
  });
});
