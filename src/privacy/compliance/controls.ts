/**
 * The registry of controls: what Veil does, the regulation clauses each serves, how the tenant's
 * policy configures it, which audit events evidence it, and which automated tests prove it. Data,
 * so the report, the documentation and the test that checks every named test exists read one list.
 */
import type { Policy } from '../../policy/schema.js';

/** A regulation clause a control serves. */
export interface Clause {
  readonly regulation: 'GDPR' | 'HIPAA' | 'SOX';
  /** As the regulation numbers it: `5(1)(c)`, `164.312(a)(1)`, `404`. */
  readonly clause: string;
  readonly title: string;
}

/** Where a control stands under a policy. */
export type ControlStatus = 'enforced' | 'configured_off' | 'not_applicable';

/** A test that proves a control: its file and its exact name. */
export interface TestRef {
  readonly file: string;
  readonly name: string;
}

/** One control. */
export interface Control {
  readonly id: string;
  readonly title: string;
  readonly does: string;
  readonly clauses: readonly Clause[];
  /** The policy keys that configure it (dotted paths), empty when it is always on. */
  readonly policyKeys: readonly string[];
  /** Its status under a policy, with the policy values that decide it (values of settings, never of documents). */
  status(policy: Policy): { status: ControlStatus; values: Record<string, unknown> };
  readonly auditActions: readonly string[];
  readonly tests: readonly TestRef[];
}

const GDPR = {
  minimisation: { regulation: 'GDPR', clause: '5(1)(c)', title: 'data minimisation' },
  storage: { regulation: 'GDPR', clause: '5(1)(e)', title: 'storage limitation' },
  lawful: { regulation: 'GDPR', clause: '6', title: 'lawfulness of processing' },
  withdrawal: { regulation: 'GDPR', clause: '7(3)', title: 'withdrawal of consent' },
  access: { regulation: 'GDPR', clause: '15', title: 'right of access' },
  erasure: { regulation: 'GDPR', clause: '17', title: 'right to erasure' },
  design: { regulation: 'GDPR', clause: '25', title: 'data protection by design and by default' },
  records: { regulation: 'GDPR', clause: '30', title: 'records of processing activities' },
  security: { regulation: 'GDPR', clause: '32', title: 'security of processing' },
  transfers: { regulation: 'GDPR', clause: '44', title: 'transfers to third countries' },
} as const satisfies Record<string, Clause>;

const HIPAA = {
  access: { regulation: 'HIPAA', clause: '164.312(a)(1)', title: 'access control' },
  audit: { regulation: 'HIPAA', clause: '164.312(b)', title: 'audit controls' },
  integrity: { regulation: 'HIPAA', clause: '164.312(c)(1)', title: 'integrity' },
  transmission: { regulation: 'HIPAA', clause: '164.312(e)(1)', title: 'transmission security' },
} as const satisfies Record<string, Clause>;

const SOX = {
  audit: {
    regulation: 'SOX',
    clause: '404',
    title: 'internal control over financial reporting: audit trail',
  },
} as const satisfies Record<string, Clause>;

const always =
  (values: Record<string, unknown> = {}) =>
  () => ({ status: 'enforced' as const, values });

