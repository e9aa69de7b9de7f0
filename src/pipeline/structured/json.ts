import type { Readable, Writable } from 'node:stream';
import { anonymizeJson } from '../../engine/anonymize/structured/json.js';
import type { StructuredOptions } from '../../engine/anonymize/structured/rules.js';
import { VeilError } from '../../errors/veil-error.js';

export interface JsonAnonymizeOptions extends StructuredOptions {
  /** The largest document read (default 256 MiB); a JSON document is parsed whole. */
  readonly maxBytes?: number;
}

const DEFAULT_MAX_BYTES = 256 * 1024 * 1024;

/** Counts only, safe to log. */
export interface JsonSummary {
  readonly byType: Readonly<Record<string, number>>;
  readonly byOperator: Readonly<Record<string, number>>;
}

async function readAll(input: Readable, maxBytes: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of input) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    size += buffer.length;
    if (size > maxBytes)
      throw new VeilError('VEIL_INPUT_TOO_LARGE', `JSON input is larger than ${maxBytes} bytes`);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Reads a JSON document, anonymises it by path (see `anonymizeJson`) and writes it back
 * indented by two spaces. A parse failure is VEIL_MALFORMED_JSON without the parser's message,
 * which would quote the input.
 *
 * @example
 * ```ts
 * await anonymizeJsonDocument(createReadStream('in.json'), createWriteStream('out.json'), { plan, rules, analyze });
 * ```
 */
export async function anonymizeJsonDocument(
  input: Readable,
  output: Writable,
  options: JsonAnonymizeOptions,
): Promise<JsonSummary> {
  const source = await readAll(input, options.maxBytes ?? DEFAULT_MAX_BYTES);
  let parsed: unknown;
  try {
    parsed = JSON.parse(source.charCodeAt(0) === 0xfeff ? source.slice(1) : source);
  } catch {
    throw new VeilError('VEIL_MALFORMED_JSON', 'JSON input is not valid JSON');
  }
  const done = await anonymizeJson(parsed, options);
  const byType: Record<string, number> = {};
  const byOperator: Record<string, number> = {};
  for (const item of done.items) {
    byType[item.type] = (byType[item.type] ?? 0) + 1;
    byOperator[item.operator] = (byOperator[item.operator] ?? 0) + 1;
  }
  await new Promise<void>((resolve, reject) => {
    output.on('error', reject);
    output.end(`${JSON.stringify(done.value, null, 2)}\n`, () => resolve());
  });
  return { byType, byOperator };
}
