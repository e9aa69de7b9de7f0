import { Option, type Command } from 'commander';
import type { Extractor, ExtractorName } from '../../ai/fields/extractor.js';
import type { ModelProviderConfig } from '../../ai/model/config.js';
import type { FieldSpec, FieldsResult, FieldValue, Template } from '../../ai/fields/spec.js';
import type { Document } from '../../documents/model.js';
import type { OcrEngine } from '../../documents/ocr/engine.js';
import type { RegionReader } from '../../documents/second-reading.js';
import type { SecondReadingScope } from '../../ai/fields/second-reading.js';
import { VeilError } from '../../errors/veil-error.js';
import { writeLine } from '../io.js';
import { cli } from '../context.js';

interface FieldsFlags {
  template?: string;
  fields?: string;
  templates?: string[];
  extractor: ExtractorName;
  json?: boolean;
  includeText?: boolean;
  showValues?: boolean;
  timings?: boolean;
  secondReading?: boolean;
  secondReadingOf?: SecondReadingScope;
}

/** What `veil fields` needs to ask a model (`--extractor model|auto`). */
export interface FieldsModel {
  /** The provider (`VEIL_AI_*`). */
  readonly config: ModelProviderConfig;
  /** The operator's consent for this document; on the command line, `--extractor model|auto` is it. */
  readonly allowModelUse: boolean;
  /** Where the data must stay (`VEIL_REGION`), if anywhere. */
  readonly region?: string | undefined;
}

/** Milliseconds spent in each stage of `veil fields`. */
export interface FieldsTimings {
  readonly parse: number;
  readonly detect: number;
  /** The second reading of text fields' boxes (the tesseract CLI), part of `extract`. */
  readonly secondReading: number;
  readonly extract: number;
  readonly total: number;
}

export interface FieldsRun {
  readonly result: FieldsResult;
  /** The document's text, only when asked for (`--include-text`). */
  readonly text?: string;
  readonly timings: FieldsTimings;
}

/**
 * What `veil fields` does, without printing: resolves the spec (a template, or `name:type,...`),
 * parses the document (OCR for images), extracts and times each stage.
 *
 * @example
 * ```ts
 * const { result, timings } = await fieldsOfDocument(bytes, { template: 'receipt' });
 * ```
 */
export async function fieldsOfDocument(
  bytes: Uint8Array,
  options: {
    template?: string;
    fields?: string;
    templates?: readonly string[];
    extractor?: ExtractorName;
    includeText?: boolean;
    ocr?: OcrEngine;
    /** The AI provider and the gate's inputs; without it `model` and `auto` fail with VEIL_EXTRACTOR_UNAVAILABLE. */
    model?: FieldsModel;
    /**
     * Read text fields' boxes again with the tesseract CLI (`--second-reading`) and weigh the
     * agreement into their confidence. Off by default, as in jobs: it sends more fields to review
     * and costs CPU (docs/evaluation.md). Without the CLI installed the fields stay `unchecked`.
     */
    secondReading?: boolean;
    /** Which text fields the second reading reads (`--second-reading-of`): all (default) or the doubtful only; implies `secondReading`. */
    secondReadingOf?: SecondReadingScope;
  },
): Promise<FieldsRun> {
  const { loadTemplate, parseFieldList } = await import('../../ai/fields/templates.js');
  const { extractFields, requireExtractor } = await import('../../ai/fields/extract.js');
  const { createRuleExtractor } = await import('../../ai/fields/rules/extract.js');
  const { createAnalyzer } = await import('../../engine/analyze.js');
  const { documentText, parseDocument } = await import('../../documents/index.js');
  if ((options.template === undefined) === (options.fields === undefined))
    throw new VeilError('VEIL_FIELD_INVALID', 'give either --template NAME or --fields name:type,...');
  const spec: Template | FieldSpec[] =
    options.template !== undefined
      ? await loadTemplate(options.template, { directories: options.templates ?? [] })
      : parseFieldList(options.fields!);
  const which = options.extractor ?? 'rules';
  requireExtractor(which, options.model !== undefined);
  const model = which === 'rules' ? undefined : await modelExtractor(options.model!);
  const started = performance.now();
  const doc = await parseDocument(bytes, options.ocr ? { ocr: options.ocr } : {});
  const parsed = performance.now();
  let detect = 0;
  const base = createAnalyzer({ entities: ['PERSON', 'ORGANIZATION', 'LOCATION', 'STREET_ADDRESS'] });
  const timed = (text: string) => {
    const t = performance.now();
    try {
      return base(text);
    } finally {
      detect += performance.now() - t;
    }
  };
  let secondReading = 0;
  const reader =
    options.secondReading === true || options.secondReadingOf !== undefined
      ? await secondReader(bytes, doc)
      : undefined;
  const result = await extractFields(doc, spec, {
    extractor: which,
    rules: createRuleExtractor({ analyzer: timed }),
    ...(model === undefined ? {} : { model }),
    ...(options.secondReadingOf === undefined ? {} : { secondReadingOf: options.secondReadingOf }),
    ...(reader === undefined
      ? {}
      : {
          secondReading: async (regions) => {
            const t = performance.now();
            try {
              return await reader(regions);
            } finally {
              secondReading += performance.now() - t;
            }
          },
        }),
  });
  const done = performance.now();
  const timings = {
    parse: parsed - started,
    detect,
    secondReading,
    extract: done - parsed - detect,
    total: done - started,
  };
  return { result, timings, ...(options.includeText ? { text: documentText(doc).text } : {}) };
}

