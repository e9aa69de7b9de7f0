import type { Document } from '../../documents/model.js';
import type { FieldAgreement, FieldBox, FieldCheck, FieldSpec, FieldValue } from './spec.js';

/** The extractors a caller can pick: rules only (the default), a model for every field, or a model for what the rules leave uncertain. */
export const EXTRACTOR_NAMES = ['rules', 'model', 'auto'] as const;
export type ExtractorName = (typeof EXTRACTOR_NAMES)[number];

/** What an extractor proposes for one field: a normalised value with its confidence and where it was read. */
export interface FieldCandidate {
  readonly value: FieldValue;
  /** In [0, 1]; calibrated so that 0.9 is right about nine times in ten. */
  readonly confidence: number;
  readonly page: number | null;
  readonly box: FieldBox | null;
  readonly checks: readonly FieldCheck[];
  /** What a second reading of its box said, once checked (`checkSecondReading`). */
  readonly agreement?: FieldAgreement;
}

/** The input of an extractor: the parsed document and the validated field specs. */
export interface ExtractionRequest {
  readonly document: Document;
  readonly fields: readonly FieldSpec[];
}

/**
 * The port every extractor implements: fields in, candidate values with confidence out (null for a
 * field it found nothing for). The rule extractor (`createRuleExtractor`) needs no model; a model
 * extractor (the AI provider adapters) implements the same interface, so `extractFields` treats
 * them alike and `auto` can ask a model only about the fields the rules left uncertain.
 */
export interface Extractor {
  readonly name: string;
  extract(request: ExtractionRequest): Promise<Readonly<Record<string, FieldCandidate | null>>>;
}
