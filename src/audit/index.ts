/**
 * The tamper-evident audit log: RFC 6962/9162 Merkle tree, Ed25519 signed tree heads, proofs,
 * receipts, exports and offline verification. Storage comes in through {@link AuditStore}.
 */
export { canonicalJson, canonicalBytes } from './canonical.js';
export { toHex, fromHex, hashFromHex, HASH_BYTES } from './encoding.js';
export {
  parseAuditEvent,
  canonicalAuditEvent,
  auditEventSchema,
  KNOWN_ACTIONS,
  ACTOR_ROLES,
  REVEAL_REASONS,
  OBJECT_KINDS,
  OUTPUT_KINDS,
  MAX_EVENT_BYTES,
  type AuditEvent,
  type AuditEventInput,
  type AuditAction,
} from './event.js';
export {
  EMPTY_ROOT,
  hashLeaf,
  hashChildren,
  rootFromLeafHashes,
  verifyInclusion,
  verifyConsistency,
  CompactRange,
  MerkleTree,
  MemoryLeafHashSource,
  type LeafHashSource,
} from './merkle.js';
export {
  auditKeyId,
  generateAuditKeyPair,
  importAuditPrivateKey,
  exportAuditPrivateKey,
  importAuditPublicKey,
  exportAuditPublicKey,
  createAuditSigner,
  signTreeHead,
  verifyTreeHead,
  verifyEd25519,
  treeHeadMessage,
  isSignedTreeHead,
  type TreeHead,
  type SignedTreeHead,
  type AuditKeyPair,
  type AuditPublicKey,
  type AuditSigner,
} from './tree-head.js';
export {
  AuditLog,
  MemoryAuditStore,
  RECEIPT_FORMAT,
  type AuditStore,
  type AuditLogOptions,
  type StoredAuditEntry,
  type AppendResult,
  type InclusionProof,
  type ConsistencyProof,
  type AuditReceipt,
} from './log.js';
export {
  EXPORT_FORMAT,
  exportAuditLog,
  serializeAuditExport,
  parseAuditExport,
  type AuditExport,
  type ExportedEntry,
} from './export.js';
export {
  verifyExport,
  verifyReceipt,
  assertReceipt,
  auditVerifyCommand,
  releasedOutputMatches,
  type ReleasedOutputCheck,
  type ExportVerification,
  type ReceiptVerification,
  type VerificationProblem,
  type AuditVerifyOutcome,
} from './verify.js';
