// The documents layer: parse any supported input into one model, detect with boxes, redact truly.
export {
  analyzeDocument,
  type AnalyzeDocumentOptions,
  type DocumentAnalysis,
  type DocumentFinding,
} from './analyze.js';
export { DEFAULT_CROP_MARGIN, renderFieldCrop, type Crop, type CropRequest } from './crop.js';
export { DEFAULT_LIMITS, resolveLimits, type DocumentLimits } from './limits.js';
export type {
  Box,
  Document,
  DocumentFormat,
  JsonValue,
  Line,
  Page,
  PageSource,
  RecordSet,
  Table,
  Word,
} from './model.js';
export {
  OCR_ENGINES,
  type OcrEngine,
  type OcrEngineChoice,
  type OcrResult,
  type OcrWord,
} from './ocr/engine.js';
export { createTesseractOcr, type TesseractOptions } from './ocr/pool.js';
export {
  createNativeTesseractOcr,
  nativeTesseractAvailable,
  type NativeTesseractOptions,
} from './ocr/native.js';
export { closeSharedOcr, createOcr, sharedOcr, useSharedOcr, type OcrChoiceOptions } from './ocr/select.js';
export { readDocumentFile } from './input.js';
export { PAGE_IMAGE_DPI, renderPdfPageImage, type PageImage } from './page-image.js';
export { closeDocumentResources } from './resources.js';
export { writeFileAtomic } from './output.js';
export { parseDocument, sniffType, type ParseOptions } from './parse.js';
export type { OcrMode, ProgressEvent } from './parsers/context.js';
export { redactDocument, type RedactDocumentOptions, type RedactedDocument } from './redact.js';
export { operatorRedaction } from './redact/operators.js';
export { plainRedaction, type TextRedaction, type TextRedactor } from './redact/text.js';
export {
  documentText,
  locate,
  type DocumentText,
  type Location,
  type PageBox,
  type Segment,
} from './text.js';
