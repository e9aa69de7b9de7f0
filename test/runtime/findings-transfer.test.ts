import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createAnalyzer } from '../../src/engine/analyze.js';
import type { Finding } from '../../src/engine/types.js';
import { decodeFindings, encodeFindings } from '../../src/runtime/findings-transfer.js';

describe('findings across threads as numbers and names', () => {
  it('decodes what it encoded: parts present, empty or absent, names listed once', () => {
    const findings: Finding[] = [
      { type: 'EMAIL_ADDRESS', start: 5, end: 21, score: 1, recognizer: 'email' },
      {
        type: 'STREET_ADDRESS',
        start: 27,
        end: 60,
        score: 0.96,
        recognizer: 'street-address',
        parts: [
          { type: 'STREET', start: 27, end: 44 },
          { type: 'POSTCODE', start: 53, end: 60 },
        ],
      },
      {
        type: 'EMAIL_ADDRESS',
        start: 70,
        end: 86,
        score: 0.4000000000000001,
        recognizer: 'email',
        parts: [],
      },
    ];
    const encoded = encodeFindings(findings)!;
    assert.deepEqual(encoded.names, [
      'EMAIL_ADDRESS',
      'email',
      'STREET_ADDRESS',
      'street-address',
      'STREET',
      'POSTCODE',
    ]);
    assert.equal(encoded.numbers.length, 6 + 6 + 3 * 2 + 6);
    assert.deepEqual(decodeFindings(encoded), findings);
    assert.deepEqual(decodeFindings(encodeFindings([])!), []);
  });

  it('gives up on a finding or part with a field it does not carry, so nothing is dropped', () => {
    const extra = { type: 'URL', start: 0, end: 4, score: 1, recognizer: 'url', note: 'x' } as Finding;
    assert.equal(encodeFindings([extra]), undefined);
    const part = { type: 'STREET', start: 0, end: 4, kind: 'x' } as unknown as NonNullable<
      Finding['parts']
    >[number];
    assert.equal(
      encodeFindings([
        { type: 'STREET_ADDRESS', start: 0, end: 4, score: 1, recognizer: 'a', parts: [part] },
      ]),
      undefined,
    );
  });

  it("round-trips the engine's own findings for a text with names, titles and an address", () => {
    const text =
      'Write to Dr. Jane Smith at 221B Baker Street, London NW1 6XE, or mail jane.smith@example.org; SSN 078-05-1120.';
    const findings = createAnalyzer()(text);
    assert.ok(findings.some((f) => f.parts !== undefined));
    assert.deepEqual(decodeFindings(encodeFindings(findings)!), findings);
  });
});
