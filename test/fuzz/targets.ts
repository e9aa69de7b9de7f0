/**
 * Fuzz targets: every document parser and the API's request schemas, each as a fast-check
 * arbitrary of input bytes and a check that the input is handled: parsed into a document (or
 * answered), or refused with a Veil error whose code is in the catalogue and whose message holds
 * neither a canary planted in the input nor control characters (no document bytes echoed). Any
 * other outcome (a raw exception, a 500, a hang past the runner's timeout) is a finding.
 *
 * The property test runs a bounded number of inputs; `npm run fuzz` runs each target for a time
 * budget and keeps every failing input under test/fixtures/fuzz/<target>/, which the replay test
 * feeds back through the same check.
 */
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { DEFAULT_LIMITS } from '../../src/documents/limits.js';
import { parseDocument, sniffType } from '../../src/documents/parse.js';
import { parseCsv, sniffDelimiter } from '../../src/documents/parsers/csv.js';
import { parseDocx, wordParagraphs } from '../../src/documents/parsers/docx.js';
import { jsonKind, parseJson } from '../../src/documents/parsers/json.js';
import { decodeText, parseText } from '../../src/documents/parsers/text.js';
import { ERROR_CATALOGUE } from '../../src/errors/catalogue.js';
import { isVeilError } from '../../src/errors/veil-error.js';
import { docx, eml, textImage, textPdf } from '../documents/fixtures.js';

/** Planted in generated inputs: no error message may repeat it. */
export const FUZZ_CANARY = 'Qz7canary4242';
/**
 * Planted as a JSON key. Messages name identifier-like keys (a caller's misspelt field), so the
 * key canary is not one: a key shaped like data must be shown as `*`.
 */
export const FUZZ_CANARY_KEY = 'qz7.canary@4242';

/** A property violation: what the fuzzer reports and keeps. */
export class FuzzFinding extends Error {
  override readonly name = 'FuzzFinding';
}

/** One target: an input generator and the check each input must pass. */
export interface FuzzTarget {
  readonly name: string;
  readonly input: fc.Arbitrary<Uint8Array>;
  /** Resolves when the input was handled as the contract says; rejects with a FuzzFinding otherwise. */
  check(input: Uint8Array): Promise<void>;
  /** The format's keywords, which a mutating fuzzer inserts whole (`npm run fuzz:coverage`). */
  readonly dictionary?: readonly string[];
}

/** Each format's keywords: structure-aware alphabets here, whole-token insertions when mutating. */
const DICTIONARIES: Readonly<Record<string, readonly string[]>> = {
  pdf: [
    'obj',
    'endobj',
    'stream\n',
    '\nendstream',
    'xref',
    'trailer',
    'startxref',
    '%%EOF',
    '<<',
    '>>',
    '/Filter',
    '/FlateDecode',
    '/Length',
    '/Type',
    '/Page',
    '/Pages',
    '/Root',
    '/ObjStm',
    '/Font',
    '/Contents',
    ' 0 R',
    'BT',
    'ET',
    'Tj',
    '/Encrypt',
  ],
  csv: [',', ';', '\t', '"', '""', '\r\n', '\n', '\ufeff'],
  json: ['{', '}', '[', ']', '":', ',"', 'null', 'true', '1e999', '-0', '"\\u0000"', '"\\ud800"', '\n'],
  'docx-xml': [
    '<w:p>',
    '</w:p>',
    '<w:t>',
    '</w:t>',
    '<w:br/>',
    '<w:tab/>',
    '&amp;',
    '&#x0;',
    '<![CDATA[',
    ']]>',
    '<!--',
    '-->',
    '<!DOCTYPE',
  ],
  docx: ['PK\x03\x04', 'PK\x01\x02', 'PK\x05\x06', 'word/document.xml', '<w:t>', '</w:t>'],
  email: [
    '\r\n',
    '\r\n\r\n',
    'Content-Type: ',
    'multipart/mixed; boundary="b"',
    '\r\n--b\r\n',
    '\r\n--b--',
    'Content-Transfer-Encoding: base64',
    'quoted-printable',
    '=?utf-8?B?',
    '=?utf-8?Q?',
    '?=',
    'filename=',
    'message/rfc822',
  ],
  image: [
    '\x89PNG\r\n\x1a\n',
    'IHDR',
    'IDAT',
    'IEND',
    'tEXt',
    '\xff\xd8\xff\xe0',
    '\xff\xd9',
    'Exif\x00\x00',
    'GIF89a',
    'RIFF',
    'WEBP',
  ],
  text: ['\ufeff', '\r\n', '\u0000', '\u2028', 'é', '\ud83d\ude00'],
  sniff: [
    '%PDF-1.7',
    'PK\x03\x04',
    '\x89PNG',
    '\xff\xd8\xff',
    'From: a@b.c\r\n',
    'Content-Type: ',
    '{',
    '<?xml',
  ],
};