let secondEngine: Promise<OcrEngine | null> | undefined;

/**
 * A reader of the document's regions by the second reading's engine (the tesseract CLI, looked for
 * once per process), or undefined when it is not installed: the fields then stay `unchecked`.
 */
async function secondReader(bytes: Uint8Array, doc: Document): Promise<RegionReader | undefined> {
  const { createRegionReader, secondReadingOcr } = await import('../../documents/second-reading.js');
  const ocr = await (secondEngine ??= secondReadingOcr());
  return ocr ? createRegionReader({ bytes, mediaType: doc.mediaType, document: doc, ocr }) : undefined;
}

/**
 * The model extractor of `veil fields`, once the AI gate allows it: the operator's consent and the
 * provider's region against `VEIL_REGION`. A file on the command line has no purpose, so no
 * purpose limits it; jobs are checked against theirs.
 */
async function modelExtractor(model: FieldsModel): Promise<Extractor> {
  const { assertModelUse } = await import('../../ai/gate.js');
  const { createEgressGuard } = await import('../../ai/egress.js');
  const { configuredModelExtractor } = await import('../../ai/model/field-extractor.js');
  const { createAnalyzer } = await import('../../engine/analyze.js');
  assertModelUse({
    consent: { allowModelUse: model.allowModelUse },
    region: model.region,
    provider: { region: model.config.region },
  });
  const analyze = createAnalyzer();
  return configuredModelExtractor(model.config, { analyze, egress: createEgressGuard({ analyze }) });
}

/** A value for the readable table: shown when its sensitivity is `none` or values were asked for. */
function shown(value: FieldValue | null, sensitivity: string, showValues: boolean): string {
  if (value === null) return '-';
  if (sensitivity !== 'none' && !showValues) return `(hidden: ${sensitivity})`;
  if (typeof value === 'object') return `${value.amount}${value.currency ? ` ${value.currency}` : ''}`;
  return String(value);
}

/**
 * `veil fields FILE (--template NAME | --fields name:type,...)`: the requested fields of a
 * document, typed, with confidence and status; no transcript unless `--include-text`. The table
 * hides values of personal data unless `--show-values`; `--json` prints the fields object the API
 * returns. `--second-reading` reads text fields' boxes again with the tesseract CLI (off by
 * default, as in jobs).
 */
