/**
 * Durable jobs: intake → parse → detect → anonymise → extract → finalise, each a pg-boss task with
 * retries and backoff, ids-only payloads, and a failure hook that leaves nothing behind.
 */
export { afterRecorded, submitJob, type JobDeps, type SubmitJobInput, type SubmittedJob } from './submit.js';
export {
  deleteJob,
  getJobStatus,
  readFields,
  readFullText,
  listJobs,
  readRedacted,
  readRedactedPage,
  requireFinishedJob,
  revealFindings,
  type DeletedJob,
  type RevealedFinding,
  type JobRef,
  type JobPage,
  type JobStatusView,
  type JobSummary,
} from './commands.js';
export {
  IDEMPOTENCY_ABANDONED_MS,
  IDEMPOTENCY_TTL_MS,
  submitOnce,
  type IdempotentOutcome,
  type IdempotentRequest,
} from './idempotency.js';
export {
  ensureJobQueues,
  enqueueFused,
  enqueueStep,
  FAILED_QUEUE,
  FUSED_QUEUE,
  JOB_STEPS,
  STEP_QUEUES,
  stepMessageId,
  type JobPayload,
  type JobStep,
  type QueueSettings,
} from './queues.js';
export {
  ARTIFACT,
  CONSENT_BASES,
  JOB_OUTPUTS,
  MAX_RETENTION_DAYS,
  type ArtifactClass,
  type ConsentBasis,
  type JobExtraction,
  type JobOutput,
  type JobRegion,
} from './request.js';
export {
  createJobTasks,
  type JobModelServices,
  type JobTask,
  type StepEnv,
  type StepOutcome,
  type StepServices,
} from './steps.js';
export { failJob } from './records.js';
export {
  DEFAULT_FUSED_MAX_BYTES,
  MAX_INLINE_BYTES,
  runsFused,
  runsInline,
  type FusedRouteInput,
  type InlineRouteInput,
} from './fused.js';
export { createInlineJobs, type InlineJobs, type InlineRun, type InlineSubmission } from './inline.js';
export { keepRegions, parsePageRanges, resolveExtraction, type ExtractionInput } from './extraction.js';
export { jobText, type JobText, type TextRoute } from './text.js';
