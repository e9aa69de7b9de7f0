import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import {
  analyzeOptionsFromPolicy,
  parsePolicy,
  planFromPolicy,
  policyHash,
  structuredRulesFromPolicy,
} from '../../src/policy/index.js';
import { repoUrl } from '../repo-paths.js';

const FULL = `
version: 1
threshold: 0.5
entities: [PERSON, US_SSN, EMPLOYEE_ID]
operators:
  default: { operator: replace }
  US_SSN: { operator: mask, char: "#", keep_last: 4, keep_separators: true }
  CREDIT_CARD: { operator: fpe }
  DATE_TIME: { operator: date_shift, max_days: 30 }
  AGE: { operator: generalize, band_width: 5 }
allow: [Acme Corp]
deny:
  - Project Falcon
  - { type: PERSON, values: [J. Doe] }
recognizers:
  - name: employee-id
    entity: EMPLOYEE_ID
    patterns: [{ regex: 'EMP-\\d{6}', score: 0.7 }]
fields:
  "$.patient.name": { type: PERSON }
  "$.visits[*].notes": detect
  ssn: { type: US_SSN, operator: { operator: redact } }
other_fields: keep
`;

function invalid(source: string, message: string): void {
  assert.throws(() => parsePolicy(source), { code: 'VEIL_POLICY_INVALID', message });
}

describe('parsePolicy', () => {
  it('turns a full policy into a plan, analyzer options and field rules', () => {
    const policy = parsePolicy(FULL);
    assert.deepEqual(planFromPolicy(policy), {
      default: { operator: 'replace' },
      operators: {
        US_SSN: { operator: 'mask', char: '#', keepLast: 4, keepSeparators: true },
        CREDIT_CARD: { operator: 'fpe' },
        DATE_TIME: { operator: 'date_shift', maxDays: 30 },
        AGE: { operator: 'generalize', bandWidth: 5 },
      },
    });
    assert.deepEqual(analyzeOptionsFromPolicy(policy), {
      threshold: 0.5,
      entities: ['PERSON', 'US_SSN', 'EMPLOYEE_ID'],
      allowList: ['Acme Corp'],
      denyList: [
        { type: 'PERSON', values: ['J. Doe'] },
        { type: 'DENY_LIST', values: ['Project Falcon'] },
      ],
      recognizers: [
        { name: 'employee-id', entity: 'EMPLOYEE_ID', patterns: [{ regex: 'EMP-\\d{6}', score: 0.7 }] },
      ],
    });
    assert.deepEqual(structuredRulesFromPolicy(policy), {
      fields: {
        '$.patient.name': { type: 'PERSON' },
        '$.visits[*].notes': 'detect',
        ssn: { type: 'US_SSN', operator: { operator: 'redact' } },
      },
      others: 'keep',
    });
  });

  it('accepts the shipped default policy', () => {
    const policy = parsePolicy(readFileSync(repoUrl('policies/default.yaml'), 'utf8'));
    assert.deepEqual(planFromPolicy(policy).default, { operator: 'replace' });
  });

  it('names the setting in every error', () => {
    const base = 'version: 1\noperators:\n  default: { operator: replace }\n';
    invalid(
      `${base}  US_SSN: { operator: mask, keep_last: "4" }\n`,
      'policy.operators.US_SSN.keep_last: expected a number',
    );
    invalid(
      `${base}  US_SSN: { operator: mask, keep_last: 2.5 }\n`,
      'policy.operators.US_SSN.keep_last: expected a whole number',
    );
    invalid(
      `${base}  US_SSN: { operator: mask, keeplast: 4 }\n`,
      'policy.operators.US_SSN.keeplast: unknown key',
    );
    invalid(
      `${base}  US_SSN: { operator: scramble }\n`,
      'policy.operators.US_SSN.operator: expected an operator: one of replace, redact, mask, hash, encrypt, tokenize, fpe, date_shift, generalize, keep',
    );
    invalid(
      `${base}  us_ssn: { operator: redact }\n`,
      'policy.operators.us_ssn: expected an upper-case entity name such as US_SSN',
    );
    invalid(`${base}threshold: 2\n`, 'policy.threshold: expected a number from 0 to 1');
    invalid(`${base}colour: blue\n`, 'policy.colour: unknown key');
    invalid(
      'version: 2\noperators:\n  default: { operator: replace }\n',
      'policy.version: expected 1 (the only policy version)',
    );
    invalid('version: 1\n', 'policy.operators: is required');
    invalid(
      `${base}recognizers:\n  - { name: x, entity: X_ID, patterns: [{ regex: a, score: 2 }] }\n`,
      'policy.recognizers.0.patterns.0.score: Too big: expected number to be <=1',
    );
    invalid(
      `${base}fields:\n  name: hide\n`,
      'policy.fields.name: expected detect, keep, or a mapping with a type (and an optional operator)',
    );
  });

  it('reports YAML syntax errors by position only', () => {
    invalid('version: 1\noperators: [unclosed\n', 'policy: not valid YAML at line 3, column 1 (BAD_INDENT)');
  });
});

describe('policyHash', () => {
  it('is the SHA-256 of the canonical JSON: key order, style and comments do not change it', () => {
    const a = parsePolicy(
      'version: 1\nthreshold: 0.5\noperators:\n  default: { operator: replace }\n  US_SSN: { operator: redact }\n',
    );
    const b = parsePolicy(
      '# a comment\noperators:\n  US_SSN:\n    operator: redact\n  default:\n    operator: replace\nthreshold: 0.50\nversion: 1\n',
    );
    assert.equal(policyHash(a), policyHash(b));
    assert.equal(policyHash(a), 'b6f0baab92efc9347a6d3014748571401e05d93e1a7533ed5cf360db24c1a4e4');
    assert.notEqual(
      policyHash(
        parsePolicy(
          'version: 1\nthreshold: 0.6\noperators:\n  default: { operator: replace }\n  US_SSN: { operator: redact }\n',
        ),
      ),
      policyHash(a),
    );
  });
});