function checkRefusal(error: unknown): void {
  if (!isVeilError(error))
    throw new FuzzFinding(
      `not a VeilError: ${error instanceof Error ? `${error.name}: ${error.message.slice(0, 200)}` : String(error)}`,
    );
  if (!(error.code in ERROR_CATALOGUE)) throw new FuzzFinding(`code not in the catalogue: ${error.code}`);
  if (error.message.includes(FUZZ_CANARY)) throw new FuzzFinding(`${error.code}: the message echoes input`);
  if (/[\x00-\x08\x0e-\x1f]/.test(error.message))
    throw new FuzzFinding(`${error.code}: the message holds control characters`);
}

async function handled(work: () => unknown): Promise<void> {
  let result: unknown;
  try {
    result = await work();
  } catch (error) {
    checkRefusal(error);
    return;
  }
  const pages = (result as { pages?: unknown } | undefined)?.pages;
  if (
    result !== undefined &&
    typeof result === 'object' &&
    result !== null &&
    'pages' in result &&
    !Array.isArray(pages)
  )
    throw new FuzzFinding('a parsed document without a pages array');
}

/** Byte-level mutations of a seed: flips, overwrites, truncation, insertion, deletion, splices. */
function mutated(seeds: readonly Uint8Array[]): fc.Arbitrary<Uint8Array> {
  const op = fc.oneof(
    fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
    fc.record({ kind: fc.constant('set' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
    fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }),
    fc.record({
      kind: fc.constant('insert' as const),
      at: fc.nat(),
      bytes: fc.uint8Array({ maxLength: 64 }),
    }),
    fc.record({
      kind: fc.constant('delete' as const),
      at: fc.nat(),
      length: fc.integer({ min: 1, max: 256 }),
    }),
    fc.record({ kind: fc.constant('canary' as const), at: fc.nat() }),
  );
  return fc
    .tuple(fc.nat({ max: seeds.length - 1 }), fc.array(op, { minLength: 1, maxLength: 8 }))
    .map(([seed, ops]) => {
      let bytes = Buffer.from(seeds[seed]!);
      for (const o of ops) {
        const at = bytes.length === 0 ? 0 : o.at % bytes.length;
        if (o.kind === 'flip' && bytes.length > 0) bytes[at]! ^= 1 << o.bit;
        else if (o.kind === 'set' && bytes.length > 0) bytes[at] = o.value;
        else if (o.kind === 'cut') bytes = bytes.subarray(0, at);
        else if (o.kind === 'insert')
          bytes = Buffer.concat([bytes.subarray(0, at), o.bytes, bytes.subarray(at)]);
        else if (o.kind === 'delete')
          bytes = Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + o.length)]);
        else if (o.kind === 'canary')
          bytes = Buffer.concat([bytes.subarray(0, at), Buffer.from(FUZZ_CANARY), bytes.subarray(at)]);
      }
      return new Uint8Array(bytes);
    });
}

