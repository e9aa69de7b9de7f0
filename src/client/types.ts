/**
 * Friendly names for the generated API types (src/client/openapi.ts): request bodies and
 * responses of the routes the client calls.
 */
import type { paths } from './openapi.js';

type Json<T> = T extends { content: { 'application/json': infer B } } ? B : never;

/** `POST /v1/jobs` JSON body, as the API names its fields. */
export type JobRequestBody = NonNullable<Json<paths['/v1/jobs']['post']['requestBody']>>;
/** `POST /v1/jobs` 202 answer. */
export type JobAccepted = Json<paths['/v1/jobs']['post']['responses'][202]>;
/** `GET /v1/jobs/{id}`: status, counts by type, times; never values. */
export type JobStatus = Json<paths['/v1/jobs/{id}']['get']['responses'][200]>;
/** `GET /v1/jobs` page. */
export type JobList = Json<paths['/v1/jobs']['get']['responses'][200]>;
/** `GET /v1/jobs` filters. */
export type JobListQuery = NonNullable<paths['/v1/jobs']['get']['parameters']['query']>;
/** One job of a list. */
export type JobSummary = JobList['jobs'][number];
/** `DELETE /v1/jobs/{id}`: what was deleted, and the receipt. */
export type JobDeletion = Json<paths['/v1/jobs/{id}']['delete']['responses'][200]>;
/** A deletion receipt: the `job.deleted` event, its inclusion proof and a signed tree head. */
export type AuditReceipt = JobDeletion['receipt'];
/** `POST /v1/jobs/{id}/reveal` body and answer. */
export type RevealRequest = NonNullable<Json<paths['/v1/jobs/{id}/reveal']['post']['requestBody']>>;
export type Revealed = Json<paths['/v1/jobs/{id}/reveal']['post']['responses'][200]>;
/** `POST /v1/uploads` answer. */
export type UploadIssued = Json<paths['/v1/uploads']['post']['responses'][201]>;
/** `PUT /v1/uploads/{id}` answer. */
export type UploadReceived = Json<paths['/v1/uploads/{id}']['put']['responses'][201]>;
/** `GET /v1/me`. */
export type Me = Json<paths['/v1/me']['get']['responses'][200]>;
/** `GET /v1/audit/entries` page and its query. */
export type AuditEntries = Json<paths['/v1/audit/entries']['get']['responses'][200]>;
export type AuditEntriesQuery = NonNullable<paths['/v1/audit/entries']['get']['parameters']['query']>;
/** `GET /v1/audit/sth`. */
export type SignedTreeHead = Json<paths['/v1/audit/sth']['get']['responses'][200]>;
/** `GET /v1/audit/public-key`. */
export type AuditPublicKey = Json<paths['/v1/audit/public-key']['get']['responses'][200]>;
/** A job's outputs and consent basis, as the API's enums. */
export type JobOutput = NonNullable<JobRequestBody['outputs']>[number];
export type ConsentBasis = JobRequestBody['consent']['basis'];
/** The states of a job; the last three are final. */
export type JobState = JobStatus['status'];

/** `GET /v1/review/tasks`: a page of open review tasks, oldest first. */
export type ReviewTaskList = Json<paths['/v1/review/tasks']['get']['responses'][200]>;
export type ReviewTaskListQuery = NonNullable<paths['/v1/review/tasks']['get']['parameters']['query']>;
/** One review task: a field, its candidate, confidence and crop size; never the rest of the document. */
export type ReviewTask = Json<paths['/v1/review/tasks/{id}']['get']['responses'][200]>;
/** `POST /v1/review/tasks/{id}/decision` body. */
export type ReviewDecision = NonNullable<
  Json<paths['/v1/review/tasks/{id}/decision']['post']['requestBody']>
>;
