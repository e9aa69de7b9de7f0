/**
 * The extraction part of a job request: a template or a field list, the extractor, and the pages
 * and regions to read (input minimisation: nothing outside them is parsed, OCR'd or stored).
 */
import { requireExtractor } from '../../ai/fields/extract.js';
import { EXTRACTOR_NAMES, type ExtractorName } from '../../ai/fields/extractor.js';
import { loadTemplate, validateFields, type TemplateSource } from '../../ai/fields/templates.js';
import type { FieldSpec, Template } from '../../ai/fields/spec.js';
import type { Document, Line } from '../../documents/model.js';
import { DEFAULT_LIMITS } from '../../documents/limits.js';
import { VeilError } from '../../errors/veil-error.js';
import type { JobExtraction, JobRegion } from './request.js';

/** The extraction as a caller sends it (plain values, validated here). */
export interface ExtractionInput {
  readonly template?: string;
  /** With `template`: only these of its fields are extracted. */
  readonly templateFields?: readonly string[];
  readonly fields?: unknown;
  readonly extractor?: string;
  /** Page ranges such as `1-3,5`. */
  readonly pages?: string;
  readonly regions?: readonly JobRegion[];
}

function invalid(field: string, expected: string): VeilError {
  return new VeilError('VEIL_INVALID_INPUT', `jobs: ${field} must be ${expected}`);
}

/**
 * Page ranges (`1-3,5`) as a sorted list of distinct 1-based page numbers.
 *
 * @example
 * ```ts
 * parsePageRanges('4, 1-2'); // [1, 2, 4]
 * ```
 */
export function parsePageRanges(ranges: string, maxPages = DEFAULT_LIMITS.maxPages): number[] {
  const pages = new Set<number>();
  const expected = `page ranges such as 1-3,5 within 1 to ${maxPages}`;
  if (typeof ranges !== 'string' || ranges.length > 1000) throw invalid('pages', expected);
  for (const part of ranges.split(',')) {
    const m = /^\s*(\d{1,6})\s*(?:-\s*(\d{1,6})\s*)?$/.exec(part);
    if (!m) throw invalid('pages', expected);
    const [from, to] = [Number(m[1]), Number(m[2] ?? m[1])];
    if (from < 1 || to < from || to > maxPages) throw invalid('pages', expected);
    for (let p = from; p <= to; p++) pages.add(p);
  }
  return [...pages].sort((a, b) => a - b);
}

function checkRegions(regions: readonly JobRegion[], pages: readonly number[] | null): readonly JobRegion[] {
  const fraction = (n: unknown): boolean => typeof n === 'number' && Number.isFinite(n) && n >= 0 && n <= 1;
  if (!Array.isArray(regions) || regions.length === 0 || regions.length > 100)
    throw invalid('regions', 'a list of 1 to 100 regions');
  regions.forEach((r, i) => {
    if (
      !Number.isInteger(r.page) ||
      r.page < 1 ||
      ![r.x, r.y, r.width, r.height].every(fraction) ||
      r.x + r.width > 1.000001 ||
      r.y + r.height > 1.000001
    )
      throw invalid(`regions.${i}`, '{ page, x, y, width, height } with fractions of the page from 0 to 1');
    if (pages && !pages.includes(r.page)) throw invalid(`regions.${i}.page`, 'one of the pages asked for');
  });
  return regions.map((r) => ({ page: r.page, x: r.x, y: r.y, width: r.width, height: r.height }));
}

/**
 * The fields of `template` a job asks for: all of them, or those `names` (in the template's order).
 * A name the template lacks is refused with VEIL_FIELD_INVALID naming the template's fields.
 *
 * @example
 * ```ts
 * templateFieldsOf(await loadTemplate('receipt'), ['total', 'date']).map((f) => f.name); // ['date', 'total']
 * ```
 */
export function templateFieldsOf(template: Template, names?: readonly string[]): readonly FieldSpec[] {
  if (names === undefined) return template.fields;
  const known = new Set(template.fields.map((f) => f.name));
  const unknown = names.find((name) => !known.has(name));
  if (unknown !== undefined)
    throw new VeilError(
      'VEIL_FIELD_INVALID',
      `template_fields: ${/^[a-z][a-z0-9_]{0,63}$/.test(unknown) ? unknown : 'a name'} is not a field of template ${template.name} (its fields: ${[...known].join(', ')})`,
    );
  if (names.length === 0) throw invalid('template_fields', 'a list of at least one field name');
  return template.fields.filter((f) => names.includes(f.name));
}

/**
 * Validates the extraction of a job request: loads the template (its definition and hash are kept
 * with the job) or validates the field list, checks that the extractor can run, and parses pages
 * and regions. Errors name the setting: VEIL_TEMPLATE_NOT_FOUND, VEIL_FIELD_INVALID,
 * VEIL_EXTRACTOR_UNAVAILABLE (`model` or `auto` without an AI provider), VEIL_INVALID_INPUT.
 *
 * @example
 * ```ts
 * const extraction = await resolveExtraction({ template: 'receipt', pages: '1' });
 * ```
 */
export async function resolveExtraction(
  input: ExtractionInput,
  source: TemplateSource = {},
  options: { readonly modelConfigured?: boolean } = {},
): Promise<JobExtraction> {
  if ((input.template === undefined) === (input.fields === undefined))
    throw invalid('template or fields', 'given, one of the two');
  const extractor = (input.extractor ?? 'rules') as ExtractorName;
  if (!(EXTRACTOR_NAMES as readonly string[]).includes(extractor))
    throw invalid('extractor', `one of ${EXTRACTOR_NAMES.join(', ')}`);
  requireExtractor(extractor, options.modelConfigured === true);
  const template = input.template !== undefined ? await loadTemplate(input.template, source) : null;
  if (input.templateFields !== undefined && template === null)
    throw invalid('template_fields', 'given with a template');
  const fields = template ? templateFieldsOf(template, input.templateFields) : validateFields(input.fields);
  const pages = input.pages !== undefined ? parsePageRanges(input.pages) : null;
  const regions = input.regions !== undefined ? checkRegions(input.regions, pages) : null;
  return { template, fields, extractor, pages, regions };
}

/**
 * The document with only the words inside `regions` (by the centre of each word's box), pages
 * without a region emptied. Words without a box (text formats) are dropped: a region cannot
 * place them.
 *
 * @example
 * ```ts
 * keepRegions(doc, [{ page: 1, x: 0, y: 0.5, width: 1, height: 0.5 }]); // the lower half of page 1
 * ```
 */
export function keepRegions(doc: Document, regions: readonly JobRegion[]): Document {
  const pages = doc.pages.map((page) => {
    const mine = regions.filter((r) => r.page === page.number);
    const lines: Line[] = [];
    for (const line of page.lines) {
      const words = line.words.filter((w) => {
        if (!w.box || page.width <= 0 || page.height <= 0) return false;
        const [cx, cy] = [
          (w.box.x + w.box.width / 2) / page.width,
          (w.box.y + w.box.height / 2) / page.height,
        ];
        return mine.some((r) => cx >= r.x && cx <= r.x + r.width && cy >= r.y && cy <= r.y + r.height);
      });
      if (words.length > 0)
        lines.push({ words: words.map((w, i) => (i === 0 ? { ...w, spaceBefore: false } : w)) });
    }
    return { ...page, lines };
  });
  return { ...doc, pages, tables: [], records: [] };
}
