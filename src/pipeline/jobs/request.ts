/**
 * What a job was asked to do, and the artifacts it keeps. The request (outputs, retention,
 * declared media type and the exact policy) is stored as an encrypted `manifest` artifact, so a
 * worker on another machine runs the job under the very policy whose hash the job row records.
 */
import type { ExtractorName } from '../../ai/fields/extractor.js';
import type { FieldSpec, Template } from '../../ai/fields/spec.js';
import { validateFields, validateTemplate } from '../../ai/fields/templates.js';
import { VeilError } from '../../errors/veil-error.js';
import { policyHash, validatePolicy } from '../../policy/index.js';
import type { Policy } from '../../policy/index.js';

/** The outputs a caller may ask for. */
export const JOB_OUTPUTS = ['findings_summary', 'redacted', 'fields', 'text'] as const;
export type JobOutput = (typeof JOB_OUTPUTS)[number];

/**
 * Whether outputs need the extract step (`fields`, `text`): its review tasks are read and written
 * in transactions of their own, so such a job records each step as it goes.
 *
 * @example
 * ```ts
 * needsExtraction(['findings_summary', 'redacted']); // false
 * ```
 */
export function needsExtraction(outputs: readonly JobOutput[]): boolean {
  return outputs.includes('fields') || outputs.includes('text');
}

/** Lawful bases of processing (GDPR art. 6(1)), as codes. */
export const CONSENT_BASES = [
  'consent',
  'contract',
  'legal_obligation',
  'vital_interests',
  'public_task',
  'legitimate_interests',
] as const;
export type ConsentBasis = (typeof CONSENT_BASES)[number];

/** The artifacts of a job, by class (also their retention and encryption class). */
export const ARTIFACT = {
  /** The submitted bytes. */
  original: 'original',
  /** The request: outputs, retention, media type, policy. */
  manifest: 'manifest',
  /** The extracted text; an intermediate, deleted when the job finishes. */
  parsed: 'parsed',
  /** Detected spans (types, offsets, scores; never values). */
  findings: 'findings',
  /** The redacted document. */
  redacted: 'redacted',
  /** The requested fields (values, confidence, status), the fields object the API returns. */
  fields: 'fields',
  /** The full transcript, only with `consent.allow_full_text`. */
  text: 'text',
} as const;
export type ArtifactClass = (typeof ARTIFACT)[keyof typeof ARTIFACT];

/**
 * The id of a job's artifact of one class. Fixed per job, so a step that runs twice cannot
 * store its output twice: the second insert conflicts on the primary key.
 *
 * @example
 * ```ts
 * artifactId('4f0c…', 'redacted'); // '4f0c….redacted'
 * ```
 */
export function artifactId(jobId: string, artifactClass: ArtifactClass): string {
  return `${jobId}.${artifactClass}`;
}

/** The stored request of a job. */
export interface JobManifest {
  readonly version: 1;
  readonly mediaType: string | null;
  readonly outputs: readonly JobOutput[];
  readonly retentionDays: number;
  readonly policy: Policy;
  /** What to extract (the `fields` output) and from which part of the document. */
  readonly extraction?: JobExtraction;
  /** The caller's consent to the `text` output (a full transcript); false when absent. */
  readonly allowFullText?: boolean;
}