const utf8 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'utf8'));
const text = (bytes: Uint8Array): string => Buffer.from(bytes).toString('utf8');

/** Strings built from the characters that matter to a format, plus anything, plus the canary. */
function textOf(alphabet: readonly string[], maxLength = 400): fc.Arbitrary<Uint8Array> {
  const piece = fc.oneof(fc.constantFrom(...alphabet), fc.string({ maxLength: 8 }), fc.constant(FUZZ_CANARY));
  return fc.array(piece, { maxLength }).map((parts) => utf8(parts.join('')));
}

const LIMITS = { ...DEFAULT_LIMITS, pageTimeoutMs: 15_000 };
const NO_OCR = { ocrMode: 'never' as const, limits: { pageTimeoutMs: 15_000 } };

/**
 * The document-parser targets (seeds are built at start, so no binary data is committed).
 *
 * @example
 * ```ts
 * for (const target of await parserTargets()) await fc.assert(fc.asyncProperty(target.input, target.check), { numRuns: 50 });
 * ```
 */
export async function parserTargets(): Promise<FuzzTarget[]> {
  const pdfs = [
    await textPdf([[`Claim ${FUZZ_CANARY}`, 'Jane Doe jane@example.org 078-05-1120']]),
    await textPdf([['one'], ['two']], false),
  ];
  const docxs = [await docx([`Claim ${FUZZ_CANARY}`, 'Jane Doe jane@example.org'], 'Header')];
  const emails = [
    eml(`Body ${FUZZ_CANARY} jane@example.org`),
    eml('with attachment', [{ name: 'a.txt', type: 'text/plain', content: utf8('attached 078-05-1120') }]),
  ];
  const images = [
    await textImage(['Jane 078-05-1120'], { width: 300 }),
    await textImage(['x'], { width: 120, format: 'jpeg' }),
  ];
  const csvs = [utf8(`name,email,ssn\nJane,jane@example.org,078-05-1120\n"Doe, J","a""b",${FUZZ_CANARY}\n`)];
  const jsons = [
    utf8(`{"name":"Jane","contact":{"email":"jane@example.org"},"list":[1,2,{"${FUZZ_CANARY}":null}]}`),
    utf8('{"a":1}\n{"a":2}\n'),
  ];
  const targets: FuzzTarget[] = [
    {
      name: 'text',
      input: fc.oneof(
        fc.uint8Array({ maxLength: 2048 }),
        textOf(['\n', '\r', '\t', '\u0000', '\ufeff', 'é', '€']),
      ),
      check: (b) => handled(() => parseText(decodeText(b))),
    },
    {
      name: 'csv',
      input: fc.oneof(textOf([',', ';', '\t', '"', '\n', '\r\n', 'a', '1']), mutated(csvs)),
      check: (b) =>
        handled(() => {
          sniffDelimiter(text(b));
          return parseCsv(text(b));
        }),
    },
    {
      name: 'json',
      input: fc.oneof(
        fc.json({ maxDepth: 6 }).map(utf8),
        textOf(['{', '}', '[', ']', '"', ':', ',', '\n', '1e999', 'null']),
        mutated(jsons),
      ),
      check: (b) => handled(() => parseJson(text(b), jsonKind(text(b)) ?? 'json', LIMITS)),
    },
    {
      name: 'docx-xml',
      input: textOf(DICTIONARIES['docx-xml']!),
      check: (b) => handled(() => wordParagraphs(text(b))),
    },
    { name: 'docx', input: mutated(docxs), check: (b) => handled(() => parseDocx(b, LIMITS)) },
    {
      name: 'email',
      input: fc.oneof(
        mutated(emails),
        textOf([
          '\r\n',
          ': ',
          'Content-Type: multipart/mixed; boundary="b"',
          '--b',
          '=?utf-8?B?',
          '?=',
          'base64',
        ]),
      ),
      check: (b) => handled(() => parseDocument(b, NO_OCR)),
    },
    { name: 'pdf', input: mutated(pdfs), check: (b) => handled(() => parseDocument(b, NO_OCR)) },
    { name: 'image', input: mutated(images), check: (b) => handled(() => parseDocument(b, NO_OCR)) },
    {
      name: 'sniff',
      input: fc.oneof(fc.uint8Array({ maxLength: 1024 }), mutated([...pdfs, ...docxs, ...images, ...emails])),
      check: (b) => handled(() => sniffType(b)),
    },
  ];
  return targets.map((t) => ({ ...t, dictionary: DICTIONARIES[t.name] ?? [] }));
}

