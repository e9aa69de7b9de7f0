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
/** `GET /v1/templates`: the field templates jobs may extract under, with their fields. */
export type TemplateList = Json<paths['/v1/templates']['get']['responses'][200]>;
/** One template of {@link TemplateList}. */
export type FieldTemplate = TemplateList['templates'][number];
/** `POST /v1/uploads` answer. */
export type UploadIssued = Json<paths['/v1/uploads']['post']['responses'][201]>;
/** `PUT /v1/uploads/{id}` answer. */
export type UploadReceived = Json<paths['/v1/uploads/{id}']['put']['responses'][201]>;
/** `GET /v1/sign-in` (public): the OIDC issuer and public client a browser signs in with, or null. */
export type SignInSettings = Json<paths['/v1/sign-in']['get']['responses'][200]>;
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
/** `GET /v1/jobs/{id}/fields`: the requested fields with type, confidence, status and sensitivity. */
export type JobFields = Json<paths['/v1/jobs/{id}/fields']['get']['responses'][200]>;
/** One field of {@link JobFields}. */
export type JobField = JobFields['fields'][string];
/** `GET /v1/api-keys`, `POST /v1/api-keys` body and answer. */
export type ApiKeyList = Json<paths['/v1/api-keys']['get']['responses'][200]>;
export type ApiKeySummary = ApiKeyList['keys'][number];
export type ApiKeyRequest = NonNullable<Json<paths['/v1/api-keys']['post']['requestBody']>>;
export type ApiKeyCreated = Json<paths['/v1/api-keys']['post']['responses'][201]>;
/** `POST /v1/dsr/access` and `POST /v1/dsr/erasure`: the subject, and the answers. */
export type SubjectQuery = NonNullable<Json<paths['/v1/dsr/access']['post']['requestBody']>>;
export type SubjectAccess = Json<paths['/v1/dsr/access']['post']['responses'][200]>;
export type SubjectErasure = Json<paths['/v1/dsr/erasure']['post']['responses'][200]>;
/** `POST /v1/consents/withdrawals` body and answer. */
export type ConsentWithdrawalRequest = NonNullable<
  Json<paths['/v1/consents/withdrawals']['post']['requestBody']>
>;
export type ConsentWithdrawal = Json<paths['/v1/consents/withdrawals']['post']['responses'][200]>;
/** `GET /v1/analytics/counts`: a release with differential privacy, and its query. */
export type CountsRelease = Json<paths['/v1/analytics/counts']['get']['responses'][200]>;
export type CountsQuery = paths['/v1/analytics/counts']['get']['parameters']['query'];
/** `GET /v1/alerts`. */
export type AlertList = Json<paths['/v1/alerts']['get']['responses'][200]>;
export type AlertsQuery = NonNullable<paths['/v1/alerts']['get']['parameters']['query']>;
/** `GET /v1/privacy/metrics`: the tenant's privacy figures over a period. */
export type PrivacyMetrics = Json<paths['/v1/privacy/metrics']['get']['responses'][200]>;
/** A distribution of {@link PrivacyMetrics}: count, quantiles and cumulative buckets. */
export type MetricDistribution = PrivacyMetrics['deletion_lag_seconds'];
/** `GET /v1/policy`: the tenant's policy in force, its hash, version and `policy.changed` history. */
export type TenantPolicyView = Json<paths['/v1/policy']['get']['responses'][200]>;
/** One entry of {@link TenantPolicyView}'s history, newest first. */
export type PolicyChange = TenantPolicyView['history'][number];
/** `GET /v1/compliance/report`: the compliance evidence report, and its query. */
export type ComplianceReport = Json<paths['/v1/compliance/report']['get']['responses'][200]>;
export type ComplianceReportQuery = NonNullable<paths['/v1/compliance/report']['get']['parameters']['query']>;
/** One control of a {@link ComplianceReport}. */
export type ComplianceControl = ComplianceReport['controls'][number];

/** `GET /v1/review/tasks`: a page of open review tasks, oldest first. */
export type ReviewTaskList = Json<paths['/v1/review/tasks']['get']['responses'][200]>;
export type ReviewTaskListQuery = NonNullable<paths['/v1/review/tasks']['get']['parameters']['query']>;
/** One review task: a field, its candidate, confidence and crop size; never the rest of the document. */
export type ReviewTask = Json<paths['/v1/review/tasks/{id}']['get']['responses'][200]>;
/** `POST /v1/review/tasks/{id}/decision` body. */
export type ReviewDecision = NonNullable<
  Json<paths['/v1/review/tasks/{id}/decision']['post']['requestBody']>
>;
