/**
 * What `POST /v1/analyze` answers and audits, built from the findings: the presented spans as
 * their JSON text, and how many there are of each type. Free of zod and Fastify, so a detection
 * thread builds it where the findings are (`runtime/detection-worker`) and the event loop, which
 * every request waits on, neither rebuilds the findings nor serialises nor encodes them.
 */
import type { Finding, FindingPart } from '../engine/types.js';

/** One finding as the API returns it (Presidio's field names). */
export interface RecognizerResult {
  readonly entity_type: string;
  readonly start: number;
  readonly end: number;
  readonly score: number;
  readonly recognizer: string;
  readonly parts?: ReadonlyArray<Pick<FindingPart, 'type' | 'start' | 'end'>>;
}

/** An analysis as `/v1/analyze` answers it and as its audit event counts it. */
export interface PresentedAnalysis {
  /**
   * The answer's body: the presented findings as a JSON array, sorted by start offset, in UTF-8.
   * Bytes with a buffer of their own, so a detection thread transfers them rather than copying a
   * string, and the event loop writes them to the socket without encoding them.
   */
  readonly body: Uint8Array<ArrayBuffer>;
  /** Findings per entity type; never a value, an offset or any part of the text. */
  readonly counts: Readonly<Record<string, number>>;
}

/**
 * How many spans of each entity type: what the audit log records of an analysis, never values.
 *
 * @example
 * ```ts
 * countsByType([{ type: 'EMAIL_ADDRESS' }, { type: 'PERSON' }, { type: 'PERSON' }]); // { EMAIL_ADDRESS: 1, PERSON: 2 }
 * ```
 */
export function countsByType(spans: readonly { readonly type: string }[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const { type } of spans) counts[type] = (counts[type] ?? 0) + 1;
  return counts;
}

/**
 * The presenter: each field of a finding that the API returns, picked by name.
 *
 * @example
 * ```ts
 * presentFinding({ type: 'EMAIL_ADDRESS', start: 5, end: 21, score: 1, recognizer: 'email' });
 * // { entity_type: 'EMAIL_ADDRESS', start: 5, end: 21, score: 1, recognizer: 'email' }
 * // A finding with parts keeps them: `parts: [{ type: 'TITLE', start: 0, end: 3 }, …]`.
 * ```
 */
export function presentFinding(finding: Finding): RecognizerResult {
  const result = {
    entity_type: finding.type,
    start: finding.start,
    end: finding.end,
    score: finding.score,
    recognizer: finding.recognizer,
  };
  if (finding.parts === undefined) return result;
  return { ...result, parts: finding.parts.map((p) => ({ type: p.type, start: p.start, end: p.end })) };
}

const utf8 = new TextEncoder();

/**
 * The findings presented: the answer's JSON in UTF-8 (each finding through {@link presentFinding},
 * whose fields the compiler checks, so it is written with `JSON.stringify` alone rather than
 * re-validated by zod) and the counts by type.
 *
 * @example
 * ```ts
 * const { body, counts } = presentAnalysis([{ type: 'EMAIL_ADDRESS', start: 5, end: 21, score: 1, recognizer: 'email' }]);
 * new TextDecoder().decode(body); // '[{"entity_type":"EMAIL_ADDRESS","start":5,"end":21,"score":1,"recognizer":"email"}]'
 * counts; // { EMAIL_ADDRESS: 1 }
 * ```
 */
export function presentAnalysis(findings: readonly Finding[]): PresentedAnalysis {
  return {
    body: utf8.encode(JSON.stringify(findings.map(presentFinding))),
    counts: countsByType(findings),
  };
}