/** Statuses the API may answer a request it refuses; anything 5xx is a finding. */
const CLIENT_ERRORS = new Set([400, 401, 403, 404, 409, 410, 413, 415, 422, 429]);

/** Answers one request and checks the status and the error body. */
async function answered(
  app: FastifyInstance,
  method: 'POST' | 'GET',
  url: string,
  body: Uint8Array | undefined,
  headers: Record<string, string>,
  ok: readonly number[],
): Promise<void> {
  const res = await app.inject({
    method,
    url,
    headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { payload: Buffer.from(body) }),
  });
  if (ok.includes(res.statusCode)) return;
  if (!CLIENT_ERRORS.has(res.statusCode))
    throw new FuzzFinding(
      `${method} ${url.split('?')[0]} answered ${res.statusCode}: ${res.body.slice(0, 200)}`,
    );
  let parsed: { error?: { code?: string; message?: string } };
  try {
    parsed = JSON.parse(res.body) as typeof parsed;
  } catch {
    throw new FuzzFinding(`${method} ${url.split('?')[0]}: the ${res.statusCode} body is not JSON`);
  }
  const code = parsed.error?.code ?? '';
  if (!(code in ERROR_CATALOGUE))
    throw new FuzzFinding(`${method} ${url.split('?')[0]}: code not in the catalogue (${code})`);
  const message = parsed.error?.message ?? '';
  if (message.includes(FUZZ_CANARY) || message.includes(FUZZ_CANARY_KEY))
    throw new FuzzFinding(`${method} ${url.split('?')[0]}: ${code} echoes the request`);
}

/** JSON bodies near a route's schema: its fields with values of any type, unknown fields, the canary. */
function bodyNear(fields: Readonly<Record<string, fc.Arbitrary<unknown>>>): fc.Arbitrary<Uint8Array> {
  const anyValue = fc.oneof(
    fc.jsonValue({ maxDepth: 3 }),
    fc.constant(FUZZ_CANARY),
    fc.constant({ [FUZZ_CANARY_KEY]: FUZZ_CANARY }),
  );
  const near = fc.record(
    Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, fc.oneof(v, anyValue)])),
    { requiredKeys: [] },
  );
  const extra = fc.dictionary(
    fc.oneof(fc.string({ maxLength: 12 }), fc.constant(FUZZ_CANARY_KEY)),
    anyValue,
    { maxKeys: 3 },
  );
  return fc.oneof(
    fc
      .tuple(near, extra, fc.boolean())
      .map(([n, e, withExtra]) => utf8(JSON.stringify(withExtra ? { ...e, ...n } : n))),
    fc.jsonValue({ maxDepth: 4 }).map((v) => utf8(JSON.stringify(v))),
    textOf(['{', '}', '"text"', ':', '"', ',', '[', ']', '\\u0000', '\\ud800']),
  );
}

const entity = fc.constantFrom(
  'EMAIL_ADDRESS',
  'US_SSN',
  'PHONE_NUMBER',
  'PERSON',
  'NOT_AN_ENTITY',
  FUZZ_CANARY_KEY,
);
const operator = fc.record(
  {
    type: fc.constantFrom(
      'replace',
      'redact',
      'mask',
      'hash',
      'encrypt',
      'fpe',
      'tokenize',
      'keep',
      FUZZ_CANARY,
    ),
    new_value: fc.string(),
    masking_char: fc.string({ maxLength: 2 }),
    chars_to_mask: fc.integer(),
    from_end: fc.boolean(),
  },
  { requiredKeys: ['type'] },
);

