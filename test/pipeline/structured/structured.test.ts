import assert from 'node:assert/strict';
import { PassThrough, Readable, Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { anonymizeJson, parseJsonPath } from '../../../src/engine/anonymize/structured/index.js';
import type { AnonymizationPlan } from '../../../src/engine/anonymize/types.js';
import type { Finding } from '../../../src/engine/types.js';
import { anonymizeCsv } from '../../../src/pipeline/structured/csv.js';
import { anonymizeJsonDocument } from '../../../src/pipeline/structured/json.js';

/** A stand-in detector: every "Ann Lee" or "Bob Ray" is a PERSON, every 5-digit run a ZIP_CODE. */
function analyze(text: string): Finding[] {
  return [...text.matchAll(/Ann Lee|Bob Ray|\b\d{5}\b/g)].map((m) => ({
    type: /\d/.test(m[0]) ? 'ZIP_CODE' : 'PERSON',
    start: m.index,
    end: m.index + m[0].length,
    score: 0.9,
    recognizer: 'test',
  }));
}

const plan: AnonymizationPlan = {
  default: { operator: 'replace' },
  operators: { ZIP_CODE: { operator: 'generalize' } },
};

async function collect(stream: Readable): Promise<string> {
  let out = '';
  for await (const chunk of stream) out += String(chunk);
  return out;
}

describe('anonymizeJson', () => {
  const doc = {
    patient: { name: 'Ann Lee', ssn: 536228172, address: { zip: '94107', note: 'lives with Bob Ray' } },
    visits: [
      { notes: 'Ann Lee seen by Bob Ray', code: 'A1' },
      { notes: 'no change', code: 'B2' },
    ],
    tags: ['Bob Ray'],
  };

  it('applies rules by path, the most specific first, and detects inside free text', async () => {
    const out = await anonymizeJson(doc, {
      plan,
      analyze,
      rules: {
        fields: {
          '$.patient.name': { type: 'PERSON' },
          '$.patient.ssn': { type: 'US_SSN', operator: { operator: 'mask', keepLast: 4 } },
          '$.patient.address': 'detect',
          '$.visits[*].notes': 'detect',
          '$..code': 'keep',
        },
        others: 'keep',
      },
    });
    assert.deepEqual(out.value, {
      patient: {
        name: '<PERSON_1>',
        ssn: '*****8172',
        address: { zip: '941', note: 'lives with <PERSON_2>' },
      },
      visits: [
        { notes: '<PERSON_1> seen by <PERSON_2>', code: 'A1' },
        { notes: 'no change', code: 'B2' },
      ],
      tags: ['Bob Ray'],
    });
    assert.deepEqual(
      out.items.map((i) => [i.path, i.type, i.operator, i.start, i.end]),
      [
        ['$.patient.name', 'PERSON', 'replace', 0, 10],
        ['$.patient.ssn', 'US_SSN', 'mask', 0, 9],
        ['$.patient.address.zip', 'ZIP_CODE', 'generalize', 0, 3],
        ['$.patient.address.note', 'PERSON', 'replace', 11, 21],
        ['$.visits[0].notes', 'PERSON', 'replace', 0, 10],
        ['$.visits[0].notes', 'PERSON', 'replace', 19, 29],
      ],
    );
    assert.equal(doc.patient.name, 'Ann Lee', 'the input is not modified');
  });

  it('detects in every field no rule names, by default', async () => {
    const out = await anonymizeJson({ a: { b: ['x Ann Lee'] } }, { plan, analyze, rules: { fields: {} } });
    assert.deepEqual(out.value, { a: { b: ['x <PERSON_1>'] } });
  });

  it('refuses paths it does not support', () => {
    assert.throws(() => parseJsonPath('patient.name'), { code: 'VEIL_INVALID_OPTION' });
    assert.throws(() => parseJsonPath('$.a[?(@.x)]'), { code: 'VEIL_INVALID_OPTION' });
    assert.deepEqual(parseJsonPath("$['full name'][2]..email"), [
      { kind: 'key', key: 'full name' },
      { kind: 'index', index: 2 },
      { kind: 'descend' },
      { kind: 'key', key: 'email' },
    ]);
  });

  it('reads and writes a JSON document, and never echoes a parse error', async () => {
    const out = new PassThrough();
    const written = collect(out);
    await anonymizeJsonDocument(Readable.from(['{"n":"Ann Lee"}']), out, {
      plan,
      analyze,
      rules: { fields: {} },
    });
    assert.equal(await written, '{\n  "n": "<PERSON_1>"\n}\n');
    await assert.rejects(
      anonymizeJsonDocument(Readable.from(['{"n": Ann Lee}']), new PassThrough(), {
        plan,
        analyze,
        rules: { fields: {} },
      }),
      {
        code: 'VEIL_MALFORMED_JSON',
        message: 'JSON input is not valid JSON',
      },
    );
  });
});

describe('anonymizeCsv', () => {
  it('anonymises by column, detects in free-text columns and keeps the header', async () => {
    const csv = 'name,zip,notes,id\nAnn Lee,94107,"Ann Lee called Bob Ray, twice",1\nBob Ray,03601,,2\n';
    const out = new PassThrough();
    const written = collect(out);
    const summary = await anonymizeCsv(Readable.from([csv]), out, {
      plan,
      analyze,
      rules: { fields: { name: { type: 'PERSON' }, zip: { type: 'ZIP_CODE' }, notes: 'detect', id: 'keep' } },
    });
    assert.equal(
      await written,
      'name,zip,notes,id\n<PERSON_1>,941,"<PERSON_1> called <PERSON_2>, twice",1\n<PERSON_2>,000,,2\n',
    );
    assert.deepEqual(summary, {
      rows: 2,
      byType: { PERSON: 4, ZIP_CODE: 2 },
      byOperator: { replace: 4, generalize: 2 },
    });
  });

  it('reports malformed CSV by line, without its content', async () => {
    await assert.rejects(
      anonymizeCsv(Readable.from(['a,b\n1,2\n"secret value,3\n']), new PassThrough(), {
        plan,
        analyze,
        rules: { fields: {} },
      }),
      {
        code: 'VEIL_MALFORMED_CSV',
        message: 'CSV input is malformed at line 3 (CSV_QUOTE_NOT_CLOSED)',
      },
    );
  });

  it('streams a large file with bounded memory', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const ROWS = 150_000;
    const row = (i: number): string =>
      `${i},Ann Lee,${String(10000 + (i % 90000))},"visit ${i}: Ann Lee met Bob Ray about the plan"\n`;
    let inputBytes = 0;
    async function* source(): AsyncGenerator<string> {
      yield 'id,name,zip,notes\n';
      for (let i = 0; i < ROWS; i += 500) {
        let chunk = '';
        for (let j = i; j < i + 500; j += 1) chunk += row(j);
        inputBytes += chunk.length;
        yield chunk;
      }
    }
    gc();
    const baseline = process.memoryUsage().heapUsed;
    let peak = 0;
    let outputBytes = 0;
    let chunks = 0;
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        outputBytes += chunk.length;
        // Sample the live heap (after a collection) as the output flows.
        if (++chunks % 5000 === 0) {
          gc();
          peak = Math.max(peak, process.memoryUsage().heapUsed - baseline);
        }
        done();
      },
    });
    const summary = await anonymizeCsv(Readable.from(source()), sink, {
      plan: { default: { operator: 'mask' } },
      analyze,
      rules: {
        fields: {
          id: 'keep',
          name: { type: 'PERSON' },
          zip: { type: 'ZIP_CODE', operator: { operator: 'generalize' } },
        },
      },
    });
    assert.equal(summary.rows, ROWS);
    assert.ok(inputBytes > 10_000_000, `the input is large (${inputBytes} bytes)`);
    assert.ok(outputBytes > 8_000_000);
    assert.ok(
      peak < 16 * 1024 * 1024,
      `live heap grew by ${(peak / 1048576).toFixed(1)} MiB while streaming ${(inputBytes / 1048576).toFixed(0)} MiB`,
    );
  });
});