/** A region of a page to read, as fractions of the page's width and height (0 to 1, top-left origin). */
export interface JobRegion {
  readonly page: number;
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/** The extraction a job was asked for: a template (kept whole, with its hash) or a field list. */
export interface JobExtraction {
  readonly template: Template | null;
  readonly fields: readonly FieldSpec[];
  readonly extractor: ExtractorName;
  /** Only these 1-based pages are parsed, OCR'd and kept; null for every page. */
  readonly pages: readonly number[] | null;
  /** Only words inside these regions are kept; null for whole pages. */
  readonly regions: readonly JobRegion[] | null;
}

/**
 * Re-validates a stored extraction: the template's hash must still be the hash of its content,
 * so a job extracts under exactly the template version it recorded.
 */
function checkExtraction(extraction: JobExtraction): JobExtraction {
  if (extraction.template) {
    const { hash, ...definition } = extraction.template;
    const again = validateTemplate(definition, extraction.template.name);
    if (again.hash !== hash)
      throw new VeilError('VEIL_JOB_INTEGRITY', 'jobs: the stored template does not match its hash');
    // The job may ask for some of the template's fields: those, as the template defines them.
    const asked = new Set(extraction.fields.map((f) => f.name));
    const fields = again.fields.filter((f) => asked.has(f.name));
    if (fields.length !== asked.size)
      throw new VeilError('VEIL_JOB_INTEGRITY', "jobs: the stored fields are not the template's");
    return { ...extraction, template: again, fields };
  }
  return { ...extraction, fields: validateFields(extraction.fields) };
}

const MEDIA_TYPE = /^[a-z0-9][a-z0-9!#$&^_.+-]{0,126}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$/;
const CODE = /^[a-z][a-z0-9_-]{0,63}$/;
/** Ten years: the longest retention a job may ask for. */
export const MAX_RETENTION_DAYS = 3650;

/**
 * Checks the parts of a request that are codes and numbers; throws `VEIL_INVALID_INPUT` naming
 * the field. Purpose and basis are codes, never free text, so a job row cannot carry content.
 *
 * @example
 * ```ts
 * checkRequest({ purpose: 'claims', basis: 'contract', outputs: ['redacted'], retentionDays: 7, mediaType: 'text/plain' });
 * ```
 */
export function checkRequest(input: {
  readonly purpose: string;
  readonly basis: string;
  readonly outputs: readonly string[];
  readonly retentionDays: number;
  readonly mediaType: string | null;
}): void {
  if (typeof input.purpose !== 'string' || !CODE.test(input.purpose))
    throw invalid('purpose', 'a code of lower-case letters, digits, _ or - (at most 64)');
  if (!(CONSENT_BASES as readonly string[]).includes(input.basis))
    throw invalid('consent.basis', `one of ${CONSENT_BASES.join(', ')}`);
  if (
    !Array.isArray(input.outputs) ||
    input.outputs.length === 0 ||
    input.outputs.some((o) => !(JOB_OUTPUTS as readonly string[]).includes(o)) ||
    new Set(input.outputs).size !== input.outputs.length
  )
    throw invalid('outputs', `a non-empty list of distinct values from ${JOB_OUTPUTS.join(', ')}`);
  if (
    !Number.isInteger(input.retentionDays) ||
    input.retentionDays < 1 ||
    input.retentionDays > MAX_RETENTION_DAYS
  )
    throw invalid('retentionDays', `an integer from 1 to ${MAX_RETENTION_DAYS}`);
  if (input.mediaType !== null && (typeof input.mediaType !== 'string' || !MEDIA_TYPE.test(input.mediaType)))
    throw invalid('mediaType', 'a media type such as text/plain, without parameters');
}

function invalid(field: string, expected: string): VeilError {
  return new VeilError('VEIL_INVALID_INPUT', `jobs: ${field} must be ${expected}`);
}

/**
 * Serialises a manifest for its encrypted artifact.
 *
 * @example
 * ```ts
 * const bytes = encodeManifest({ version: 1, mediaType: null, outputs: ['redacted'], retentionDays: 7, policy });
 * ```
 */
export function encodeManifest(manifest: JobManifest): Uint8Array {
  return Buffer.from(JSON.stringify(manifest), 'utf8');
}

/**
 * Reads a manifest back and checks it against the policy hash the job row records: a worker
 * never runs a job under a policy other than the one it was submitted with.
 *
 * @example
 * ```ts
 * const manifest = decodeManifest(await repos.artifacts.read(artifactId(jobId, 'manifest')), job.policyHash);
 * ```
 */
export function decodeManifest(bytes: Uint8Array, expectedPolicyHash: string): JobManifest {
  let data: Partial<JobManifest>;
  try {
    data = JSON.parse(Buffer.from(bytes).toString('utf8')) as Partial<JobManifest>;
  } catch (cause) {
    throw new VeilError('VEIL_JOB_INTEGRITY', 'jobs: the stored request is not readable', { cause });
  }
  if (data.version !== 1 || data.policy === undefined)
    throw new VeilError('VEIL_JOB_INTEGRITY', 'jobs: the stored request has an unknown shape');
  const policy = validatePolicy(data.policy);
  if (policyHash(policy) !== expectedPolicyHash)
    throw new VeilError('VEIL_JOB_INTEGRITY', "jobs: the stored policy does not match the job's policy hash");
  const manifest: JobManifest = {
    version: 1,
    mediaType: data.mediaType ?? null,
    outputs: data.outputs ?? [],
    retentionDays: data.retentionDays ?? 0,
    policy,
    ...(data.extraction ? { extraction: checkExtraction(data.extraction) } : {}),
    ...(data.allowFullText ? { allowFullText: true } : {}),
  };
  checkRequest({ purpose: 'stored', basis: 'contract', ...manifest });
  return manifest;
}

/**
 * Frames a redacted output with its media type: `[u32 header length][header JSON][bytes]`.
 * The artifact row has no media-type column, and the type must travel with the bytes.
 *
 * @example
 * ```ts
 * const framed = frameOutput('text/plain', Buffer.from(redactedText));
 * ```
 */
export function frameOutput(mediaType: string, bytes: Uint8Array): Buffer {
  const header = Buffer.from(JSON.stringify({ mediaType }), 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(header.length);
  return Buffer.concat([length, header, bytes]);
}

/**
 * The inverse of {@link frameOutput}.
 *
 * @example
 * ```ts
 * const { mediaType, bytes } = unframeOutput(await repos.artifacts.read(id));
 * ```
 */
export function unframeOutput(framed: Uint8Array): { mediaType: string; bytes: Buffer } {
  const buffer = Buffer.from(framed.buffer, framed.byteOffset, framed.byteLength);
  const length = buffer.length >= 4 ? buffer.readUInt32BE(0) : -1;
  if (length < 2 || 4 + length > buffer.length)
    throw new VeilError('VEIL_JOB_INTEGRITY', 'jobs: the stored output is not framed');
  const header = JSON.parse(buffer.subarray(4, 4 + length).toString('utf8')) as { mediaType?: unknown };
  if (typeof header.mediaType !== 'string')
    throw new VeilError('VEIL_JOB_INTEGRITY', 'jobs: the stored output names no media type');
  return { mediaType: header.mediaType, bytes: buffer.subarray(4 + length) };
}