/** Every control, in report order. */
export const CONTROLS: readonly Control[] = [
  {
    id: 'VEIL-MIN-01',
    title: 'Anonymisation by policy',
    does: 'Every detected value is replaced, masked, redacted, tokenised, encrypted or generalised by the operator the policy names before any output leaves; a second pass refuses output that still holds personal data.',
    clauses: [GDPR.minimisation, GDPR.design],
    policyKeys: ['operators', 'fields', 'threshold'],
    status: (policy) => ({
      status: policy.operators.default.operator === 'keep' ? 'configured_off' : 'enforced',
      values: {
        'operators.default': policy.operators.default.operator,
        threshold: policy.threshold ?? null,
        fields: Object.keys(policy.fields ?? {}).length,
      },
    }),
    auditActions: ['job.created', 'job.step'],
    tests: [
      {
        file: 'test/engine/anonymize/verified.test.ts',
        name: 'refuses with VEIL_RESIDUAL_PII, naming no value, when a second pass still leaves something',
      },
      {
        file: 'test/pipeline/jobs/jobs.test.ts',
        name: 'workers run a text job end to end; nothing holds a canary in plaintext',
      },
    ],
  },
  {
    id: 'VEIL-MIN-02',
    title: 'No content in logs, errors, metrics or audit events',
    does: 'Logs, error messages, metric labels and audit events hold ids, codes, hashes and counts only; canary values are never written in plaintext.',
    clauses: [GDPR.minimisation, GDPR.security],
    policyKeys: [],
    status: always(),
    auditActions: [],
    tests: [
      {
        file: 'test/api/hardening.test.ts',
        name: 'logs hold ids, codes and timings, never a canary from a body, header, query or error',
      },
      {
        file: 'test/api/hardening.test.ts',
        name: '/metrics counts by route pattern and status, and no label carries a request value',
      },
      {
        file: 'test/audit/event.test.ts',
        name: 'a canary value is refused in every field that could carry one, and never echoed',
      },
    ],
  },
  {
    id: 'VEIL-RET-01',
    title: 'Retention deadline and hard deletion',
    does: 'Every job and artifact carries a delete_after; deletion removes the row and the encrypted blob and leaves a job.deleted receipt in the audit log.',
    clauses: [GDPR.storage, GDPR.erasure],
    policyKeys: ['retention'],
    status: always({ retention: 'per job (retention_days), swept by delete_after' }),
    auditActions: ['job.deleted'],
    tests: [
      {
        file: 'test/store/store.test.ts',
        name: 'artifact deletion is hard: the row and the blob are gone, for one artifact and for a job',
      },
      {
        file: 'test/store/store.test.ts',
        name: 'expired artifacts are listed across tenants for the sweeper',
      },
      {
        file: 'test/api/jobs.test.ts',
        name: 'a JSON text job: 202, status with counts and no values, redacted output, reveal, delete with a verifiable receipt',
      },
    ],
  },
  {
    id: 'VEIL-ERA-01',
    title: 'Crypto-shredding',
    does: 'Tenant and subject data keys can be destroyed, so ciphertext that outlives deletion (backups, vault entries) no longer decrypts.',
    clauses: [GDPR.erasure],
    policyKeys: [],
    status: always(),
    auditActions: ['job.deleted', 'key.rotated'],
    tests: [
      {
        file: 'test/crypto/keyring.test.ts',
        name: 'destroyTenant crypto-shreds: the ciphertext is still there and no longer decrypts',
      },
      {
        file: 'test/engine/anonymize/operators.test.ts',
        name: 'crypto-shreds a forgotten subject: the entries stay, their tokens no longer resolve, and new tokens differ',
      },
    ],
  },
  {
    id: 'VEIL-LAW-01',
    title: 'Purpose, lawful basis and policy recorded per job',
    does: 'A job cannot start without a declared purpose and lawful basis; the job record and its job.created event carry them with the hash of the policy version it ran under.',
    clauses: [GDPR.lawful, GDPR.withdrawal, GDPR.records],
    policyKeys: [],
    status: always(),
    auditActions: ['job.created', 'policy.changed'],
    tests: [
      {
        file: 'test/audit/event.test.ts',
        name: 'actions without their required fields, unknown actions and unknown keys are refused',
      },
      { file: 'test/api/jobs.test.ts', name: 'a multipart job, and requests that break the schema' },
    ],
  },
  {
    id: 'VEIL-ACC-01',
    title: 'Role-based access and tenant isolation',
    does: "Every route declares a permission from one matrix; another tenant's ids answer 404; row-level security is a second wall in the database.",
    clauses: [GDPR.security, HIPAA.access],
    policyKeys: [],
    status: always(),
    auditActions: ['permission.denied', 'auth.failed'],
    tests: [
      {
        file: 'test/api/matrix.test.ts',
        name: 'every route × role × tenant answers as PERMISSION_MATRIX says',
      },
      {
        file: 'test/access/permissions.test.ts',
        name: 'every role × permission × tenant: allowed in its tenant, 404 in another, 403 without the role',
      },
      { file: 'test/store/store.test.ts', name: 'jobs round-trip and another tenant sees none of them' },
    ],
  },
  {
    id: 'VEIL-ACC-02',
    title: 'Reveal is privileged, reasoned and audited first',
    does: 'Original values are shown only to admin or dpo with a reason code, recorded in the audit log before anything is decrypted; the route serves data-subject access requests.',
    clauses: [GDPR.access, GDPR.security, HIPAA.access, HIPAA.audit],
    policyKeys: [],
    status: always(),
    auditActions: ['job.reveal'],
    tests: [
      {
        file: 'test/access/permissions.test.ts',
        name: 'reveal requires a reason of 4 to 500 characters; the grant carries it trimmed',
      },
    ],
  },
  {
    id: 'VEIL-AUD-01',
    title: 'Tamper-evident audit log',
    does: 'An append-only Merkle log (RFC 9162) per tenant with Ed25519-signed tree heads, inclusion and consistency proofs, and offline verification of exports and receipts.',
    clauses: [GDPR.records, HIPAA.audit, HIPAA.integrity, SOX.audit],
    policyKeys: [],
    status: always(),
    auditActions: ['*'],
    tests: [
      {
        file: 'test/audit/log.test.ts',
        name: 'tampering with the stored rows is detected and the first bad index named',
      },
      {
        file: 'test/audit/log.test.ts',
        name: 'a receipt verifies offline with only the public key; a flipped bit anywhere fails',
      },
      {
        file: 'test/audit-integration/tamper.test.ts',
        name: 'the append-only trigger refuses the same edits when it is on',
      },
    ],
  },
  {
    id: 'VEIL-SEC-01',
    title: 'Envelope encryption bound to tenant, object and class',
    does: 'Blobs and vault entries are AES-256-GCM ciphertext under per-tenant versioned data keys; a ciphertext moved to another tenant, object or class does not decrypt.',
    clauses: [GDPR.security, GDPR.design, HIPAA.integrity],
    policyKeys: [],
    status: always(),
    auditActions: ['key.rotated'],
    tests: [
      {
        file: 'test/crypto/envelope.test.ts',
        name: 'moving a ciphertext to another tenant, object or class fails, including shifted fields',
      },
      {
        file: 'test/store/store.test.ts',
        name: 'blobs are ciphertext on disk, 0600, opaquely named, bound to their tenant, and hard-deleted',
      },
    ],
  },
  {
    id: 'VEIL-TRN-01',
    title: 'Transmission: signed uploads, security headers, signed alert webhooks',
    does: 'Upload URLs are HMAC-signed and single-use; responses carry security headers and no-store; alert webhooks are HMAC-SHA256 signed. TLS is terminated in front of Veil.',
    clauses: [HIPAA.transmission, GDPR.security],
    policyKeys: ['alerts.webhooks'],
    status: always(),
    auditActions: [],
    tests: [
      {
        file: 'test/api/jobs.test.ts',
        name: 'an upload job: signed, single-use URL; tampered or expired URLs refused; the upload leaves nothing behind',
      },
      { file: 'test/api/hardening.test.ts', name: 'responses carry security headers and no-store' },
    ],
  },
  {
    id: 'VEIL-XFR-01',
    title: 'No third-party processor',
    does: 'Veil is self-hosted: parsing, OCR and detection run in process, models ship with the package, and no document value leaves it; the only outbound calls are alert webhooks the policy names, which carry no document value.',
    clauses: [GDPR.transfers],
    policyKeys: ['alerts.webhooks'],
    status: (policy) => ({
      status: 'enforced',
      values: { 'alerts.webhooks': (policy.alerts?.webhooks ?? []).map((w) => new URL(w.url).host) },
    }),
    auditActions: [],
    tests: [
      {
        file: 'test/pipeline/jobs/jobs.test.ts',
        name: 'workers run a text job end to end; nothing holds a canary in plaintext',
      },
    ],
  },
  {
    id: 'VEIL-DP-01',
    title: 'Differentially private analytics',
    does: 'Aggregate counts are released with discrete Laplace noise from a cryptographic generator, each job clamped, only over jobs whose consent allows analytics, within a per-tenant budget recorded in an append-only ledger.',
    clauses: [GDPR.minimisation, GDPR.design, GDPR.lawful],
    policyKeys: ['analytics.epsilon_per_release', 'analytics.budget', 'analytics.max_contribution'],
    status: (policy) => ({
      status: 'enforced',
      values: {
        'analytics.epsilon_per_release': policy.analytics?.epsilon_per_release ?? 'default 0.5',
        'analytics.budget': policy.analytics?.budget ?? 'default 2 per month',
        'analytics.max_contribution': policy.analytics?.max_contribution ?? 'default 10',
      },
    }),
    auditActions: ['analytics.released'],
    tests: [
      { file: 'test/privacy/analytics/noise.test.ts', name: 'the sampler never calls Math.random' },
      {
        file: 'test/privacy/analytics/noise.test.ts',
        name: 'clamping: one job adds at most max_contribution to an entity-type histogram, and never more than it found',
      },
      {
        file: 'test/privacy/analytics/api.test.ts',
        name: 'jobs by purpose: only jobs that allowed analytics (and did not withdraw), over the declared purposes and (other); epsilon stated; ledger and audit event; refused past the budget',
      },
    ],
  },
  {
    id: 'VEIL-KAN-01',
    title: 'k-anonymous tabular outputs',
    does: "CSV outputs are generalised and suppressed until every combination of quasi-identifiers is shared by at least k rows, or refused; every released output records its k among the tenant's released outputs (a keyed HMAC of the identifying values it hands out), in its output.released receipt and the privacy metrics.",
    clauses: [GDPR.minimisation, GDPR.design],
    policyKeys: ['k_anonymity'],
    status: (policy) =>
      policy.k_anonymity === undefined
        ? { status: 'configured_off', values: { k_anonymity: null } }
        : { status: 'enforced', values: { k_anonymity: policy.k_anonymity } },
    auditActions: [],
    tests: [
      {
        file: 'test/privacy/risk/k-anonymity.test.ts',
        name: 'property: the output always reaches k (when the table has k rows) and only quasi columns change',
      },
      {
        file: 'test/privacy/risk/k-anonymity.test.ts',
        name: 'the CSV writer refuses with VEIL_K_ANONYMITY_UNMET and writes nothing when k cannot be reached',
      },
      {
        file: 'test/privacy/metrics/output-risk.test.ts',
        name: 'each release records its k in its receipt: the class grows as outputs that hand out the same values are released',
      },
    ],
  },
  {
    id: 'VEIL-MON-01',
    title: 'Access anomaly alerts',
    does: 'A detector over the audit stream and request outcomes raises alert.raised on reveal or download bursts, DSR export bursts, access outside working hours, repeated 401/403 from one source, 404 probing, an API key from a new address and crop-viewing outliers, and delivers signed webhooks from a durable outbox.',
    clauses: [GDPR.security, HIPAA.audit, SOX.audit],
    policyKeys: ['alerts.enabled', 'alerts.thresholds', 'alerts.working_hours', 'alerts.webhooks'],
    status: (policy) => ({
      status: policy.alerts?.enabled === false ? 'configured_off' : 'enforced',
      values: {
        'alerts.enabled': policy.alerts?.enabled ?? true,
        'alerts.thresholds': policy.alerts?.thresholds ?? 'defaults',
        'alerts.working_hours': policy.alerts?.working_hours ?? null,
        'alerts.webhooks': (policy.alerts?.webhooks ?? []).length,
      },
    }),
    auditActions: ['alert.raised'],
    tests: [
      {
        file: 'test/privacy/anomaly/alerts.test.ts',
        name: '20 reveals in a minute by one dpo raise one alert, delivered with a valid signature and no document value',
      },
      {
        file: 'test/privacy/anomaly/alerts.test.ts',
        name: 'receiver down: the alert waits in the outbox and is delivered when it is back; nothing is lost',
      },
      { file: 'test/privacy/anomaly/alerts.test.ts', name: 'normal traffic raises no alert' },
      {
        file: 'test/privacy/anomaly/alerts.test.ts',
        name: 'a new alert is sent on the path that raised it, not by a poll; a crashed first attempt is taken over once',
      },
    ],
  },
];
