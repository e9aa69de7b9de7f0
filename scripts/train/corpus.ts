/**
 * Reads the freely licensed training and check data (presidio-research, MIT; TAB, MIT) from the
 * shared evaluation folder into plain `{ text, spans }` documents labelled with the tagger's
 * entity types. Nothing here is copied into the repository.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { NerEntity } from '../../src/engine/ner/tags.js';
import { isHeldOutTemplate } from '../eval/splits.js';

export const EVAL_DIR = fileURLToPath(new URL('../../../shared/eval/', import.meta.url));

export interface GoldSpan {
  readonly type: NerEntity;
  readonly start: number;
  readonly end: number;
}

export interface GoldDoc {
  readonly id: string;
  readonly text: string;
  readonly spans: readonly GoldSpan[];
  /** For TAB: DIRECT / QUASI / NO_MASK per span (same order as `spans`). */
  readonly identifier?: readonly string[];
}

const PRESIDIO_TYPES: Record<string, NerEntity> = {
  PERSON: 'PERSON',
  LOCATION: 'LOCATION',
  ORGANIZATION: 'ORGANIZATION',
  ADDRESS: 'STREET_ADDRESS',
};
const TAB_TYPES: Record<string, NerEntity> = {
  PERSON: 'PERSON',
  LOC: 'LOCATION',
  ORG: 'ORGANIZATION',
  DEM: 'NRP',
};

interface PresidioSample {
  full_text: string;
  template_id: number;
  spans: { entity_type: string; start_position: number; end_position: number }[];
}

/** True when the shared evaluation folder is present. */
export function haveEvalData(): boolean {
  return existsSync(EVAL_DIR + 'tab/tab144_train.jsonl');
}

/**
 * presidio-research samples. A PREFIX ("Mrs.") right before a PERSON is merged into it: the
 * evaluation is type-agnostic and merges adjacent spans too.
 */
export function presidio(
  file: 'generated_large.json' | 'generated_small.json',
  which: 'train' | 'heldout' | 'all',
): GoldDoc[] {
  const samples = JSON.parse(
    readFileSync(EVAL_DIR + 'presidio-research/' + file, 'utf8'),
  ) as PresidioSample[];
  const docs: GoldDoc[] = [];
  samples.forEach((sample, index) => {
    const held = isHeldOutTemplate(sample.template_id);
    if (which === 'train' && (held || file !== 'generated_large.json')) return;
    if (which === 'heldout' && !held) return;
    const prefixes = sample.spans.filter((s) => s.entity_type === 'PREFIX');
    const spans: GoldSpan[] = [];
    for (const span of sample.spans) {
      const type = PRESIDIO_TYPES[span.entity_type];
      if (!type) continue;
      let start = span.start_position;
      if (type === 'PERSON') {
        const prefix = prefixes.find(
          (p) => p.end_position <= start && /^\s*$/.test(sample.full_text.slice(p.end_position, start)),
        );
        if (prefix) start = prefix.start_position;
      }
      spans.push({ type, start, end: span.end_position });
    }
    docs.push({ id: `${file}#${index}`, text: sample.full_text, spans });
  });
  return docs;
}

interface TabDoc {
  text: string;
  metadata: { data_id: string };
  entities: { entity_type: string; start_offset: number; end_offset: number; identifier_type: string }[];
}

/** TAB documents with PERSON, LOC, ORG and DEM (as NRP) mentions. */
export function tab(split: 'train' | 'dev'): GoldDoc[] {
  const lines = readFileSync(EVAL_DIR + `tab/tab144_${split}.jsonl`, 'utf8')
    .split('\n')
    .filter(Boolean);
  return lines.map((line) => {
    const doc = JSON.parse(line) as TabDoc;
    const spans: GoldSpan[] = [];
    const identifier: string[] = [];
    for (const e of doc.entities) {
      const type = TAB_TYPES[e.entity_type];
      if (!type) continue;
      spans.push({ type, start: e.start_offset, end: e.end_offset });
      identifier.push(e.identifier_type);
    }
    return { id: doc.metadata.data_id, text: doc.text, spans, identifier };
  });
}
