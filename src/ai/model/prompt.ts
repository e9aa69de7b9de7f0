/**
 * The extraction prompt and the reading of its answer. The prompt holds the requested fields and
 * the pseudonymised text only; the answer is read tolerantly (code fences, text around the JSON,
 * bare values) but strictly typed on the way out.
 */
import { z } from 'zod';
import { VeilError } from '../../errors/veil-error.js';
import type { ChatMessage } from './provider.js';

/** One field the model is asked for: the structural minimum of a field spec. */
export interface FieldRequest {
  /** The field's name in the answer (`total`, `patient_name`). */
  readonly name: string;
  /** Its type (`string`, `date`, `money`, `enum`, …); known types get a format instruction. */
  readonly type: string;
  /** Labels to look for near the value (`Total`, `Amount due`). */
  readonly hint?: string | readonly string[];
  /** For an enum: the only values allowed. */
  readonly values?: readonly string[];
}

/** A field's value as the model gave it (still pseudonymised), with its self-reported confidence. */
export interface FieldAnswer {
  readonly value: string | null;
  readonly confidence: number;
}

/** The most fields one request may ask for. */
export const MAX_FIELDS = 100;

const NAME = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/;

// How each known type's value should be written, so the caller's type parsers read it back.
const FORMATS: Readonly<Record<string, string>> = {
  date: 'a date as YYYY-MM-DD',
  datetime: 'an ISO 8601 date and time',
  money: 'the amount with its currency code if the document shows one, e.g. "9.00 MYR"',
  number: 'a number, digits and a decimal point only',
  integer: 'a whole number, digits only',
  boolean: 'true or false',
  phone: 'the number as written',
  email: 'the address as written',
};

/**
 * The fixed instructions. They are sent as they are, so they must hold nothing the engine detects
 * (a test checks): the name tagger once read "JSON" and "Give" here as a group and a place.
 */
export const EXTRACTION_INSTRUCTIONS = [
  'You extract fields from one document.',
  'In the document, personal values were replaced by placeholders such as <PERSON_1> or <EMAIL_ADDRESS_2>.',
  'When a value is or contains such a placeholder, copy the placeholder exactly as it appears; never guess what it stands for.',
  'Use only what the document says.',
  'Answer with one object in json format and nothing else, of this shape:',
  '{"fields": {"FIELD_NAME": {"value": "the value as a string, or null", "confidence": 0.9}}}',
  'Include every requested field. Use null as the value when the document does not hold it.',
  'Confidence, from 0 to 1, is how likely it is that the value is right.',
].join('\n');

/**
 * Throws VEIL_INVALID_INPUT unless the field requests are a non-empty list of at most
 * {@link MAX_FIELDS} with distinct, plain names.
 *
 * @example
 * ```ts
 * checkFieldRequests([{ name: 'total', type: 'money' }]);
 * ```
 */
export function checkFieldRequests(fields: readonly FieldRequest[]): void {
  if (!Array.isArray(fields) || fields.length === 0 || fields.length > MAX_FIELDS)
    throw new VeilError(
      'VEIL_INVALID_INPUT',
      `model extractor: \`fields\` must list 1 to ${MAX_FIELDS} fields`,
    );
  const seen = new Set<string>();
  fields.forEach((field, i) => {
    if (typeof field?.name !== 'string' || !NAME.test(field.name))
      throw new VeilError(
        'VEIL_INVALID_INPUT',
        `model extractor: fields[${i}].name: expected a name of letters, digits, _ . - (at most 64)`,
      );
    if (seen.has(field.name))
      throw new VeilError('VEIL_INVALID_INPUT', `model extractor: fields[${i}].name: repeated`);
    seen.add(field.name);
    if (typeof field.type !== 'string' || !/^[a-z_]{1,32}$/.test(field.type))
      throw new VeilError(
        'VEIL_INVALID_INPUT',
        `model extractor: fields[${i}].type: expected a type name such as date`,
      );
  });
}

function describeField(field: FieldRequest): string {
  const parts = [`- ${field.name} (${field.type})`];
  const format = FORMATS[field.type];
  if (format) parts.push(`: ${format}`);
  const hints = field.hint === undefined ? [] : typeof field.hint === 'string' ? [field.hint] : field.hint;
  if (hints.length > 0)
    parts.push(`; look for labels such as ${hints.map((h) => JSON.stringify(h)).join(', ')}`);
  if (field.values && field.values.length > 0)
    parts.push(`; one of ${field.values.map((v) => JSON.stringify(v)).join(', ')}`);
  return parts.join('');
}