export function registerFields(program: Command): void {
  program
    .command('fields')
    .description(
      'extract requested fields (typed, with confidence) from a document: --template NAME or --fields name:type,...',
    )
    .argument('<file>', 'the document (PDF, image, DOCX, e-mail, CSV, JSON, text)')
    .option(
      '--template <name>',
      'a template from policies/templates (receipt, invoice, id_document, patient_intake) or --templates-dir',
    )
    .option('--fields <list>', 'fields as name:type pairs, comma-separated (total:money,date:date)')
    .option(
      '--templates-dir <dir>',
      'an extra template directory, searched first (repeatable)',
      (dir: string, all: string[] = []) => [...all, dir],
    )
    .addOption(
      new Option(
        '--extractor <name>',
        'rules (default, no model), model, or auto: model and auto send the document, pseudonymised, to the AI provider (VEIL_AI_URL)',
      )
        .choices(['rules', 'model', 'auto'])
        .default('rules'),
    )
    .option('--json', 'print the fields object as JSON')
    .option('--include-text', "add the document's full text (a transcript: off by default)")
    .option('--show-values', 'show values of personal data in the table (hidden by default)')
    .option('--timings', 'print the time spent parsing, detecting and extracting on stderr')
    .option(
      '--second-reading',
      "read each text field's box (a seller's name, an address) again with the tesseract CLI and weigh the agreement into its confidence (off by default)",
    )
    .addOption(
      new Option(
        '--second-reading-of <which>',
        'read again all text fields (as --second-reading) or only the doubtful ones, whose letters OCR doubted: fewer sent to review than all (docs/review.md)',
      ).choices(['all', 'doubtful']),
    )
    .action(async (file: string, flags: FieldsFlags & { templatesDir?: string[] }) => {
      const { closeDocumentResources, readDocumentFile } = await import('../../documents/index.js');
      const { configureDocumentCommand } = await import('../settings.js');
      await configureDocumentCommand();
      const { modelConfigFromEnv } = await import('../../ai/model/config.js');
      const { governanceEnv } = await import('../governance-env.js');
      const ai = flags.extractor === 'rules' ? undefined : modelConfigFromEnv(cli().env);
      try {
        const run = await fieldsOfDocument(await readDocumentFile(file), {
          ...(flags.template !== undefined ? { template: flags.template } : {}),
          ...(flags.fields !== undefined ? { fields: flags.fields } : {}),
          templates: flags.templatesDir ?? [],
          extractor: flags.extractor,
          includeText: flags.includeText === true,
          secondReading: flags.secondReading === true,
          ...(flags.secondReadingOf === undefined ? {} : { secondReadingOf: flags.secondReadingOf }),
          ...(ai === undefined
            ? {}
            : {
                model: {
                  config: ai,
                  // Asking for the model on the command line is the operator's explicit choice.
                  allowModelUse: true,
                  region: governanceEnv(cli().env, cli().cwd).region,
                },
              }),
        });
        if (flags.timings) {
          const t = run.timings;
          cli().stderr.write(
            `timings: parse/OCR ${t.parse.toFixed(0)} ms, detect ${t.detect.toFixed(0)} ms, extract ${t.extract.toFixed(0)} ms (second reading ${t.secondReading.toFixed(0)} ms), total ${t.total.toFixed(0)} ms\n`,
          );
        }
        if (flags.json)
          return await writeLine(
            JSON.stringify({ ...run.result, ...(run.text !== undefined ? { text: run.text } : {}) }, null, 2),
          );
        const template = run.result.template;
        if (template)
          await writeLine(`template ${template.name} v${template.version} (${template.hash.slice(0, 12)})`);
        const rows = Object.entries(run.result.fields).map(([name, f]) => [
          name,
          f.type,
          f.status,
          f.confidence.toFixed(2),
          f.sensitivity,
          f.page === null ? '-' : String(f.page),
          shown(f.value, f.sensitivity, flags.showValues === true),
        ]);
        const header = ['field', 'type', 'status', 'confidence', 'sensitivity', 'page', 'value'];
        const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
        for (const row of [header, ...rows])
          await writeLine(
            row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  '),
          );
        if (run.text !== undefined) await writeLine(`\n${run.text}`);
      } finally {
        await closeDocumentResources();
      }
    });
}
