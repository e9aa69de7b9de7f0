import { createAnalyzer, type AnalyzeOptions, type Analyzer } from '../engine/analyze.js';
import type { Finding } from '../engine/types.js';
import { VeilError } from '../errors/veil-error.js';
import { detectInDocument, locateFindings } from './analyze.js';
import type { Document } from './model.js';
import { parseContext, parseWithContext, type ParseOptions } from './parse.js';
import { boxesByPage, redactionMargin } from './redact/boxes.js';
import { writeRedactedImage } from './redact/image.js';
import { REDACTION_DPI, writeRedactedPdf } from './redact/pdf.js';
import { plainRedaction, redactTextDocument, type TextRedactor } from './redact/text.js';
import { documentText, type DocumentText } from './text.js';

export interface RedactDocumentOptions extends ParseOptions {
  /** Detection options passed to the engine. The residual check uses the same ones. */
  readonly detection?: AnalyzeOptions;
  /**
   * The analyzer itself, already built from `detection` (a job's cached one): building an
   * analyzer compiles every recognizer, so a caller that has one passes it rather than the options.
   */
  readonly analyze?: Analyzer;
  /**
   * The document as `parseDocument(bytes)` read it and the findings detection made in its
   * `documentText` (offsets into that text): the first parse and detection are then skipped, and
   * only the residual check parses and detects (the output). The caller vouches that both came
   * from these very bytes, whole (no page or region scope), under the same detection options.
   */
  readonly prepared?: { readonly document: Document; readonly findings: readonly Finding[] };
  /**
   * How text findings are replaced (text, DOCX, e-mail, CSV, JSON): default `[TYPE]`;
   * `operatorRedaction(plan, context)` applies a policy's anonymisation operators.
   */
  readonly redactText?: TextRedactor;
  /** Resolution of rasterised PDF pages (default 200 dpi). */
  readonly dpi?: number;
  /**
   * Re-adds an invisible text layer, read by OCR from the redacted image, to every rasterised PDF
   * page, so the output stays searchable (default false). The residual check reads it too.
   */
  readonly searchable?: boolean;
}

export interface RedactedDocument {
  readonly bytes: Uint8Array;
  /** PDF stays PDF and images keep their type; DOCX and e-mail become text/plain. */
  readonly mediaType: string;
  /** Findings the residual check found in the final output: always 0 (otherwise it throws). */
  readonly residual: 0;
  /** Redacted findings per entity type, including any the residual pass caught. */
  readonly counts: Readonly<Record<string, number>>;
  /** Pages rasterised (PDF) or images re-encoded with boxes burned in. */
  readonly rasterisedPages: number;
}

/**
 * True when a residual finding lies wholly inside one of the strings the text redactor wrote
 * (`[PERSON]`, `<PERSON_1>`, a mask, a hash): that is the redactor's output, not personal data
 * that survived, even when a name tagger reads "[PERSON]" as a name. Only the window a covering
 * occurrence could start in is searched, so the check costs no pass over the whole text.
 */
function insideReplacement(text: string, finding: Finding, replacements: ReadonlySet<string>): boolean {
  const length = finding.end - finding.start;
  for (const r of replacements) {
    if (r.length < length || r.length === 0) continue;
    const from = Math.max(0, finding.end - r.length);
    if (text.slice(from, finding.start + r.length).includes(r)) return true;
  }
  return false;
}

/** How many redact → re-extract rounds run before the output is refused. */
const MAX_PASSES = 2;

async function writeOnce(
  bytes: Uint8Array,
  doc: Document,
  dt: DocumentText,
  findings: readonly Finding[],
  options: RedactDocumentOptions,
  context: ReturnType<typeof parseContext>,
): Promise<{ bytes: Uint8Array; mediaType: string; rasterised: number; replacements: readonly string[] }> {
  if (doc.format === 'pdf' || doc.format === 'image') {
    const boxes = boxesByPage(doc, dt, findings, redactionMargin(doc));
    const progress = context.onProgress ? { onProgress: context.onProgress } : {};
    if (doc.format === 'pdf') {
      const textLayer = options.searchable ? { textLayer: context.ocr() } : {};
      const out = await writeRedactedPdf(bytes, boxes, {
        limits: context.limits,
        dpi: options.dpi ?? REDACTION_DPI,
        ...progress,
        ...textLayer,
      });
      return { bytes: out, mediaType: 'application/pdf', rasterised: boxes.size, replacements: [] };
    }
    const out = await writeRedactedImage(bytes, doc.mediaType, boxes, {
      limits: context.limits,
      ...progress,
    });
    return { ...out, rasterised: doc.pages.length, replacements: [] };
  }
  const { text, mediaType, replacements } = await redactTextDocument(
    doc,
    dt,
    findings,
    options.redactText ?? plainRedaction,
  );
  return { bytes: new TextEncoder().encode(text), mediaType, rasterised: 0, replacements };
}

/**
 * Redacts a document of any supported type and proves it. PDF pages with findings are rasterised
 * with black boxes burned in; images get boxes burned in and lose all metadata; text formats get
 * their findings replaced. Then the residual check re-extracts the output exactly as an input
 * (text layer and OCR) and re-runs detection: anything found is redacted in one more pass, and if
 * that pass still leaves something, the output is withheld with VEIL_RESIDUAL_PII.
 *
 * Nothing is written to disk here; write `bytes` with `writeFileAtomic`.
 *
 * @example
 * ```ts
 * const out = await redactDocument(await readFile('scan.pdf'), { onProgress: (e) => bar.update(e.page) });
 * out.residual; // 0
 * out.counts; // { PERSON: 2, US_SSN: 1 }
 * ```
 */
export async function redactDocument(
  bytes: Uint8Array,
  options: RedactDocumentOptions = {},
): Promise<RedactedDocument> {
  const detect = options.analyze ?? createAnalyzer(options.detection);
  const context = parseContext(options, 'parse');
  let doc: Document;
  let dt: DocumentText;
  let findings: readonly Finding[];
  if (options.prepared !== undefined) {
    doc = options.prepared.document;
    dt = documentText(doc);
    findings = locateFindings(dt, doc, options.prepared.findings);
  } else {
    doc = await parseWithContext(bytes, context);
    ({ dt, findings } = detectInDocument(doc, detect));
  }
  const counts: Record<string, number> = {};
  let current = bytes;
  let rasterisedPages = 0;
  const replacements = new Set<string>();
  for (let pass = 1; ; pass++) {
    for (const f of findings) counts[f.type] = (counts[f.type] ?? 0) + 1;
    const written = await writeOnce(current, doc, dt, findings, options, context);
    rasterisedPages = Math.max(rasterisedPages, written.rasterised);
    current = written.bytes;
    for (const r of written.replacements) replacements.add(r);
    // The check parses the output as a stranger would: content sniffing, text layer, OCR.
    doc = await parseWithContext(current, { ...context, stage: 'verify' });
    ({ dt, findings } = detectInDocument(doc, detect));
    findings = findings.filter((f) => !insideReplacement(dt.text, f, replacements));
    if (findings.length === 0)
      return { bytes: current, mediaType: written.mediaType, residual: 0, counts, rasterisedPages };
    if (pass >= MAX_PASSES)
      throw new VeilError(
        'VEIL_RESIDUAL_PII',
        `the redacted output still contains ${findings.length} finding(s) after ${MAX_PASSES} passes; no output was produced`,
      );
  }
}
