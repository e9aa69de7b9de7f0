/**
 * The egress guard: the last look at a request body before it leaves the process for an AI
 * provider. It reads the body as the provider will (every JSON string decoded), runs detection on
 * it, and refuses the request if anything detected is not one of the request's own placeholders.
 * It fails closed: a body it cannot read as text is refused too.
 */
import { createAnalyzer } from '../engine/analyze.js';
import type { Analyzer } from '../engine/analyze.js';
import { findingsOutside } from './placeholders.js';

/** The guard's decision on one body. */
export interface EgressVerdict {
  readonly allowed: boolean;
  /** What was found outside the placeholders, counted by entity type (empty when allowed). */
  readonly counts: Readonly<Record<string, number>>;
}

/** Inspects outgoing bodies; one per process or per job, shared by every call. */
export interface EgressGuard {
  /**
   * The verdict on a body about to be sent. `placeholders` are the ones the request may carry
   * (those its pseudonymiser issued); any other finding blocks it.
   */
  inspect(body: string, placeholders: ReadonlySet<string>): EgressVerdict;
}

const SEPARATOR = '\n\n';

// A protocol key such as `max_tokens`. These are the driver's own names, not data, and the name
// tagger reads some of them as places; any other key is inspected like a value.
const PROTOCOL_KEY = /^[a-z][a-z0-9_]{0,63}$/;

/** Every string value, and every key that is not a protocol name, of a JSON value, in document order. */
function stringsOf(value: unknown, out: string[]): void {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const item of value) stringsOf(item, out);
  else if (value !== null && typeof value === 'object')
    for (const [key, item] of Object.entries(value)) {
      if (!PROTOCOL_KEY.test(key)) out.push(key);
      stringsOf(item, out);
    }
}

/**
 * The text a provider will read out of a body: the decoded strings of a JSON body, each apart
 * (escapes such as `\u0040` are decoded, so they cannot hide a value), or the body itself.
 */
function readableText(body: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return body;
  }
  const strings: string[] = [];
  stringsOf(parsed, strings);
  return strings.join(SEPARATOR);
}

/**
 * The guard's check as a pure function: detection over the body's readable text, minus what lies
 * inside allowed placeholders (a finding that reaches past one, as in `<PERSON_1> Smith`, keeps
 * its outside part), minus leftovers with no letter or digit.
 *
 * @example
 * ```ts
 * const analyze = createAnalyzer();
 * inspectEgress('{"q":"<PERSON_1> wrote"}', analyze, new Set(['<PERSON_1>'])); // { allowed: true, counts: {} }
 * inspectEgress('{"q":"mail ann@example.org"}', analyze, new Set()); // { allowed: false, counts: { EMAIL_ADDRESS: 1 } }
 * ```
 */
export function inspectEgress(
  body: string,
  analyze: Analyzer,
  placeholders: ReadonlySet<string>,
): EgressVerdict {
  const residual = findingsOutside(readableText(body), analyze, placeholders);
  const counts: Record<string, number> = {};
  for (const finding of residual) counts[finding.type] = (counts[finding.type] ?? 0) + 1;
  return { allowed: residual.length === 0, counts };
}

/** Options of {@link createEgressGuard}. */
export interface EgressGuardOptions {
  /**
   * The analyzer the guard runs (default: every entity type at the default threshold). Give it at
   * least what the pseudonymiser detects; a narrower guard would let through what a job's
   * narrower policy left in.
   */
  readonly analyze?: Analyzer;
}

/**
 * An egress guard over one analyzer, compiled once.
 *
 * @example
 * ```ts
 * const guard = createEgressGuard();
 * guard.inspect(JSON.stringify({ messages: [{ role: 'user', content: 'hi <PERSON_1>' }] }), new Set(['<PERSON_1>'])).allowed; // true
 * ```
 */
export function createEgressGuard(options: EgressGuardOptions = {}): EgressGuard {
  const analyze = options.analyze ?? createAnalyzer();
  return { inspect: (body, placeholders) => inspectEgress(body, analyze, placeholders) };
}
