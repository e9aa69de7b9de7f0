/**
 * The model extractor behind the field `Extractor` port, so `extractFields` (the CLI, the job's
 * extract step) treats it as it treats the rules. The model reads the document's lines through
 * {@link ModelExtractor}, so it sees them pseudonymised only; its answers come back re-identified
 * and are then held to what Veil can check itself: the field type's parser and validators, and
 * whether the document holds that value at all. The model's own "confidence" is not trusted as a
 * probability: it can only lower the result.
 */
import type { Analyzer } from '../../engine/analyze.js';
import type { ExtractionRequest, Extractor, FieldCandidate } from '../fields/extractor.js';
import { layoutLines, unionBox, wordsIn } from '../fields/rules/layout.js';
import type { LayoutLine } from '../fields/rules/layout.js';
import { labelList, type FieldBox, type FieldSpec, type FieldValue } from '../fields/spec.js';
import { FREE_TEXT_TYPES, VALUE_FINDERS, parseValue, sameFieldValue } from '../fields/types/index.js';
import { PseudonymScope } from '../pseudonymise.js';
import { providerFromConfig } from './config.js';
import type { ModelProviderConfig, ProviderWiring } from './config.js';
import type { ModelExchangeStore } from './exchanges.js';
import { ModelExtractor } from './extractor.js';
import type { FieldAnswer, FieldRequest } from './prompt.js';

/**
 * The confidence of a model's answer by what Veil could check of it. No measured calibration
 * exists for an arbitrary model, so an answer the model alone gives stays below the default
 * review threshold (0.8) however sure the model says it is: it is accepted only when the rules
 * read the same value (see `extractFields`), and goes to review otherwise.
 */
export const MODEL_CONFIDENCE = {
  /** The type's validators pass and the document holds the value. */
  validAndFound: 0.75,
  /** The document holds it, but a validator fails (a name that does not look like one). */
  found: 0.6,
  /** The validators pass, but the document does not hold the value as the type reads it. */
  valid: 0.55,
  /** Neither. */
  unchecked: 0.4,
  /** The most a value gets when the model itself says it is unsure (below 0.5). */
  doubted: 0.5,
} as const;

/** Where a value was found in the document: its page and box. */
interface Place {
  readonly page: number | null;
  readonly box: FieldBox | null;
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}

function placeOf(line: LayoutLine, start: number, end: number): Place {
  const box = unionBox(wordsIn(line, start, end).map((w) => w.box));
  return {
    page: line.page,
    box: box
      ? { x: round(box.x), y: round(box.y), width: round(box.width), height: round(box.height) }
      : null,
  };
}

/** The first place the document holds `value`: free text as written, other types as their parser reads them. */
function findInDocument(spec: FieldSpec, value: FieldValue, lines: readonly LayoutLine[]): Place | null {
  if (FREE_TEXT_TYPES.has(spec.type)) {
    const wanted = String(value).replace(/\s+/g, ' ').trim().toLowerCase();
    for (const line of lines) {
      const at = line.text.replace(/\s/g, ' ').toLowerCase().indexOf(wanted);
      if (at >= 0) return placeOf(line, at, at + wanted.length);
    }
    // A multi-line value (an address block): held by the text, without one place to show.
    const whole = lines
      .map((l) => l.text)
      .join(' ')
      .replace(/\s+/g, ' ')
      .toLowerCase();
    return whole.includes(wanted) ? { page: lines[0]?.page ?? null, box: null } : null;
  }
  for (const line of lines)
    for (const match of VALUE_FINDERS[spec.type](line.text, spec))
      if (sameFieldValue(match.value, value)) return placeOf(line, match.start, match.end);
  return null;
}

/**
 * The readings of a re-identified answer: the whole value, or, for a type whose values sit on one
 * line, each of its lines. A placeholder can stand for a detected span that crosses a line break
 * (the name tagger reads "Ann Lee\nE-mail" as one person), so its value may carry the next line's
 * label along.
 */
function readings(spec: FieldSpec, value: string): string[] {
  if (!value.includes('\n') || spec.type === 'address' || spec.type === 'string') return [value];
  return value
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
}

