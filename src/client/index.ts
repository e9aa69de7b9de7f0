/**
 * `veil/client`: the typed SDK. HTTP only; nothing of the server is imported here (a test walks
 * the imports), so it runs in Node 20+ and in browsers.
 */
export {
  FINAL_STATES,
  SAFE_DEFAULTS,
  VeilClient,
  type SubmitJobRequest,
  type UploadProgress,
  type VeilClientOptions,
} from './client.js';
export { isVeilApiError, VeilApiError, type ClientErrorCode } from './errors.js';
export {
  decodeOutputReceipt,
  OUTPUT_RECEIPT_HEADER,
  verifyOutputReceipt,
  verifyReceipt,
  type Ed25519Engine,
  type ReceiptProblem,
  type ReceiptPublicKey,
  type ReceiptVerification,
} from './verify-receipt.js';
export type { TokenSource } from './http.js';
export type * from './types.js';
export type { paths } from './openapi.js';
export { verifyExport, type ExportProblem, type ExportVerification } from './verify-export.js';