/**
 * The chat messages asking for `fields` out of `text`: the fixed instructions, then the field list
 * and the document. The second message must be pseudonymised before it is sent.
 *
 * @example
 * ```ts
 * buildExtractionPrompt([{ name: 'total', type: 'money', hint: 'Total' }], 'TOTAL 9.00');
 * // [{ role: 'system', content: 'You extract fields …' }, { role: 'user', content: 'Fields:\n- total (money) …' }]
 * ```
 */
export function buildExtractionPrompt(fields: readonly FieldRequest[], text: string): ChatMessage[] {
  const user = ['Fields:', ...fields.map(describeField), '', 'Document:', '"""', text, '"""'].join('\n');
  return [
    { role: 'system', content: EXTRACTION_INSTRUCTIONS },
    { role: 'user', content: user },
  ];
}

/** The JSON object in an answer: inside a code fence if there is one, else from the first `{` to the last `}`. */
function jsonOf(content: string): unknown {
  const fenced = /```(?:json|JSON)?\s*\n?([\s\S]*?)```/.exec(content);
  const inner = fenced ? fenced[1]! : content;
  const start = inner.indexOf('{');
  const end = inner.lastIndexOf('}');
  if (start < 0 || end < start) return undefined;
  try {
    return JSON.parse(inner.slice(start, end + 1));
  } catch {
    return undefined;
  }
}

const scalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);
const entrySchema = z.union([
  scalar.transform((value) => ({ value, confidence: undefined as unknown })),
  z.object({ value: scalar.optional(), confidence: z.unknown().optional() }),
]);

function confidenceOf(raw: unknown, hasValue: boolean): number {
  const n =
    typeof raw === 'number'
      ? raw
      : typeof raw === 'string' && /^\d+(?:\.\d+)?%?$/.test(raw.trim())
        ? Number.parseFloat(raw)
        : NaN;
  if (!Number.isFinite(n)) return hasValue ? 0.5 : 0;
  // Some models answer in percent.
  const unit = n > 1 && n <= 100 ? n / 100 : n;
  return Math.min(1, Math.max(0, unit));
}

function valueOf(raw: string | number | boolean | null | undefined): string | null {
  if (raw === null || raw === undefined) return null;
  const text = String(raw).trim();
  return text === '' || /^(?:null|none|n\/a)$/i.test(text) ? null : text;
}

/**
 * The fields out of a model's answer, each value passed through `reidentify` (default: left
 * pseudonymised) before an enum's values are checked. A field the answer leaves out, gives
 * in a shape other than a scalar or `{ value, confidence }`, or (for an enum) outside its values,
 * is `{ value: null, confidence: 0 }`. A confidence that is missing is 0.5 for a value (the model
 * did not say). Throws VEIL_AI_PROVIDER when the answer holds no JSON object at all.
 *
 * @example
 * ```ts
 * parseExtractionAnswer('```json\n{"fields":{"total":{"value":"9.00","confidence":0.9}}}\n```', [{ name: 'total', type: 'money' }]);
 * // { total: { value: '9.00', confidence: 0.9 } }
 * ```
 */
export function parseExtractionAnswer(
  content: string,
  fields: readonly FieldRequest[],
  reidentify: (value: string) => string = (value) => value,
): Record<string, FieldAnswer> {
  const json = jsonOf(content);
  if (json === null || typeof json !== 'object' || Array.isArray(json))
    throw new VeilError('VEIL_AI_PROVIDER', 'AI provider: the answer is not the JSON object asked for');
  const root = json as Record<string, unknown>;
  const holder =
    root['fields'] !== null && typeof root['fields'] === 'object' && !Array.isArray(root['fields'])
      ? (root['fields'] as Record<string, unknown>)
      : root;
  const out: Record<string, FieldAnswer> = {};
  for (const field of fields) {
    const entry = entrySchema.safeParse(Object.hasOwn(holder, field.name) ? holder[field.name] : null);
    const raw = entry.success ? valueOf(entry.data.value) : null;
    let value = raw === null ? null : reidentify(raw);
    if (value !== null && field.values && field.values.length > 0)
      value = field.values.find((allowed) => allowed.toLowerCase() === value!.toLowerCase()) ?? null;
    out[field.name] = {
      value,
      confidence: value === null ? 0 : confidenceOf(entry.success ? entry.data.confidence : undefined, true),
    };
  }
  return out;
}
