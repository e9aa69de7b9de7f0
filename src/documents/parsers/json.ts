import { VeilError } from '../../errors/veil-error.js';
import type { DocumentLimits } from '../limits.js';
import type { Document, JsonValue } from '../model.js';

/** Nesting depth of a JSON text, counted on the raw characters so a deep bomb fails before parsing. */
function maxDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++;
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91) max = Math.max(max, ++depth);
    else if (c === 125 || c === 93) depth--;
  }
  return max;
}

function parseValue(text: string, limits: DocumentLimits, what: string): JsonValue {
  if (maxDepth(text) > limits.maxJsonDepth)
    throw new VeilError(
      'VEIL_LIMIT_DEPTH',
      `${what} nests deeper than limits.maxJsonDepth (${limits.maxJsonDepth})`,
    );
  try {
    return JSON.parse(text) as JsonValue;
  } catch {
    throw new VeilError('VEIL_MALFORMED_JSON', `${what} is not valid JSON`);
  }
}

/** Whether text is one JSON value, JSON lines, or neither. */
export function jsonKind(text: string): 'json' | 'ndjson' | null {
  const trimmed = text.trimStart();
  if (!trimmed.startsWith('{') && !trimmed.startsWith('[')) return null;
  try {
    JSON.parse(text);
    return 'json';
  } catch {
    const lines = text.split('\n').filter((l) => l.trim().length > 0);
    const sample = lines.slice(0, 20);
    const parses = sample.every((line) => {
      try {
        JSON.parse(line);
        return true;
      } catch {
        return false;
      }
    });
    return parses && lines.length > 1 ? 'ndjson' : null;
  }
}

/**
 * Parses one JSON document, or NDJSON one line at a time (a bad line is named by its number).
 *
 * @example
 * ```ts
 * parseJson('{"email":"jane@example.org"}', 'json', DEFAULT_LIMITS).records[0].values.length; // 1
 * ```
 */
export function parseJson(text: string, kind: 'json' | 'ndjson', limits: DocumentLimits): Document {
  const values: JsonValue[] = [];
  if (kind === 'json') values.push(parseValue(text, limits, 'JSON document'));
  else {
    let lineNumber = 0;
    for (const line of text.split('\n')) {
      lineNumber++;
      if (line.trim().length > 0) values.push(parseValue(line, limits, `NDJSON line ${lineNumber}`));
    }
  }
  return {
    format: kind,
    mediaType: kind === 'json' ? 'application/json' : 'application/x-ndjson',
    pages: [],
    tables: [],
    records: [{ values }],
  };
}