/**
 * The API targets over a built app: `/v1/analyze` and `/v1/anonymize` always; `/v1/jobs` and the
 * audit query when `jobsApp` (the full service) is given.
 *
 * @example
 * ```ts
 * const targets = apiTargets(app, { authorization: 'Bearer token-processor' });
 * ```
 */
export function apiTargets(
  app: FastifyInstance,
  headers: Record<string, string>,
  jobsApp?: { app: FastifyInstance; processor: Record<string, string>; auditor: Record<string, string> },
): FuzzTarget[] {
  const text = fc.oneof(fc.string({ maxLength: 200 }), fc.constant(`mail jane@example.org ${FUZZ_CANARY}`));
  const targets: FuzzTarget[] = [
    {
      name: 'api-analyze',
      input: bodyNear({
        text,
        language: fc.constantFrom('en', 'de', FUZZ_CANARY),
        entities: fc.array(entity, { maxLength: 4 }),
        score_threshold: fc.double(),
        return_decision_process: fc.boolean(),
        ad_hoc_recognizers: fc.array(
          fc.record({
            name: fc.string(),
            supported_entity: fc.string(),
            patterns: fc.array(
              fc.record({
                name: fc.string(),
                regex: fc.oneof(fc.string({ maxLength: 20 }), fc.constant('(a+)+$'), fc.constant('[')),
                score: fc.double(),
              }),
            ),
          }),
          { maxLength: 2 },
        ),
      }),
      check: (b) => answered(app, 'POST', '/v1/analyze', b, headers, [200]),
    },
    {
      name: 'api-anonymize',
      input: bodyNear({
        text,
        entities: fc.array(entity, { maxLength: 3 }),
        operators: fc.dictionary(fc.oneof(entity, fc.constant('DEFAULT')), operator, { maxKeys: 3 }),
        analyzer_results: fc.array(
          fc.record({
            entity_type: entity,
            start: fc.integer({ min: -5, max: 300 }),
            end: fc.integer({ min: -5, max: 300 }),
            score: fc.double(),
          }),
          { maxLength: 4 },
        ),
      }),
      check: (b) => answered(app, 'POST', '/v1/anonymize', b, headers, [200]),
    },
  ];
  if (jobsApp !== undefined) {
    targets.push(
      {
        name: 'api-jobs',
        input: bodyNear({
          text,
          upload_id: fc.oneof(fc.uuid(), fc.string()),
          purpose: fc.oneof(fc.constant('claims-intake'), fc.string()),
          consent: fc.record(
            { basis: fc.constantFrom('contract', 'consent', FUZZ_CANARY), allow_manual_review: fc.boolean() },
            { requiredKeys: [] },
          ),
          outputs: fc.array(fc.constantFrom('findings_summary', 'redacted', FUZZ_CANARY), { maxLength: 3 }),
          retention_days: fc.oneof(fc.integer({ min: -2, max: 4000 }), fc.double()),
        }),
        check: (b) => answered(jobsApp.app, 'POST', '/v1/jobs', b, jobsApp.processor, [202]),
      },
      {
        name: 'api-audit-query',
        input: fc
          .tuple(
            fc.oneof(fc.integer(), fc.string({ maxLength: 12 }), fc.constant(FUZZ_CANARY)),
            fc.oneof(fc.integer(), fc.string({ maxLength: 12 })),
          )
          .map(([from, limit]) =>
            utf8(`from=${encodeURIComponent(String(from))}&limit=${encodeURIComponent(String(limit))}`),
          ),
        check: (b) =>
          answered(
            jobsApp.app,
            'GET',
            `/v1/audit/entries?${Buffer.from(b).toString('utf8')}`,
            undefined,
            jobsApp.auditor,
            [200],
          ),
      },
    );
  }
  return targets;
}