/** A model's answer as a candidate, or null when it is not a value of the field's type. */
function candidateOf(
  spec: FieldSpec,
  answer: FieldAnswer | undefined,
  lines: readonly LayoutLine[],
): FieldCandidate | null {
  if (!answer || answer.value === null) return null;
  const parsed = readings(spec, answer.value)
    .map((text) => parseValue(spec, text))
    .filter((match) => match !== null)
    .map((match) => ({ match, place: findInDocument(spec, match.value, lines) }));
  // The first reading the document holds, else the first that parses.
  const best = parsed.find((p) => p.place !== null) ?? parsed[0];
  if (!best) return null;
  const { match, place } = best;
  const valid = match.checks.every((c) => c.passed);
  const base =
    valid && place
      ? MODEL_CONFIDENCE.validAndFound
      : place
        ? MODEL_CONFIDENCE.found
        : valid
          ? MODEL_CONFIDENCE.valid
          : MODEL_CONFIDENCE.unchecked;
  // An ambiguous reading (a day/month order) counts less, as it does for the rules.
  let confidence = base * (0.8 + 0.2 * match.quality);
  if (answer.confidence < 0.5) confidence = Math.min(confidence, MODEL_CONFIDENCE.doubted);
  return {
    value: match.value,
    confidence: round(confidence),
    page: place?.page ?? null,
    box: place?.box ?? null,
    checks: [
      ...match.checks,
      { name: 'model', passed: true },
      { name: 'in_document', passed: place !== null },
    ],
  };
}

function requestOf(spec: FieldSpec): FieldRequest {
  const hints = labelList(spec.hint);
  return {
    name: spec.name,
    type: spec.type,
    ...(hints.length > 0 ? { hint: hints } : {}),
    ...(spec.values ? { values: spec.values } : {}),
  };
}

/** Options of {@link modelFieldExtractor}. */
export interface ModelFieldExtractorOptions {
  /** The job's placeholders: one per job, so a value keeps its placeholder across its calls. Default: one per extractor. */
  readonly scope?: PseudonymScope;
  readonly signal?: AbortSignal;
}

/**
 * The {@link ModelExtractor} as a field {@link Extractor} (`model` and `auto` in `extractFields`).
 * It sends the document's lines (pseudonymised) with the requested fields, parses each answer with
 * the field type's parser (an answer that is not a value of the type is no value), and sets its
 * confidence from {@link MODEL_CONFIDENCE}; checks name `model` and `in_document`.
 *
 * @example
 * ```ts
 * const model = modelFieldExtractor(new ModelExtractor({ provider, exchanges }));
 * const { fields } = await extractFields(doc, await loadTemplate('receipt'), { extractor: 'auto', model });
 * ```
 */
export function modelFieldExtractor(
  model: ModelExtractor,
  options: ModelFieldExtractorOptions = {},
): Extractor {
  const scope = options.scope ?? new PseudonymScope();
  return {
    name: 'model',
    async extract({ document, fields }: ExtractionRequest) {
      const lines = layoutLines(document);
      const answer = await model.extract({
        text: lines.map((l) => l.text).join('\n'),
        fields: fields.map(requestOf),
        scope,
        ...(options.signal ? { signal: options.signal } : {}),
      });
      const found: Record<string, FieldCandidate | null> = {};
      for (const spec of fields) found[spec.name] = candidateOf(spec, answer.fields[spec.name], lines);
      return found;
    },
  };
}

/** What {@link configuredModelExtractor} adds to a provider configuration. */
export interface ConfiguredModelWiring extends ProviderWiring {
  /** The pseudonymiser's analyzer; give the guard's, so what one replaces the other passes. */
  readonly analyze: Analyzer;
  /** Keeps each pseudonymised exchange, encrypted; absent: nothing is kept. */
  readonly exchanges?: ModelExchangeStore | undefined;
}

/**
 * The field extractor of a configured provider: the provider with its egress guard and audit
 * sink, the model extractor over it, and the port adapter. What the job's extract step and
 * `veil fields` build once the AI gate has allowed model use.
 *
 * @example
 * ```ts
 * const analyze = createAnalyzer();
 * const model = configuredModelExtractor(modelConfigFromEnv()!, { analyze, egress: createEgressGuard({ analyze }) });
 * ```
 */
export function configuredModelExtractor(
  config: ModelProviderConfig,
  wiring: ConfiguredModelWiring,
): Extractor {
  const provider = providerFromConfig(config, wiring);
  return modelFieldExtractor(
    new ModelExtractor({
      provider,
      analyze: wiring.analyze,
      ...(wiring.exchanges === undefined ? {} : { exchanges: wiring.exchanges }),
    }),
  );
}
